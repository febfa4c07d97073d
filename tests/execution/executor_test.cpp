// Tests for rill/execution/executor.hpp: the executor concept, and a user's
// execute-only executor (tests/support/user_executor.hpp, like the ones of
// Asio's executor examples) used with everything that takes an executor:
// post, dispatch, defer, bind_executor, work guards, an I/O completion and
// co_spawn.
#include <rill/execution/executor.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <type_traits>

#include <rill/any_io_executor.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/co_spawn.hpp>
#include <rill/defer.hpp>
#include <rill/detached.hpp>
#include <rill/dispatch.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/io_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/system_executor.hpp>
#include <rill/thread_pool.hpp>
#include <rill/use_awaitable.hpp>

#include "support/counting_allocator.hpp"
#include "support/user_executor.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using rill_test::user_context;
namespace execution = rill::execution;

using user_executor = user_context::executor_type;

// Only execute().
struct inline_executor {
  template <typename F>
  void execute(F&& f) const {
    f();
  }
  [[maybe_unused]] friend bool operator==(const inline_executor&, const inline_executor&) = default;
};

struct throwing_copy {
  throwing_copy() = default;
  throwing_copy(const throwing_copy&) {}  // may throw
  template <typename F>
  void execute(F&& f) const {
    f();
  }
  [[maybe_unused]] friend bool operator==(const throwing_copy&, const throwing_copy&) = default;
};

struct not_comparable {
  template <typename F>
  void execute(F&& f) const {
    f();
  }
};

static_assert(execution::executor<inline_executor>);
static_assert(execution::is_executor_v<inline_executor>);
static_assert(execution::executor_of<inline_executor, void (*)()>);
static_assert(!execution::executor<throwing_copy>);
static_assert(!execution::executor<not_comparable>);
static_assert(!execution::executor<int>);
static_assert(execution::executor<user_executor>);
static_assert(!rill::is_executor<user_executor>::value);  // no Networking TS members
static_assert(execution::executor<rill::io_context::executor_type>);
static_assert(rill::is_executor<rill::io_context::executor_type>::value);
static_assert(execution::executor<rill::thread_pool::executor_type>);
static_assert(execution::executor<rill::system_executor>);
static_assert(execution::executor<rill::any_io_executor>);

struct runs {
  int count = 0;
  int live_when_run = -1;
  bool inside = false;
};

// A handler recording how it ran; its allocator counts.
auto recorder(runs& r, allocation_log& log, const user_context& ctx) {
  return rill::bind_allocator(counting_allocator<char>(log), [&r, &log, &ctx] {
    ++r.count;
    r.live_when_run = log.live();
    r.inside = ctx.running_in_this_thread();
  });
}

