// Tests for rill/this_coro.hpp: a coroutine's executor and its cancellation
// state - co_spawn's completion handler's slot reaching the awaited
// operation, throw_if_cancelled, reset_cancellation_state and filters.
#include <rill/this_coro.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <string>

#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_state.hpp>
#include <rill/co_spawn.hpp>
#include <rill/detached.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/system_error.hpp>
#include <rill/use_awaitable.hpp>

#include "support/counting_allocator.hpp"

namespace {

using namespace std::chrono_literals;

// What a coroutine saw, for the test to check.
struct report {
  int waits_aborted = 0;
  int awaits_refused = 0;
  bool finished = false;
  rill::cancellation_type seen = rill::cancellation_type::none;
};

// Waits on a long timer; records how it ended.
rill::awaitable<void> wait_long(report& r) {
  rill::steady_timer timer(co_await rill::this_coro::executor, 1h);
  try {
    co_await timer.async_wait(rill::use_awaitable);
  } catch (const rill::system_error& e) {
    if (e.code() == rill::error::operation_aborted) ++r.waits_aborted;
  }
  r.seen = (co_await rill::this_coro::cancellation_state).cancelled();
  try {
    co_await rill::post(rill::use_awaitable);  // refused: cancellation was requested
  } catch (const rill::system_error& e) {
    if (e.code() == rill::error::operation_aborted) ++r.awaits_refused;
  }
  r.finished = true;
}

TEST(this_coro, executor_is_the_coroutines_executor) {
  rill::io_context ctx;
  bool same = false;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> {
        auto ex = co_await rill::this_coro::executor;
        same = ex == rill::any_io_executor(ctx.get_executor());
      },
      rill::detached);
  ctx.run();
  EXPECT_TRUE(same);
}

TEST(this_coro, emitting_the_handlers_slot_cancels_the_awaited_operation) {
  rill::io_context ctx;
  rill::cancellation_signal signal;
  report r;
  std::exception_ptr error;
  int calls = 0;
  rill::co_spawn(ctx, wait_long(r),
                 rill::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
                   ++calls;
                   error = e;
                 }));
  ctx.poll();  // the coroutine now waits on the timer
  EXPECT_EQ(r.waits_aborted, 0);
  signal.emit(rill::cancellation_type::terminal);
  ctx.run_for(5s);
  EXPECT_EQ(r.waits_aborted, 1);
  EXPECT_EQ(r.seen, rill::cancellation_type::terminal);
  EXPECT_EQ(r.awaits_refused, 1);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(error);
  signal.emit(rill::cancellation_type::terminal);  // after the end: reaches nothing
  ctx.restart();
  EXPECT_EQ(ctx.poll(), 1u);  // the dispatched emit itself, which finds no operation
  EXPECT_EQ(calls, 1);
}

TEST(this_coro, without_a_slot_nothing_is_cancellable_and_state_is_empty) {
  rill::io_context ctx;
  bool connected = true;
  rill::cancellation_type cancelled = rill::cancellation_type::all;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> {
        auto cs = co_await rill::this_coro::cancellation_state;
        connected = cs.slot().is_connected();
        cancelled = cs.cancelled();
        co_await rill::post(rill::use_awaitable);
      },
      rill::detached);
  ctx.run();
  EXPECT_FALSE(connected);
  EXPECT_EQ(cancelled, rill::cancellation_type::none);
}

TEST(this_coro, partial_cancellation_is_filtered_out_by_default) {
  rill::io_context ctx;
  rill::cancellation_signal signal;
  report r;
  rill::co_spawn(ctx, wait_long(r), rill::bind_cancellation_slot(signal.slot(), rill::detached));
  ctx.poll();
  signal.emit(rill::cancellation_type::partial);  // default filter: terminal only
  ctx.poll();
  EXPECT_EQ(r.waits_aborted, 0);
  EXPECT_FALSE(r.finished);
  signal.emit(rill::cancellation_type::terminal);
  ctx.run_for(5s);
  EXPECT_EQ(r.waits_aborted, 1);
  EXPECT_TRUE(r.finished);
}

TEST(this_coro, reset_cancellation_state_with_a_filter_accepts_partial_cancellation) {
  rill::io_context ctx;
  rill::cancellation_signal signal;
  int aborted = 0;
  bool done = false;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> {
        co_await rill::this_coro::reset_cancellation_state(rill::enable_partial_cancellation());
        rill::steady_timer timer(co_await rill::this_coro::executor, 1h);
        try {
          co_await timer.async_wait(rill::use_awaitable);
        } catch (const rill::system_error& e) {
          if (e.code() == rill::error::operation_aborted) ++aborted;
        }
        done = true;
      },
      rill::bind_cancellation_slot(signal.slot(), rill::detached));
  ctx.poll();
  signal.emit(rill::cancellation_type::partial);
  ctx.run_for(5s);
  EXPECT_EQ(aborted, 1);
  EXPECT_TRUE(done);
}

TEST(this_coro, throw_if_cancelled_false_lets_the_coroutine_go_on_awaiting) {
  rill::io_context ctx;
  rill::cancellation_signal signal;
  bool initially = false;
  int posts_after = 0;
  bool done = false;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> {
        initially = co_await rill::this_coro::throw_if_cancelled();
        co_await rill::this_coro::throw_if_cancelled(false);
        rill::steady_timer timer(co_await rill::this_coro::executor, 1h);
        try {
          co_await timer.async_wait(rill::use_awaitable);
        } catch (const rill::system_error&) {
        }
        co_await rill::post(rill::use_awaitable);  // allowed: not throwing
        ++posts_after;
        // Reset forgets the request: throwing again does not refuse awaits.
        co_await rill::this_coro::reset_cancellation_state();
        co_await rill::this_coro::throw_if_cancelled(true);
        co_await rill::post(rill::use_awaitable);
        ++posts_after;
        done = co_await rill::this_coro::throw_if_cancelled();
      },
      rill::bind_cancellation_slot(signal.slot(), rill::detached));
  ctx.poll();
  signal.emit(rill::cancellation_type::terminal);
  ctx.run_for(5s);
  EXPECT_TRUE(initially);
  EXPECT_EQ(posts_after, 2);
  EXPECT_TRUE(done);
}

TEST(this_coro, cancelling_a_nested_coroutines_operation_through_the_thread) {
  rill::io_context ctx;
  rill::cancellation_signal signal;
  report r;
  bool outer_done = false;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> {
        co_await wait_long(r);  // the inner frame shares the thread's state
        outer_done = true;
      },
      rill::bind_cancellation_slot(signal.slot(), rill::detached));
  ctx.poll();
  signal.emit(rill::cancellation_type::terminal);
  ctx.run_for(5s);
  EXPECT_EQ(r.waits_aborted, 1);
  EXPECT_TRUE(r.finished);
  EXPECT_TRUE(outer_done);
}

TEST(this_coro, cancelled_coroutine_returns_its_memory_before_the_handler_runs) {
  rill::io_context ctx;
  rill_test::allocation_log log;
  rill::cancellation_signal signal;
  report r;
  int live_in_handler = 99;
  rill::co_spawn(ctx, wait_long(r),
                 rill::bind_cancellation_slot(
                     signal.slot(), rill::bind_allocator(rill_test::counting_allocator<char>(log),
                                                         [&](std::exception_ptr) {
                                                           live_in_handler = log.live();
                                                         })));
  ctx.poll();
  EXPECT_GT(log.live(), 0);
  signal.emit(rill::cancellation_type::terminal);
  ctx.run_for(5s);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
  EXPECT_GT(log.allocations.load(), 0);
}

}  // namespace
