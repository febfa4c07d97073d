// any_completion_handler: empty/move/swap semantics, invocation (once, per
// signature), and that the erased handler keeps the target's associations:
// its storage and its operation's memory come from the target's allocator
// and are freed before the target runs; its executor and cancellation slot
// reach the operation.
#include <rill/any_completion_handler.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/bind_executor.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/deferred.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/steady_timer.hpp>

#include "support/counting_allocator.hpp"
#include "support/heap_counter.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using handler_t = rill::any_completion_handler<void(std::error_code)>;

// An operation implemented behind a non-template interface, the reason
// any_completion_handler exists.
void start_wait(rill::steady_timer& timer, handler_t handler) {
  timer.async_wait(std::move(handler));
}

// Counts its destructions and calls (moved-from copies do not count).
struct tracked {
  int* calls;
  int* destroyed;
  bool live = true;
  tracked(int* c, int* d) : calls(c), destroyed(d) {}
  tracked(tracked&& other) noexcept
      : calls(other.calls), destroyed(other.destroyed), live(std::exchange(other.live, false)) {}
  ~tracked() {
    if (live) ++*destroyed;
  }
  void operator()(std::error_code) { ++*calls; }
};

TEST(any_completion_handler, empty_states) {
  handler_t a;
  EXPECT_FALSE(a);
  EXPECT_TRUE(!a);
  EXPECT_TRUE(a == nullptr);
  EXPECT_TRUE(nullptr == a);
  handler_t b(nullptr);
  EXPECT_FALSE(b);
  handler_t c = [](std::error_code) {};
  EXPECT_TRUE(c);
  EXPECT_FALSE(!c);
  EXPECT_TRUE(c != nullptr);
  EXPECT_THROW(a(std::error_code()), std::bad_function_call);
  // An empty handler's slot is unconnected; its allocator allocates nothing.
  EXPECT_FALSE(a.get_cancellation_slot().is_connected());
  rill::any_completion_handler_allocator<int, void(std::error_code)> alloc(a.get_allocator());
  EXPECT_THROW((void)alloc.allocate(1), std::bad_alloc);

  static_assert(!std::is_copy_constructible_v<handler_t>);
  static_assert(std::is_nothrow_move_constructible_v<handler_t>);
  static_assert(std::is_nothrow_move_assignable_v<handler_t>);
  static_assert(!std::is_convertible_v<handler_t, bool>);
  // Only handlers for the signatures are accepted.
  static_assert(std::is_constructible_v<handler_t, void (*)(std::error_code)>);
  static_assert(!std::is_constructible_v<handler_t, void (*)(std::string)>);
  static_assert(!std::is_constructible_v<handler_t, int>);
}