TEST(user_executor, post_queues_with_the_handlers_allocator_and_frees_before_running) {
  user_context ctx;
  allocation_log log;
  runs r;
  rill::post(ctx.get_executor(), recorder(r, log, ctx));
  EXPECT_EQ(ctx.queued(), 1u);
  EXPECT_EQ(r.count, 0);
  EXPECT_EQ(log.allocations.load(), 1);  // the queued node, from the handler's allocator
  EXPECT_EQ(ctx.poll(), 1u);
  EXPECT_EQ(r.count, 1);
  EXPECT_TRUE(r.inside);
  EXPECT_EQ(r.live_when_run, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(user_executor, post_from_inside_still_queues_because_it_requires_blocking_never) {
  user_context ctx;
  allocation_log log;
  runs r;
  rill::post(ctx.get_executor(), [&] { rill::post(ctx.get_executor(), recorder(r, log, ctx)); });
  EXPECT_EQ(ctx.poll(), 2u);
  EXPECT_EQ(ctx.inline_runs(), 0);
  EXPECT_EQ(r.count, 1);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(user_executor, dispatch_runs_inline_inside_the_context_and_queues_outside) {
  user_context ctx;
  allocation_log log;
  runs r;
  rill::dispatch(ctx.get_executor(), recorder(r, log, ctx));
  EXPECT_EQ(r.count, 0);
  EXPECT_EQ(ctx.queued(), 1u);
  rill::post(ctx.get_executor(), [&] {
    rill::dispatch(ctx.get_executor(), recorder(r, log, ctx));
    EXPECT_EQ(r.count, 2);  // ran inside dispatch
  });
  EXPECT_EQ(ctx.poll(), 2u);
  EXPECT_EQ(r.count, 2);
  EXPECT_EQ(ctx.inline_runs(), 1);
  EXPECT_EQ(log.allocations.load(), 1);  // only the queued one needed memory
  EXPECT_EQ(log.live(), 0);
}

TEST(user_executor, defer_queues) {
  user_context ctx;
  allocation_log log;
  runs r;
  rill::post(ctx.get_executor(), [&] {
    rill::defer(ctx.get_executor(), recorder(r, log, ctx));
    EXPECT_EQ(r.count, 0);
  });
  EXPECT_EQ(ctx.poll(), 2u);
  EXPECT_EQ(r.count, 1);
  EXPECT_EQ(r.live_when_run, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(user_executor, an_executor_allocator_is_replaced_by_the_handlers) {
  user_context ctx;
  allocation_log executor_log;
  allocation_log handler_log;
  auto ex = rill::require(ctx.get_executor(),
                          execution::allocator(counting_allocator<int>(executor_log)));
  runs r;
  // execute uses the executor's own allocator ...
  execution::execute(ex, [&] { ++r.count; });
  EXPECT_EQ(executor_log.allocations.load(), 1);
  // ... post the handler's.
  rill::post(ex, recorder(r, handler_log, ctx));
  EXPECT_EQ(executor_log.allocations.load(), 1);
  EXPECT_EQ(handler_log.allocations.load(), 1);
  EXPECT_EQ(ctx.poll(), 2u);
  EXPECT_EQ(r.count, 2);
  EXPECT_EQ(executor_log.live(), 0);
  EXPECT_EQ(handler_log.live(), 0);
}

TEST(user_executor, work_guard_holds_a_tracked_copy) {
  user_context ctx;
  EXPECT_EQ(ctx.outstanding_work(), 0);
  {
    auto guard = rill::make_work_guard(ctx.get_executor());
    static_assert(std::is_same_v<decltype(guard), rill::executor_work_guard<user_executor>>);
    EXPECT_TRUE(guard.owns_work());
    EXPECT_EQ(ctx.outstanding_work(), 1);
    EXPECT_TRUE(guard.get_executor() == ctx.get_executor());
    auto copy = guard;
    EXPECT_EQ(ctx.outstanding_work(), 2);
    auto moved = std::move(copy);
    EXPECT_EQ(ctx.outstanding_work(), 2);
    EXPECT_FALSE(copy.owns_work());  // NOLINT(bugprone-use-after-move)
    guard.reset();
    EXPECT_FALSE(guard.owns_work());
    EXPECT_EQ(ctx.outstanding_work(), 1);
  }
  EXPECT_EQ(ctx.outstanding_work(), 0);
}

TEST(user_executor, bound_handler_posted_to_an_io_context_keeps_the_user_context_busy) {
  rill::io_context ioc;
  user_context ctx;
  allocation_log log;
  runs r;
  rill::post(ioc, rill::bind_executor(ctx.get_executor(), recorder(r, log, ctx)));
  EXPECT_EQ(ctx.outstanding_work(), 1);  // held by the work dispatcher
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(ctx.outstanding_work(), 0);
  EXPECT_EQ(r.count, 0);
  EXPECT_EQ(ctx.poll(), 1u);
  EXPECT_EQ(r.count, 1);
  EXPECT_TRUE(r.inside);
  EXPECT_EQ(log.live(), 0);
}

TEST(user_executor, timer_completion_is_delivered_through_the_bound_executor) {
  rill::io_context ioc;
  user_context ctx;
  rill::steady_timer timer(ioc, 1ms);
  allocation_log log;
  int calls = 0;
  rill::error_code result = rill::error::operation_aborted;
  int live_in_handler = -1;
  bool inside = false;
  timer.async_wait(rill::bind_executor(
      ctx.get_executor(),
      rill::bind_allocator(counting_allocator<char>(log), [&](const rill::error_code& ec) {
        ++calls;
        result = ec;
        live_in_handler = log.live();
        inside = ctx.running_in_this_thread();
      })));
  EXPECT_EQ(ctx.outstanding_work(), 1);  // the pending wait keeps the handler's context busy
  EXPECT_EQ(log.allocations.load(), 1);  // the wait operation
  EXPECT_EQ(ioc.run_one_for(5s), 1u);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(ctx.outstanding_work(), 0);
  EXPECT_EQ(ctx.poll(), 1u);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(inside);
  EXPECT_EQ(result, rill::error_code());
  EXPECT_EQ(live_in_handler, 0);  // wait and delivery memory freed first
  EXPECT_EQ(log.live(), 0);
}

TEST(user_executor, destroying_the_context_frees_queued_handlers_without_running_them) {
  allocation_log log;
  runs r;
  {
    user_context ctx;
    rill::post(ctx.get_executor(), recorder(r, log, ctx));
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_EQ(r.count, 0);
  EXPECT_EQ(log.live(), 0);
}

rill::awaitable<int> wait_twice(rill::steady_timer& timer, const user_context& ctx, int& inside) {
  for (int i = 0; i < 2; ++i) {
    timer.expires_after(1ms);
    co_await timer.async_wait(rill::use_awaitable);
    if (ctx.running_in_this_thread()) ++inside;
  }
  co_return 42;
}

TEST(user_executor, co_spawn_runs_the_coroutine_on_the_user_context) {
  rill::io_context ioc;
  user_context ctx;
  rill::steady_timer timer(ioc);
  int inside = 0;
  int result = 0;
  int calls = 0;
  rill::co_spawn(ctx.get_executor(), wait_twice(timer, ctx, inside),
                 [&](std::exception_ptr e, int v) {
                   ++calls;
                   EXPECT_FALSE(e);
                   result = v;
                 });
  EXPECT_EQ(calls, 0);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (calls == 0 && std::chrono::steady_clock::now() < deadline) {
    ctx.poll();
    ioc.restart();
    ioc.run_one_for(10ms);
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result, 42);
  EXPECT_EQ(inside, 2);  // resumed on the user context after each wait
}

TEST(user_executor, any_io_executor_holds_it) {
  user_context ctx;
  rill::any_io_executor ex(ctx.get_executor());
  EXPECT_EQ(&ex.context(), &ctx);
  EXPECT_EQ(&rill::query(ex, execution::context), &ctx);
  ASSERT_NE(ex.target<user_executor>(), nullptr);
  int calls = 0;
  rill::post(ex, [&] { ++calls; });
  rill::dispatch(ex, [&] { ++calls; });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(ctx.poll(), 2u);
  EXPECT_EQ(calls, 2);
  // prefer(tracked) reaches the target through the erasure.
  auto tracked = rill::prefer(ex, execution::outstanding_work.tracked);
  EXPECT_EQ(ctx.outstanding_work(), 1);
  tracked = nullptr;
  EXPECT_EQ(ctx.outstanding_work(), 0);
}

}  // namespace
