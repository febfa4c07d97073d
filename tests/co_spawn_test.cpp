// Tests for rill/co_spawn.hpp: launching coroutine threads, results,
// exceptions, where frames come from, and destruction with frames pending.
#include <rill/co_spawn.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/detached.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/use_awaitable.hpp>

#include "support/counting_allocator.hpp"
#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"

namespace {

using rill_test::allocation_log;
using rill_test::counting_allocator;

rill::awaitable<int> add_after_post(int a, int b) {
  co_await rill::post(rill::use_awaitable);
  co_return a + b;
}

rill::awaitable<void> throw_after_post() {
  co_await rill::post(rill::use_awaitable);
  throw std::runtime_error("boom");
}

rill::awaitable<int> sum_of_adds(int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await add_after_post(i, 1);
  co_return sum;
}

TEST(co_spawn, delivers_the_value_to_the_handler) {
  rill::io_context ctx;
  int result = -1;
  std::exception_ptr error;
  int calls = 0;
  rill::co_spawn(ctx, sum_of_adds(10), [&](std::exception_ptr e, int v) {
    ++calls;
    error = e;
    result = v;
  });
  EXPECT_EQ(calls, 0);  // not started outside the context's thread
  ctx.run();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(error);
  EXPECT_EQ(result, 55);
  EXPECT_TRUE(rill_test::drained(ctx));
}

TEST(co_spawn, exceptions_reach_the_handler_with_a_default_value) {
  rill::io_context ctx;
  std::exception_ptr error;
  int value = -1;
  rill::co_spawn(
      ctx,
      []() -> rill::awaitable<int> {
        co_await throw_after_post();
        co_return 7;
      },
      [&](std::exception_ptr e, int v) {
        error = e;
        value = v;
      });
  ctx.run();
  ASSERT_TRUE(error);
  EXPECT_EQ(value, 0);
  try {
    std::rethrow_exception(error);
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "boom");
  }
}

TEST(co_spawn, an_exception_caught_inside_does_not_escape) {
  rill::io_context ctx;
  std::string seen;
  bool failed = true;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> {
        try {
          co_await throw_after_post();
        } catch (const std::exception& e) {
          seen = e.what();
        }
      },
      [&](std::exception_ptr e) { failed = static_cast<bool>(e); });
  ctx.run();
  EXPECT_EQ(seen, "boom");
  EXPECT_FALSE(failed);
}

TEST(co_spawn, function_object_captures_live_until_the_thread_ends) {
  rill::io_context ctx;
  auto text = std::make_shared<std::string>("kept alive");
  std::string seen;
  rill::co_spawn(
      ctx,
      [text, &seen]() -> rill::awaitable<void> {
        co_await rill::post(rill::use_awaitable);
        co_await rill::post(rill::use_awaitable);
        seen = *text;
      },
      [](std::exception_ptr) {});
  text.reset();
  ctx.run();
  EXPECT_EQ(seen, "kept alive");
}

TEST(co_spawn, starts_inline_on_the_executors_thread_and_posts_an_unsuspended_completion) {
  rill::io_context ctx;
  std::vector<std::string> events;
  rill::post(ctx, [&] {
    rill::co_spawn(
        ctx,
        [&]() -> rill::awaitable<int> {
          events.emplace_back("body");
          co_return 1;
        },
        [&](std::exception_ptr, int) { events.emplace_back("handler"); });
    events.emplace_back("after co_spawn");
  });
  ctx.run();
  // Asio: the thread is dispatched (runs at once here), and a thread that
  // never suspended has its handler posted, not called inside co_spawn.
  EXPECT_EQ(events, (std::vector<std::string>{"body", "after co_spawn", "handler"}));
}

TEST(co_spawn, handler_runs_on_its_associated_executor) {
  rill::io_context ctx;
  rill::io_context other;
  bool ran = false;
  rill::co_spawn(ctx, add_after_post(1, 2),
                 rill::bind_executor(other, [&](std::exception_ptr, int v) {
                   EXPECT_EQ(v, 3);
                   ran = true;
                 }));
  ctx.run();
  EXPECT_FALSE(ran);
  EXPECT_EQ(other.run(), 1U);
  EXPECT_TRUE(ran);
}

