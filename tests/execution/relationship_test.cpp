// Tests for rill/execution/relationship.hpp.
#include <rill/execution/relationship.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/any_io_executor.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/prefer.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
#include <rill/system_executor.hpp>
#include <rill/thread_pool.hpp>

namespace {

namespace execution = rill::execution;
using io_executor = rill::io_context::executor_type;

struct plain_executor {
  template <typename F>
  void execute(F&& f) const {
    f();
  }
  [[maybe_unused]] friend bool operator==(const plain_executor&, const plain_executor&) = default;
};

static_assert(rill::query(plain_executor(), execution::relationship) ==
              execution::relationship.fork);
static_assert(!(execution::relationship_t(execution::relationship.fork) ==
                execution::relationship.continuation));
static_assert(execution::relationship_t::static_query_v<io_executor> ==
              execution::relationship.fork);
static_assert(
    execution::relationship_t::static_query_v<std::decay_t<
        rill::require_result_t<io_executor, execution::relationship_t::continuation_t>>> ==
    execution::relationship.continuation);
static_assert(rill::query(rill::require(rill::system_executor(),
                                        execution::relationship.continuation),
                          execution::relationship) == execution::relationship.continuation);
// Preferring what an executor cannot do leaves it as it is.
static_assert(std::is_same_v<rill::prefer_result_t<const plain_executor&,
                                                   execution::relationship_t::continuation_t>,
                             const plain_executor&>);

TEST(relationship, continuation_executes_after_the_current_handler_on_the_same_thread) {
  rill::io_context ioc;
  auto ex = rill::require(ioc.get_executor(), execution::blocking.never,
                          execution::relationship.continuation);
  EXPECT_TRUE(rill::query(ex, execution::relationship) == execution::relationship.continuation);
  int order = 0;
  int continuation_at = -1;
  rill::post(ioc, [&] {
    execution::execute(ex, [&] { continuation_at = order++; });
    ++order;
  });
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_EQ(continuation_at, 1);
  auto fork = rill::require(ex, execution::relationship.fork);
  EXPECT_TRUE(rill::query(fork, execution::relationship) == execution::relationship.fork);
}

TEST(relationship, any_io_executor_prefers_either) {
  rill::io_context ioc;
  rill::any_io_executor ex(ioc.get_executor());
  rill::any_io_executor cont = rill::prefer(ex, execution::relationship.continuation);
  ASSERT_NE(cont.target<std::decay_t<decltype(rill::require(
                ioc.get_executor(), execution::relationship.continuation))>>(),
            nullptr);
  rill::any_io_executor fork = rill::prefer(cont, execution::relationship.fork);
  EXPECT_TRUE(fork == ex);
  EXPECT_EQ(fork.rill_native_context(), &ioc);
  // Asio's list has relationship only as prefer_only: not requirable.
  static_assert(!rill::can_require_v<rill::any_io_executor, execution::relationship_t::fork_t>);
}

}  // namespace
