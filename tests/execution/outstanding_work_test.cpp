// Tests for rill/execution/outstanding_work.hpp: a tracked executor keeps
// its context running.
#include <rill/execution/outstanding_work.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <type_traits>

#include <rill/any_io_executor.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/prefer.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
#include <rill/thread_pool.hpp>

namespace {

namespace execution = rill::execution;
using io_executor = rill::io_context::executor_type;

// With no queued handler, an io_context has outstanding work exactly when
// poll() leaves it running.
bool has_work(rill::io_context& ioc) {
  ioc.restart();
  EXPECT_EQ(ioc.poll(), 0u);
  const bool busy = !ioc.stopped();
  ioc.restart();
  return busy;
}

static_assert(execution::outstanding_work_t::static_query_v<io_executor> ==
              execution::outstanding_work.untracked);
using tracked_executor =
    std::decay_t<rill::require_result_t<io_executor, execution::outstanding_work_t::tracked_t>>;
static_assert(execution::outstanding_work_t::static_query_v<tracked_executor> ==
              execution::outstanding_work.tracked);
static_assert(std::is_same_v<std::decay_t<rill::require_result_t<
                                 tracked_executor, execution::outstanding_work_t::untracked_t>>,
                             io_executor>);

TEST(outstanding_work, a_tracked_executor_keeps_the_context_running) {
  rill::io_context ioc;
  EXPECT_FALSE(has_work(ioc));
  // Held through a pointer: an optional here trips g++'s maybe-uninitialized
  // analysis under -fsanitize=thread -O2.
  auto work = std::make_unique<tracked_executor>(
      rill::require(ioc.get_executor(), execution::outstanding_work.tracked));
  EXPECT_TRUE(has_work(ioc));
  {
    auto copy = *work;  // copies count too
    work.reset();
    EXPECT_TRUE(has_work(ioc));
  }
  EXPECT_FALSE(has_work(ioc));
}

TEST(outstanding_work, untracked_copy_of_a_tracked_executor_does_not_count) {
  rill::io_context ioc;
  auto tracked = rill::require(ioc.get_executor(), execution::outstanding_work.tracked);
  auto untracked = rill::require(tracked, execution::outstanding_work.untracked);
  EXPECT_TRUE(rill::query(untracked, execution::outstanding_work) ==
              execution::outstanding_work.untracked);
  EXPECT_TRUE(untracked == ioc.get_executor());
}

TEST(outstanding_work, any_io_executor_prefers_tracked) {
  rill::io_context ioc;
  rill::any_io_executor ex(ioc.get_executor());
  EXPECT_TRUE(rill::query(ex, execution::outstanding_work.tracked) ==
              execution::outstanding_work.untracked);
  {
    rill::any_io_executor tracked = rill::prefer(ex, execution::outstanding_work.tracked);
    EXPECT_TRUE(rill::query(tracked, execution::outstanding_work.untracked) ==
                execution::outstanding_work.tracked);
    EXPECT_EQ(tracked.rill_native_context(), nullptr);  // not the direct path
    EXPECT_TRUE(has_work(ioc));
    int calls = 0;
    rill::post(tracked, [&] { ++calls; });
    EXPECT_EQ(ioc.poll(), 1u);
    EXPECT_EQ(calls, 1);
  }
  EXPECT_FALSE(has_work(ioc));
}

TEST(outstanding_work, thread_pool_tracked_executor_holds_join) {
  rill::thread_pool pool(1);
  auto tracked = rill::require(pool.executor(), execution::outstanding_work.tracked);
  EXPECT_TRUE(rill::query(tracked, execution::outstanding_work) ==
              execution::outstanding_work.tracked);
  int calls = 0;
  execution::execute(rill::require(tracked, execution::blocking.always), [&] { ++calls; });
  EXPECT_EQ(calls, 1);
  { auto gone = std::move(tracked); }
  pool.join();
}

}  // namespace