TEST(any_completion_handler, invoked_once_then_empty) {
  int calls = 0;
  int destroyed = 0;
  {
    handler_t h = tracked(&calls, &destroyed);
    h(std::error_code());
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(destroyed, 1);
    EXPECT_FALSE(h);
    EXPECT_THROW(h(std::error_code()), std::bad_function_call);
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(destroyed, 1);
}

TEST(any_completion_handler, move_swap_and_reset) {
  int calls = 0;
  int destroyed = 0;
  handler_t a = tracked(&calls, &destroyed);
  handler_t b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty, as in Asio
  EXPECT_TRUE(b);

  handler_t c;
  c.swap(b);
  EXPECT_FALSE(b);
  EXPECT_TRUE(c);
  swap(b, c);
  EXPECT_TRUE(b);
  EXPECT_FALSE(c);

  // Assigning over a target destroys it without invoking it.
  int other_calls = 0;
  int other_destroyed = 0;
  b = handler_t(tracked(&other_calls, &other_destroyed));
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(calls, 0);
  b = nullptr;
  EXPECT_EQ(other_destroyed, 1);
  EXPECT_EQ(other_calls, 0);
  EXPECT_FALSE(b);
}

TEST(any_completion_handler, several_signatures_and_move_only_values) {
  int number = 0;
  std::string text;
  auto owned = std::make_unique<int>(5);
  struct target {
    int* number;
    std::string* text;
    std::unique_ptr<int> owned;
    void operator()(int v) { *number = v + *owned; }
    void operator()(std::string s, std::unique_ptr<int> p) { *text = s + std::to_string(*p); }
  };
  using two_t = rill::any_completion_handler<void(int), void(std::string, std::unique_ptr<int>)>;
  two_t a = target{&number, &text, std::make_unique<int>(5)};
  a(37);
  EXPECT_EQ(number, 42);
  two_t b = target{&number, &text, std::move(owned)};
  b(std::string("x"), std::make_unique<int>(7));
  EXPECT_EQ(text, "x7");
}

TEST(any_completion_handler, storage_comes_from_the_handlers_allocator) {
  allocation_log log;
  int live_inside = -1;
  {
    handler_t h = rill::bind_allocator(counting_allocator<char>(log),
                                       [&](std::error_code) { live_inside = log.live(); });
    EXPECT_EQ(log.allocations.load(), 1);
    EXPECT_EQ(log.live(), 1);
    handler_t moved(std::move(h));  // moving the erased handler allocates nothing
    EXPECT_EQ(log.allocations.load(), 1);
    moved(std::error_code());
  }
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(any_completion_handler, destroying_an_uninvoked_handler_frees) {
  allocation_log log;
  bool invoked = false;
  {
    handler_t h = rill::bind_allocator(counting_allocator<char>(log),
                                       [&](std::error_code) { invoked = true; });
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_FALSE(invoked);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(any_completion_handler, a_throwing_allocator_makes_wrapping_throw) {
  allocation_log log;
  int calls = 0;
  int destroyed = 0;
  auto bound = rill::bind_allocator(counting_allocator<char>(log, /*throws=*/true),
                                    tracked(&calls, &destroyed));
  EXPECT_THROW(handler_t h(std::move(bound)), std::bad_alloc);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(calls, 0);
}

TEST(any_completion_handler, allocator_forwards_to_the_handlers_allocator) {
  allocation_log log;
  handler_t h = rill::bind_allocator(counting_allocator<char>(log), [](std::error_code) {});
  static_assert(
      std::is_same_v<rill::associated_allocator_t<handler_t>,
                     rill::any_completion_handler_allocator<void, void(std::error_code)>>);
  auto erased = rill::get_associated_allocator(h);
  EXPECT_TRUE(erased == h.get_allocator());
  EXPECT_FALSE(erased == handler_t().get_allocator());

  using traits = std::allocator_traits<decltype(erased)>;
  typename traits::rebind_alloc<std::uint64_t> words(erased);
  std::uint64_t* p = words.allocate(3);
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_GE(log.last_size.load(), 3 * sizeof(std::uint64_t));
  words.deallocate(p, 3);
  EXPECT_EQ(log.live(), 1);

  // Over-aligned requests are honoured.
  struct alignas(256) page {
    unsigned char bytes[256];
  };
  typename traits::rebind_alloc<page> pages(erased);
  page* q = pages.allocate(2);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(q) % 256, 0u);
  EXPECT_GE(log.last_size.load(), 2 * sizeof(page));
  pages.deallocate(q, 2);
  EXPECT_EQ(log.live(), 1);
  EXPECT_TRUE(pages == words);
}

TEST(any_completion_handler, timer_wait_allocates_through_the_original_handler) {
  allocation_log log;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);
  int runs = 0;
  int live_inside = -1;
  std::error_code result = rill::error::would_block;

  start_wait(timer, rill::bind_allocator(counting_allocator<char>(log), [&](std::error_code ec) {
               ++runs;
               live_inside = log.live();
               result = ec;
             }));
  // The erased handler's storage and the wait operation: both from log.
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_EQ(log.live(), 2);

  ctx.run();
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(result);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_EQ(log.live(), 0);
}

// Starts the next wait from inside the handler, with its own allocator.
struct restarter {
  using allocator_type = counting_allocator<char>;
  rill::steady_timer* timer;
  allocation_log* log;
  int* runs;
  int* live_inside;
  [[nodiscard]] allocator_type get_allocator() const noexcept { return allocator_type(*log); }
  void operator()(std::error_code) {
    *live_inside = std::max(*live_inside, log->live());
    if (++*runs < 3) {
      timer->expires_after(1ms);
      start_wait(*timer, *this);
    }
  }
};

TEST(any_completion_handler, a_handler_can_restart_in_the_freed_memory) {
  allocation_log log;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  int runs = 0;
  int live_inside = -1;
  timer.expires_after(1ms);
  start_wait(timer, restarter{&timer, &log, &runs, &live_inside});
  ctx.run();
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 6);
  EXPECT_EQ(log.live(), 0);
}

TEST(any_completion_handler, destroying_the_context_frees_a_pending_wait) {
  allocation_log log;
  bool invoked = false;
  {
    rill::io_context ctx;
    rill::steady_timer timer(ctx);
    timer.expires_after(1h);
    start_wait(timer, rill::bind_allocator(counting_allocator<char>(log),
                                           [&](std::error_code) { invoked = true; }));
    EXPECT_EQ(log.live(), 2);
  }
  EXPECT_FALSE(invoked);
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_EQ(log.live(), 0);
}

TEST(any_completion_handler, default_allocator_is_heap_free_in_steady_state) {
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  int runs = 0;
  auto one_wait = [&] {
    timer.expires_at(rill::steady_timer::clock_type::now());
    start_wait(timer, [&](std::error_code) { ++runs; });
    ctx.restart();
    ctx.run();
  };
  one_wait();  // warms the recycling cache
  rill_test::heap_scope heap;
  one_wait();
  one_wait();
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(runs, 3);
}

TEST(any_completion_handler, executor_is_the_targets) {
  rill::io_context ctx;
  rill::io_context other;
  static_assert(std::is_same_v<rill::associated_executor_t<handler_t>, rill::any_io_executor>);

  // A target with no executor of its own yields the candidate.
  handler_t plain = [](std::error_code) {};
  EXPECT_TRUE(rill::get_associated_executor(plain, ctx.get_executor()) ==
              rill::any_io_executor(ctx.get_executor()));

  // A bound target yields its own, whatever the candidate.
  handler_t bound = rill::bind_executor(other, [](std::error_code) {});
  EXPECT_TRUE(rill::get_associated_executor(bound, ctx.get_executor()) ==
              rill::any_io_executor(other.get_executor()));

  // So a wait on ctx delivers the bound handler in other.
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);
  int runs = 0;
  start_wait(timer, rill::bind_executor(other, [&](std::error_code ec) {
               EXPECT_FALSE(ec);
               EXPECT_TRUE(other.get_executor().running_in_this_thread());
               ++runs;
             }));
  ctx.run();
  EXPECT_EQ(runs, 0);
  other.run();
  EXPECT_EQ(runs, 1);
}