TEST(co_spawn, frames_and_awaited_operations_come_from_the_handlers_allocator) {
  rill::io_context ctx;
  allocation_log log;
  int live_in_handler = -1;
  int result = 0;
  rill::co_spawn(
      ctx,
      []() -> rill::awaitable<int> {
        rill::steady_timer timer(co_await rill::this_coro::executor, std::chrono::milliseconds(1));
        co_await timer.async_wait(rill::use_awaitable);
        co_return co_await sum_of_adds(20);
      },
      rill::bind_allocator(counting_allocator<char>(log), [&](std::exception_ptr e, int v) {
        EXPECT_FALSE(e);
        result = v;
        live_in_handler = log.live();
      }));
  ASSERT_TRUE(rill_test::run_until(ctx, [&] { return result != 0; }));
  EXPECT_EQ(result, 210);
  // The thread state, its start (posted from outside the context), the
  // outer lambda frame, the sum frame and 20 add frames, 20 posts and one
  // timer wait (each an operation state plus the I/O operation): all
  // through the handler's allocator, all returned before it ran.
  EXPECT_EQ(log.allocations.load(), 1 + 1 + 1 + 1 + 20 + 2 * 20 + 2);
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(co_spawn, destroying_the_context_destroys_suspended_frames_without_calling_the_handler) {
  allocation_log log;
  bool called = false;
  auto flag = std::make_shared<int>(0);
  {
    rill::io_context ctx;
    rill::co_spawn(
        ctx,
        [flag]() -> rill::awaitable<void> {
          rill::steady_timer timer(co_await rill::this_coro::executor, std::chrono::hours(1));
          co_await timer.async_wait(rill::use_awaitable);
        },
        rill::bind_allocator(counting_allocator<char>(log),
                             [&](std::exception_ptr) { called = true; }));
    ctx.run_one();  // starts the thread; it now waits for the timer
    EXPECT_GT(log.live(), 0);
    EXPECT_EQ(flag.use_count(), 2);
  }
  EXPECT_FALSE(called);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(flag.use_count(), 1);
}

TEST(co_spawn, destroying_the_context_before_start_destroys_the_thread) {
  allocation_log log;
  bool called = false;
  {
    rill::io_context ctx;
    rill::co_spawn(ctx, sum_of_adds(3),
                   rill::bind_allocator(counting_allocator<char>(log),
                                        [&](std::exception_ptr, int) { called = true; }));
    EXPECT_GT(log.live(), 0);
  }
  EXPECT_FALSE(called);
  EXPECT_EQ(log.live(), 0);
}

TEST(co_spawn, thousands_of_coroutines_are_allocation_free_once_warm) {
  rill::io_context ctx;
  constexpr int coroutines = 2000;
  int done = 0;
  auto round = [&] {
    for (int i = 0; i < coroutines; ++i) {
      rill::co_spawn(ctx, sum_of_adds(4), [&](std::exception_ptr e, int v) {
        EXPECT_FALSE(e);
        EXPECT_EQ(v, 10);
        ++done;
      });
    }
    ctx.restart();
    ctx.run();
  };
  round();  // warm the per-thread cache
  rill_test::heap_scope heap;
  round();
  EXPECT_EQ(done, 2 * coroutines);
  EXPECT_EQ(heap.count(), 0U);
}

TEST(co_spawn, bind_allocator_around_detached_takes_every_frame_from_the_allocator) {
  rill::io_context ctx;
  allocation_log log;
  int result = 0;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> {
        result = co_await sum_of_adds(5);
        EXPECT_GT(log.live(), 0);  // this frame and the thread state
      },
      rill::bind_allocator(counting_allocator<char>(log), rill::detached));
  const int before = log.allocations.load();
  rill_test::heap_scope heap;
  ctx.run();
  EXPECT_EQ(result, 15);
  EXPECT_GT(log.allocations.load(), before);
  EXPECT_EQ(log.live(), 0);
  // The counting allocator takes its blocks from the global heap; nothing
  // else did: every heap allocation of the run is one of the allocator's.
  EXPECT_EQ(heap.count(), static_cast<std::uint64_t>(log.allocations.load() - before));
}

TEST(co_spawn, coroutines_on_a_context_run_by_two_threads) {
  rill::io_context ctx;
  constexpr int coroutines = 64;
  std::atomic<int> done{0};
  std::atomic<int> sum{0};
  for (int i = 0; i < coroutines; ++i) {
    rill::co_spawn(
        ctx,
        [&]() -> rill::awaitable<void> {
          rill::steady_timer timer(co_await rill::this_coro::executor);
          for (int j = 0; j < 20; ++j) {
            timer.expires_after(std::chrono::microseconds(10));
            co_await timer.async_wait(rill::use_awaitable);
            sum += co_await add_after_post(j, 0);
          }
        },
        [&](std::exception_ptr e) {
          EXPECT_FALSE(e);
          ++done;
        });
  }
  rill_test::watchdog guard(ctx);
  std::thread other([&] { ctx.run(); });
  ctx.run();
  other.join();
  EXPECT_FALSE(guard.dismiss());
  EXPECT_EQ(done.load(), coroutines);
  EXPECT_EQ(sum.load(), coroutines * 190);
}

}  // namespace
