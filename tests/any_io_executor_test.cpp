// Tests for rill/any_io_executor.hpp: Asio's property list, the Networking
// TS members, and the direct path for plain io_context executors.
#include <rill/any_io_executor.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/bind_allocator.hpp>
#include <rill/defer.hpp>
#include <rill/dispatch.hpp>
#include <rill/execution.hpp>
#include <rill/io_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/post.hpp>
#include <rill/thread_pool.hpp>

#include "support/counting_allocator.hpp"
#include "support/user_executor.hpp"

namespace {

using rill_test::allocation_log;
using rill_test::counting_allocator;
namespace execution = rill::execution;
using io_executor = rill::io_context::executor_type;

struct execute_only {
  template <typename F>
  void execute(F&& f) const {
    f();
  }
  [[maybe_unused]] friend bool operator==(const execute_only&, const execute_only&) = default;
};

static_assert(rill::is_executor<rill::any_io_executor>::value);
static_assert(execution::executor<rill::any_io_executor>);
static_assert(std::is_nothrow_copy_constructible_v<rill::any_io_executor>);
static_assert(std::is_convertible_v<io_executor, rill::any_io_executor>);
static_assert(std::is_convertible_v<rill::thread_pool::executor_type, rill::any_io_executor>);
static_assert(std::is_convertible_v<rill::system_executor, rill::any_io_executor>);
static_assert(std::is_convertible_v<rill_test::user_context::executor_type, rill::any_io_executor>);
// As in Asio, a target must be able to require blocking.never and answer
// the context query.
static_assert(!std::is_convertible_v<execute_only, rill::any_io_executor>);
// Asio's list: context, blocking.never; the rest only preferable.
static_assert(std::is_same_v<rill::query_result_t<rill::any_io_executor, execution::context_t>,
                             rill::execution_context&>);
static_assert(rill::can_require_v<rill::any_io_executor, execution::blocking_t::never_t>);
static_assert(!rill::can_require_v<rill::any_io_executor, execution::blocking_t::possibly_t>);
static_assert(!rill::can_require_v<rill::any_io_executor, execution::blocking_t::always_t>);
static_assert(
    !rill::can_require_v<rill::any_io_executor, execution::outstanding_work_t::tracked_t>);
static_assert(std::is_same_v<rill::prefer_result_t<rill::any_io_executor,
                                                   execution::outstanding_work_t::tracked_t>,
                             rill::any_io_executor>);
static_assert(!rill::can_query_v<rill::any_io_executor, execution::relationship_t>);

TEST(any_io_executor, empty) {
  rill::any_io_executor ex;
  EXPECT_FALSE(ex);
  EXPECT_TRUE(ex == nullptr);
  EXPECT_EQ(ex.rill_native_context(), nullptr);
  EXPECT_THROW(execution::execute(ex, [] {}), execution::bad_executor);
  EXPECT_THROW(ex.post([] {}, std::allocator<void>()), execution::bad_executor);
}

TEST(any_io_executor, plain_io_context_executor_takes_the_direct_path) {
  rill::io_context ioc;
  rill::any_io_executor ex(ioc.get_executor());
  EXPECT_EQ(ex.rill_native_context(), &ioc);
  EXPECT_EQ(&ex.context(), &ioc);
  EXPECT_TRUE(ex == ioc.get_executor());
  rill::any_io_executor copy = ex;
  EXPECT_EQ(copy.rill_native_context(), &ioc);
  rill::any_io_executor moved = std::move(copy);
  EXPECT_EQ(moved.rill_native_context(), &ioc);
  EXPECT_EQ(copy.rill_native_context(), nullptr);  // NOLINT(bugprone-use-after-move)
  // Tracked or continuation executors go through the erasure.
  EXPECT_EQ(
      rill::any_io_executor(rill::require(ioc.get_executor(), execution::outstanding_work.tracked))
          .rill_native_context(),
      nullptr);
  EXPECT_EQ(
      rill::any_io_executor(rill::require(ioc.get_executor(), execution::relationship.continuation))
          .rill_native_context(),
      nullptr);
}

// post, dispatch, defer through any_io_executor: memory from the handler's
// allocator, freed before it runs, both on the direct path and through the
// erasure.
void check_submissions(rill::any_io_executor ex, rill::io_context& ioc) {
  allocation_log log;
  int calls = 0;
  int live_when_run = -1;
  auto handler = rill::bind_allocator(counting_allocator<char>(log), [&] {
    ++calls;
    live_when_run = log.live();
  });
  rill::post(ex, handler);
  rill::dispatch(ex, handler);  // not inside: queued
  rill::defer(ex, handler);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(ioc.poll(), 3u);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(live_when_run, 0);
  EXPECT_EQ(log.live(), 0);
  ioc.restart();
}

TEST(any_io_executor, submissions_use_the_handlers_allocator) {
  rill::io_context ioc;
  check_submissions(ioc.get_executor(), ioc);
  check_submissions(rill::require(ioc.get_executor(), execution::relationship.continuation), ioc);
  check_submissions(rill::require(ioc.get_executor(), execution::blocking.never), ioc);
}

TEST(any_io_executor, properties_reach_the_target) {
  rill::io_context ioc;
  rill::any_io_executor ex(ioc.get_executor());
  EXPECT_EQ(&rill::query(ex, execution::context), static_cast<rill::execution_context*>(&ioc));
  EXPECT_TRUE(rill::query(ex, execution::blocking.possibly) == execution::blocking.possibly);
  rill::any_io_executor never = rill::require(ex, execution::blocking.never);
  EXPECT_TRUE(rill::query(never, execution::blocking.possibly) == execution::blocking.never);
  EXPECT_NE(
      never.target<
          std::decay_t<decltype(rill::require(ioc.get_executor(), execution::blocking.never))>>(),
      nullptr);
  rill::any_io_executor tracked = rill::prefer(never, execution::outstanding_work.tracked);
  EXPECT_TRUE(rill::query(tracked, execution::outstanding_work.tracked) ==
              execution::outstanding_work.tracked);
  EXPECT_TRUE(rill::query(tracked, execution::blocking.never) == execution::blocking.never);
  rill::any_io_executor untracked = rill::prefer(tracked, execution::outstanding_work.untracked);
  EXPECT_TRUE(untracked == never);
  EXPECT_EQ(untracked.rill_native_context(), &ioc);
}

TEST(any_io_executor, thread_pool_target) {
  rill::thread_pool pool(1);
  rill::any_io_executor ex(pool.executor());
  EXPECT_EQ(ex.rill_native_context(), nullptr);
  EXPECT_EQ(&ex.context(), static_cast<rill::execution_context*>(&pool));
  std::atomic<int> calls{0};
  execution::execute(ex, [&] { ++calls; });
  rill::post(ex, [&] { ++calls; });
  pool.join();
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