TEST(any_completion_handler, cancellation_slot_is_the_targets) {
  rill::io_context ctx;
  rill::cancellation_signal signal;
  handler_t h = rill::bind_cancellation_slot(signal.slot(), [](std::error_code) {});
  EXPECT_TRUE(h.get_cancellation_slot() == signal.slot());
  EXPECT_TRUE(rill::get_associated_cancellation_slot(h) == signal.slot());
  handler_t plain = [](std::error_code) {};
  EXPECT_FALSE(plain.get_cancellation_slot().is_connected());

  // A wait started with the erased handler is cancelled through the slot.
  rill::steady_timer timer(ctx);
  timer.expires_after(1h);
  std::error_code result;
  int runs = 0;
  start_wait(timer, rill::bind_cancellation_slot(signal.slot(), [&](std::error_code ec) {
               result = ec;
               ++runs;
             }));
  EXPECT_EQ(ctx.poll(), 0u);
  signal.emit(rill::cancellation_type::terminal);
  ctx.restart();
  ctx.run();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(result, rill::error::operation_aborted);
}

TEST(any_completion_handler, launches_a_deferred_operation) {
  allocation_log log;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);
  int live_inside = -1;
  auto op = timer.async_wait(rill::deferred);
  std::move(op)(handler_t(rill::bind_allocator(
      counting_allocator<char>(log), [&](std::error_code) { live_inside = log.live(); })));
  ctx.run();
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
