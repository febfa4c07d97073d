// system_executor: dispatch runs inline, post runs on the system context's
// pool with memory from the handler's associated allocator.
#include <rill/system_executor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>

#include <rill/associated_executor.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/defer.hpp>
#include <rill/dispatch.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/is_executor.hpp>
#include <rill/post.hpp>
#include <rill/system_context.hpp>

#include "support/counting_allocator.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;

static_assert(rill::is_executor<rill::system_executor>::value);
static_assert(rill::execution::executor<rill::system_executor>);
static_assert(std::is_same_v<rill::system_context::executor_type, rill::system_executor>);

// What a handler run on the pool reports back. Shared, so that a handler
// that runs after a timed-out wait touches nothing that is gone.
struct report {
  std::mutex mutex;
  std::condition_variable cv;
  int runs = 0;
  std::thread::id thread;
  int live_when_run = -1;
  allocation_log log;

  void record() {
    std::lock_guard lock(mutex);
    ++runs;
    thread = std::this_thread::get_id();
    live_when_run = log.live();
    cv.notify_all();
  }

  // Waits (at most 10 s) until n handlers have run.
  bool wait_for_runs(int n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 10s, [&] { return runs >= n; });
  }
};

TEST(system_executor, dispatch_and_execute_run_inline) {
  rill::system_executor ex;
  allocation_log log;
  std::thread::id ran_on;
  int runs = 0;
  auto handler = rill::bind_allocator(counting_allocator<char>(log), [&] {
    ++runs;
    ran_on = std::this_thread::get_id();
  });
  rill::dispatch(ex, handler);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  ex.dispatch(handler, std::allocator<void>());
  EXPECT_EQ(runs, 2);
  ex.execute(handler);
  EXPECT_EQ(runs, 3);
  // With no executor, a handler's associated executor is the system
  // executor: dispatch runs it inline too.
  rill::dispatch(handler);
  EXPECT_EQ(runs, 4);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  // Running inline needs no memory.
  EXPECT_EQ(log.allocations.load(), 0);
}

TEST(system_executor, post_runs_on_another_thread_with_the_handlers_allocator) {
  auto r = std::make_shared<report>();
  rill::post(rill::system_executor(),
             rill::bind_allocator(counting_allocator<char>(r->log), [r] { r->record(); }));
  ASSERT_TRUE(r->wait_for_runs(1));
  std::lock_guard lock(r->mutex);
  EXPECT_EQ(r->runs, 1);
  EXPECT_NE(r->thread, std::this_thread::get_id());
  EXPECT_EQ(r->log.allocations.load(), 1);  // the operation, from the handler's allocator
  EXPECT_EQ(r->live_when_run, 0);           // freed before the handler ran
  EXPECT_EQ(r->log.live(), 0);
}

TEST(system_executor, member_post_and_defer_use_the_given_allocator) {
  auto r = std::make_shared<report>();
  rill::system_executor ex;
  ex.post([r] { r->record(); }, counting_allocator<int>(r->log));
  ex.defer([r] { r->record(); }, counting_allocator<int>(r->log));
  ASSERT_TRUE(r->wait_for_runs(2));
  std::lock_guard lock(r->mutex);
  EXPECT_NE(r->thread, std::this_thread::get_id());
  EXPECT_EQ(r->log.allocations.load(), 2);
  EXPECT_EQ(r->log.live(), 0);
}

TEST(system_executor, post_without_executor_goes_to_the_system_executor) {
  auto r = std::make_shared<report>();
  auto handler = rill::bind_allocator(counting_allocator<char>(r->log), [r] { r->record(); });
  static_assert(
      std::is_same_v<rill::associated_executor_t<decltype(handler)>, rill::system_executor>);
  rill::post(handler);
  ASSERT_TRUE(r->wait_for_runs(1));
  {
    std::lock_guard lock(r->mutex);
    EXPECT_NE(r->thread, std::this_thread::get_id());
    EXPECT_EQ(r->live_when_run, 0);
  }
  rill::defer(handler);
  ASSERT_TRUE(r->wait_for_runs(2));
  std::lock_guard lock(r->mutex);
  EXPECT_NE(r->thread, std::this_thread::get_id());
  EXPECT_EQ(r->live_when_run, 0);
  EXPECT_EQ(r->log.allocations.load(), 2);
  EXPECT_EQ(r->log.live(), 0);
}

TEST(system_executor, many_posts_all_run_and_free_their_memory) {
  auto r = std::make_shared<report>();
  constexpr int count = 2000;
  for (int i = 0; i < count; ++i) {
    rill::post(rill::bind_allocator(counting_allocator<char>(r->log), [r] { r->record(); }));
  }
  ASSERT_TRUE(r->wait_for_runs(count));
  std::lock_guard lock(r->mutex);
  EXPECT_EQ(r->runs, count);
  EXPECT_EQ(r->log.allocations.load(), count);
  EXPECT_EQ(r->log.live(), 0);
}

TEST(system_executor, a_posted_handler_may_post_again) {
  auto r = std::make_shared<report>();
  rill::post([r] {
    rill::post(rill::bind_allocator(counting_allocator<char>(r->log), [r] { r->record(); }));
  });
  ASSERT_TRUE(r->wait_for_runs(1));
  std::lock_guard lock(r->mutex);
  EXPECT_EQ(r->live_when_run, 0);
}

TEST(system_executor, context_is_one_system_context) {
  rill::system_executor a;
  rill::system_executor b;
  rill::system_context& ctx = a.context();
  EXPECT_EQ(&ctx, &b.context());
  EXPECT_EQ(&ctx, &rill::system_executor().context());
  EXPECT_TRUE(ctx.get_executor() == a);
  EXPECT_FALSE(ctx.stopped());
  // A system_context is an execution_context with the usual services.
  rill::execution_context& base = ctx;
  EXPECT_EQ(&base, &ctx);
}

TEST(system_executor, all_system_executors_compare_equal) {
  rill::system_executor a;
  rill::system_executor b;
  const rill::system_executor c = a;
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a != b);
  EXPECT_TRUE(c == rill::system_executor());
  static_assert(rill::system_executor() == rill::system_executor());
}

TEST(system_executor, work_counting_is_a_no_op) {
  rill::system_executor ex;
  ex.on_work_started();
  ex.on_work_finished();
  auto guard = rill::make_work_guard(ex);
  EXPECT_TRUE(guard.owns_work());
  EXPECT_TRUE(guard.get_executor() == ex);
  guard.reset();
  EXPECT_FALSE(guard.owns_work());
  EXPECT_FALSE(ex.context().stopped());
}

}  // namespace
