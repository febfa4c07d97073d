// Tests for rill/execution/any_executor.hpp (with bad_executor and
// invocable_archetype): polymorphic executors over several property lists.
#include <rill/execution/any_executor.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <typeinfo>

#include <rill/execution/allocator.hpp>
#include <rill/execution/bad_executor.hpp>
#include <rill/execution/blocking.hpp>
#include <rill/execution/context.hpp>
#include <rill/execution/context_as.hpp>
#include <rill/execution/invocable_archetype.hpp>
#include <rill/execution/mapping.hpp>
#include <rill/execution/occupancy.hpp>
#include <rill/execution/outstanding_work.hpp>
#include <rill/execution/relationship.hpp>
#include <rill/execution_context.hpp>
#include <rill/io_context.hpp>
#include <rill/thread_pool.hpp>

#include "support/counting_allocator.hpp"
#include "support/user_executor.hpp"

namespace {

namespace execution = rill::execution;
using io_executor = rill::io_context::executor_type;

// The smallest list: execute only.
using bare_executor = execution::any_executor<>;

// Requirable blocking.never, queryable context and occupancy, preferable
// tracked work.
using pool_like_executor = execution::any_executor<
    execution::context_as_t<rill::execution_context&>, execution::blocking_t::never_t,
    execution::prefer_only<execution::outstanding_work_t::tracked_t>,
    execution::prefer_only<execution::outstanding_work_t::untracked_t>, execution::occupancy_t>;

// Mapping and relationship, queries only.
using query_only_executor =
    execution::any_executor<execution::mapping_t, execution::relationship_t>;

struct plain_executor {
  int* runs;
  template <typename F>
  void execute(F&& f) const {
    ++*runs;
    f();
  }
  [[maybe_unused]] friend bool operator==(const plain_executor& a,
                                          const plain_executor& b) = default;
};

// Bigger than the inline buffer: shared between copies.
struct big_executor : plain_executor {
  std::array<char, 128> padding{};
  [[maybe_unused]] friend bool operator==(const big_executor& a, const big_executor& b) = default;
};

static_assert(execution::executor<bare_executor>);
static_assert(execution::executor<pool_like_executor>);
static_assert(std::is_nothrow_copy_constructible_v<pool_like_executor>);
static_assert(std::is_constructible_v<bare_executor, plain_executor>);
// A target must support the list: plain_executor cannot require blocking.never
// nor answer a context query.
static_assert(!std::is_constructible_v<pool_like_executor, plain_executor>);
static_assert(std::is_constructible_v<pool_like_executor, rill::thread_pool::executor_type>);
// io_context executors have no occupancy.
static_assert(!std::is_constructible_v<pool_like_executor, io_executor>);
// Only listed properties are available.
static_assert(!rill::can_query_v<bare_executor, execution::occupancy_t>);
// Properties with a default still answer it (blocking.possibly), as in Asio.
static_assert(execution::blocking_t::static_query_v<bare_executor> == execution::blocking.possibly);
static_assert(rill::can_require_v<pool_like_executor, execution::blocking_t::never_t>);
static_assert(!rill::can_require_v<pool_like_executor, execution::blocking_t::possibly_t>);
static_assert(!rill::can_require_v<pool_like_executor, execution::outstanding_work_t::tracked_t>);
static_assert(rill::can_prefer_v<pool_like_executor, execution::outstanding_work_t::tracked_t>);
static_assert(
    std::is_same_v<rill::require_result_t<pool_like_executor, execution::blocking_t::never_t>,
                   pool_like_executor>);
static_assert(std::is_same_v<rill::query_result_t<pool_like_executor, execution::context_t>,
                             rill::execution_context&>);
static_assert(
    std::is_same_v<rill::query_result_t<pool_like_executor, execution::occupancy_t>, std::size_t>);

TEST(any_executor, empty_throws_bad_executor) {
  bare_executor empty;
  EXPECT_FALSE(empty);
  EXPECT_TRUE(empty == nullptr);
  EXPECT_EQ(empty.target_type(), typeid(void));
  EXPECT_THROW(execution::execute(empty, [] {}), execution::bad_executor);
  pool_like_executor empty_pool = nullptr;
  EXPECT_THROW(static_cast<void>(rill::query(empty_pool, execution::occupancy)),
               execution::bad_executor);
  EXPECT_THROW(static_cast<void>(rill::require(empty_pool, execution::blocking.never)),
               execution::bad_executor);
  EXPECT_STREQ(execution::bad_executor().what(), "bad executor");
}

TEST(any_executor, executes_through_the_target) {
  int runs = 0;
  bare_executor ex(plain_executor{&runs});
  EXPECT_TRUE(ex);
  EXPECT_EQ(ex.target_type(), typeid(plain_executor));
  ASSERT_NE(ex.target<plain_executor>(), nullptr);
  EXPECT_EQ(ex.target<io_executor>(), nullptr);
  int calls = 0;
  execution::execute(ex, [&] { ++calls; });
  execution::execute(ex, execution::invocable_archetype());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(runs, 2);
}

TEST(any_executor, copies_compare_equal_and_small_targets_live_inside) {
  int runs = 0;
  bare_executor a(plain_executor{&runs});
  bare_executor b = a;
  EXPECT_TRUE(a == b);
  EXPECT_NE(a.target<plain_executor>(), b.target<plain_executor>());
  int other_runs = 0;
  bare_executor c(plain_executor{&other_runs});
  EXPECT_FALSE(a == c);
  bare_executor moved = std::move(b);
  EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(moved == a);
  swap(moved, c);
  EXPECT_TRUE(c == a);
  EXPECT_FALSE(moved == a);
}

TEST(any_executor, large_targets_are_shared_by_copies) {
  int runs = 0;
  bare_executor a(big_executor{{&runs}, {}});
  bare_executor b = a;
  EXPECT_EQ(a.target<big_executor>(), b.target<big_executor>());
  EXPECT_TRUE(a == b);
  execution::execute(b, [] {});
  EXPECT_EQ(runs, 1);
}

TEST(any_executor, queries_requires_and_prefers_go_to_the_target) {
  rill::thread_pool pool(2);
  pool_like_executor ex(pool.executor());
  EXPECT_EQ(&rill::query(ex, execution::context), static_cast<rill::execution_context*>(&pool));
  EXPECT_EQ(rill::query(ex, execution::occupancy), 2u);
  EXPECT_TRUE(rill::query(ex, execution::blocking.never) == execution::blocking.possibly);

  pool_like_executor never = rill::require(ex, execution::blocking.never);
  EXPECT_TRUE(rill::query(never, execution::blocking.never) == execution::blocking.never);
  EXPECT_FALSE(never == ex);

  pool_like_executor tracked = rill::prefer(ex, execution::outstanding_work.tracked);
  EXPECT_TRUE(rill::query(tracked, execution::outstanding_work.untracked) ==
              execution::outstanding_work.tracked);
  // A preference the list does not name is ignored.
  auto&& same = rill::prefer(ex, execution::relationship.continuation);
  EXPECT_EQ(&same, &ex);
  tracked = nullptr;
  pool.join();
}

TEST(any_executor, query_only_properties_of_a_user_executor) {
  rill_test::user_context ctx;
  query_only_executor ex(ctx.get_executor());
  EXPECT_TRUE(rill::query(ex, execution::mapping) == execution::mapping.thread);
  EXPECT_TRUE(rill::query(ex, execution::relationship) == execution::relationship.fork);
}

TEST(any_executor, one_polymorphic_executor_holds_another) {
  rill::thread_pool pool(1);
  pool_like_executor inner(pool.executor());
  execution::any_executor<execution::blocking_t::never_t> outer(inner);
  EXPECT_EQ(outer.target_type(), typeid(pool_like_executor));
  auto never = rill::require(outer, execution::blocking.never);
  const pool_like_executor* inner_never = never.target<pool_like_executor>();
  ASSERT_NE(inner_never, nullptr);
  EXPECT_TRUE(rill::query(*inner_never, execution::blocking.never) == execution::blocking.never);
  // An empty one stays empty.
  execution::any_executor<execution::blocking_t::never_t> from_empty{pool_like_executor()};
  EXPECT_FALSE(from_empty);
  pool.join();
}

TEST(any_executor, execute_allocates_the_function_from_the_recycling_cache) {
  rill::io_context ioc;
  execution::any_executor<> ex(rill::require(ioc.get_executor(), execution::blocking.never));
  int calls = 0;
  for (int i = 0; i < 3; ++i) execution::execute(ex, [&] { ++calls; });
  EXPECT_EQ(ioc.poll(), 3u);
  EXPECT_EQ(calls, 3);
}

}  // namespace
