// signal_set: signals raised in-process (SIGUSR1, SIGUSR2) reach the waits of
// every set holding them, are queued while no wait is pending, can be
// cancelled and removed; the handler's disposition follows the sets; and the
// allocation contract for waits.
#include <rill/signal_set.hpp>

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <new>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <rill/basic_signal_set.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/bind_executor.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/error.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/io_context.hpp>

#include "support/counting_allocator.hpp"
#include "support/handler_memory.hpp"
#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"

namespace {

using rill_test::allocation_log;
using rill_test::counting_allocator;
using rill_test::drained;

// What the waits of one test saw, in order.
struct signal_log {
  std::vector<std::error_code> ecs;
  std::vector<int> numbers;
  [[nodiscard]] int runs() const noexcept { return static_cast<int>(ecs.size()); }
};

auto recorder(signal_log& log) {
  return [&log](const std::error_code& ec, int signal_number) {
    log.ecs.push_back(ec);
    log.numbers.push_back(signal_number);
  };
}

// The disposition of a signal: true while rill's handler is installed.
bool handler_installed(int signal_number) {
  struct sigaction sa {};
  ::sigaction(signal_number, nullptr, &sa);
  return sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN;
}

// Runs one handler (bounded), restarting a context that ran out of work.
std::size_t step(rill::io_context& ioc) {
  ioc.restart();
  return ioc.run_one_for(rill_test::io_bound);
}

std::size_t poll(rill::io_context& ioc) {
  ioc.restart();
  return ioc.poll();
}

// Lets the reactor read the signal pipe while no wait is pending (a context
// with no work would not run it), without running any handler.
std::size_t poll_reactor(rill::io_context& ioc) {
  std::size_t n = 0;
  {
    auto guard = rill::make_work_guard(ioc);
    n = poll(ioc);
  }
  ioc.restart();
  return n;
}

TEST(signal_set, add_remove_clear_follow_the_disposition) {
  rill::io_context ioc;
  EXPECT_FALSE(handler_installed(SIGUSR1));
  {
    rill::signal_set a(ioc, SIGUSR1);
    EXPECT_TRUE(handler_installed(SIGUSR1));
    a.add(SIGUSR1);  // already there: nothing changes
    rill::signal_set b(ioc.get_executor(), SIGUSR1, SIGUSR2);
    EXPECT_TRUE(handler_installed(SIGUSR2));

    // A removed signal keeps its handler while another set holds it.
    a.remove(SIGUSR1);
    EXPECT_TRUE(handler_installed(SIGUSR1));
    a.remove(SIGUSR1);  // not there: nothing changes
    b.remove(SIGUSR1);
    EXPECT_FALSE(handler_installed(SIGUSR1));
    b.clear();
    EXPECT_FALSE(handler_installed(SIGUSR2));

    // Destruction removes what is left.
    rill::signal_set c(ioc, SIGUSR1, SIGUSR2, SIGWINCH);
    EXPECT_TRUE(handler_installed(SIGWINCH));
  }
  EXPECT_FALSE(handler_installed(SIGUSR1));
  EXPECT_FALSE(handler_installed(SIGUSR2));
  EXPECT_FALSE(handler_installed(SIGWINCH));
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, add_reports_errors) {
  rill::io_context ioc;
  rill::signal_set set(ioc);
  std::error_code ec;
  set.add(-1, ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  set.add(NSIG, ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  set.remove(NSIG, ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  // The kernel refuses a handler for SIGKILL.
  EXPECT_EQ(set.add(SIGKILL, ec), rill::error::invalid_argument);
  EXPECT_EQ(rill_test::thrown_code([&] { set.add(SIGSTOP); }), rill::error::invalid_argument);
  EXPECT_EQ(rill_test::thrown_code([&] { rill::signal_set s(ioc, SIGUSR1, SIGKILL); }),
            rill::error::invalid_argument);
  EXPECT_FALSE(handler_installed(SIGUSR1));
  set.add(SIGUSR1, ec);
  EXPECT_FALSE(ec);
  set.clear(ec);
  EXPECT_FALSE(ec);
  set.cancel(ec);
  EXPECT_FALSE(ec);
}

TEST(signal_set, wait_completes_with_the_signal) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1, SIGUSR2);
  signal_log log;
  set.async_wait(recorder(log));
  // Pending: counts as work, nothing runs.
  EXPECT_EQ(poll(ioc), 0u);
  EXPECT_FALSE(ioc.stopped());

  ASSERT_EQ(::raise(SIGUSR2), 0);
  EXPECT_EQ(step(ioc), 1u);
  ASSERT_EQ(log.runs(), 1);
  EXPECT_FALSE(log.ecs[0]);
  EXPECT_EQ(log.numbers[0], SIGUSR2);

  // Every pending wait of the set gets the signal.
  set.async_wait(recorder(log));
  set.async_wait(recorder(log));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(step(ioc), 1u);
  EXPECT_EQ(step(ioc), 1u);
  ASSERT_EQ(log.runs(), 3);
  EXPECT_EQ(log.numbers[1], SIGUSR1);
  EXPECT_EQ(log.numbers[2], SIGUSR1);
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, signal_without_a_wait_is_queued_for_the_next_wait) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR2, SIGUSR1);
  ASSERT_EQ(::raise(SIGUSR2), 0);
  ASSERT_EQ(::raise(SIGUSR1), 0);
  ASSERT_EQ(::raise(SIGUSR2), 0);
  // The reactor reads the pipe; no wait is pending, so the set keeps them.
  EXPECT_EQ(poll_reactor(ioc), 0u);

  // One per wait, in ascending order of number, never inside async_wait.
  signal_log log;
  set.async_wait(recorder(log));
  EXPECT_EQ(log.runs(), 0);
  EXPECT_EQ(poll(ioc), 1u);
  set.async_wait(recorder(log));
  set.async_wait(recorder(log));
  set.async_wait(recorder(log));
  EXPECT_EQ(poll(ioc), 2u);
  ASSERT_EQ(log.runs(), 3);
  EXPECT_EQ(log.numbers, (std::vector<int>{SIGUSR1, SIGUSR2, SIGUSR2}));
  for (const auto& ec : log.ecs) EXPECT_FALSE(ec);

  // The fourth wait has nothing left to take.
  EXPECT_EQ(poll(ioc), 0u);
  set.cancel();
  EXPECT_EQ(poll(ioc), 1u);
  ASSERT_EQ(log.runs(), 4);
  EXPECT_EQ(log.ecs[3], rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, remove_discards_queued_signals) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1);
  rill::signal_set keeper(ioc, SIGUSR1);  // keeps the handler installed
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(poll_reactor(ioc), 0u);
  set.remove(SIGUSR1);
  set.add(SIGUSR1);
  signal_log log;
  set.async_wait(recorder(log));
  EXPECT_EQ(poll(ioc), 0u);
  EXPECT_EQ(log.runs(), 0);

  // keeper still has its copy.
  keeper.async_wait(recorder(log));
  EXPECT_EQ(poll(ioc), 1u);
  ASSERT_EQ(log.runs(), 1);
  EXPECT_EQ(log.numbers[0], SIGUSR1);

  set.cancel();
  EXPECT_EQ(poll(ioc), 1u);
  EXPECT_EQ(log.ecs.back(), rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, every_set_holding_the_signal_gets_it) {
  rill::io_context ioc;
  rill::signal_set a(ioc, SIGUSR1);
  rill::signal_set b(ioc, SIGUSR1, SIGUSR2);
  rill::signal_set other(ioc, SIGUSR2);
  signal_log la;
  signal_log lb;
  signal_log lo;
  a.async_wait(recorder(la));
  b.async_wait(recorder(lb));
  other.async_wait(recorder(lo));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_TRUE(rill_test::run_until(ioc, [&] { return la.runs() == 1 && lb.runs() == 1; }));
  EXPECT_EQ(la.numbers, std::vector<int>{SIGUSR1});
  EXPECT_EQ(lb.numbers, std::vector<int>{SIGUSR1});
  EXPECT_EQ(lo.runs(), 0);
  other.cancel();
  EXPECT_TRUE(rill_test::run_until(ioc, [&] { return lo.runs() == 1; }));
  EXPECT_EQ(lo.ecs[0], rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, sets_in_two_contexts_both_get_the_signal) {
  rill::io_context ioc1;
  rill::io_context ioc2;
  rill::signal_set a(ioc1, SIGUSR1);
  rill::signal_set b(ioc2, SIGUSR1);
  signal_log la;
  signal_log lb;
  a.async_wait(recorder(la));
  b.async_wait(recorder(lb));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  // Whichever reactor reads the pipe delivers to both contexts.
  EXPECT_EQ(step(ioc1), 1u);
  EXPECT_EQ(la.numbers, std::vector<int>{SIGUSR1});
  EXPECT_EQ(lb.runs(), 0);
  EXPECT_EQ(step(ioc2), 1u);
  EXPECT_EQ(lb.numbers, std::vector<int>{SIGUSR1});

  // And the other way round, with the signal queued in ioc1's set.
  b.async_wait(recorder(lb));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(step(ioc2), 1u);
  ASSERT_EQ(lb.runs(), 2);
  a.async_wait(recorder(la));
  EXPECT_EQ(step(ioc1), 1u);
  EXPECT_EQ(la.numbers, (std::vector<int>{SIGUSR1, SIGUSR1}));
  EXPECT_TRUE(drained(ioc1));
  EXPECT_TRUE(drained(ioc2));
}

TEST(signal_set, a_context_that_goes_away_stops_receiving) {
  rill::io_context ioc1;
  rill::signal_set a(ioc1, SIGUSR1);
  {
    rill::io_context ioc2;
    rill::signal_set b(ioc2, SIGUSR1);
  }
  signal_log la;
  a.async_wait(recorder(la));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(step(ioc1), 1u);
  EXPECT_EQ(la.numbers, std::vector<int>{SIGUSR1});
  EXPECT_TRUE(drained(ioc1));
}

TEST(signal_set, cancel_aborts_pending_waits_and_keeps_queued_signals) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1);
  signal_log log;
  set.async_wait(recorder(log));
  set.async_wait(recorder(log));
  set.cancel();
  EXPECT_EQ(log.runs(), 0);  // never inside cancel
  EXPECT_EQ(poll(ioc), 2u);
  ASSERT_EQ(log.runs(), 2);
  EXPECT_EQ(log.ecs[0], rill::error::operation_aborted);
  EXPECT_EQ(log.ecs[1], rill::error::operation_aborted);
  EXPECT_EQ(log.numbers[0], 0);

  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(poll_reactor(ioc), 0u);
  set.cancel();  // nothing pending; the queued signal stays
  set.async_wait(recorder(log));
  EXPECT_EQ(poll(ioc), 1u);
  ASSERT_EQ(log.runs(), 3);
  EXPECT_FALSE(log.ecs[2]);
  EXPECT_EQ(log.numbers[2], SIGUSR1);
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, a_cancellation_slot_cancels_exactly_its_wait) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1);
  rill::cancellation_signal sig;
  signal_log targeted;
  signal_log other;
  set.async_wait(recorder(other));
  set.async_wait(rill::bind_cancellation_slot(sig.slot(), recorder(targeted)));
  sig.emit(rill::cancellation_type::terminal);
  EXPECT_EQ(targeted.runs(), 0);  // never inside emit
  EXPECT_EQ(poll(ioc), 1u);
  ASSERT_EQ(targeted.runs(), 1);
  EXPECT_EQ(targeted.ecs[0], rill::error::operation_aborted);
  EXPECT_EQ(other.runs(), 0);

  // The other wait still gets the signal; a later emit finds nothing.
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(step(ioc), 1u);
  EXPECT_EQ(other.numbers, std::vector<int>{SIGUSR1});
  sig.emit(rill::cancellation_type::terminal);
  EXPECT_EQ(poll(ioc), 0u);

  // A wait that took a queued signal completed at once: emit does nothing.
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(poll_reactor(ioc), 0u);
  set.async_wait(rill::bind_cancellation_slot(sig.slot(), recorder(targeted)));
  sig.emit(rill::cancellation_type::total);
  EXPECT_EQ(poll(ioc), 1u);
  ASSERT_EQ(targeted.runs(), 2);
  EXPECT_FALSE(targeted.ecs[1]);
  EXPECT_EQ(targeted.numbers[1], SIGUSR1);
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, destroying_the_set_aborts_its_waits) {
  rill::io_context ioc;
  signal_log log;
  {
    rill::signal_set set(ioc, SIGUSR1);
    set.async_wait(recorder(log));
  }
  EXPECT_FALSE(handler_installed(SIGUSR1));
  EXPECT_EQ(poll(ioc), 1u);
  ASSERT_EQ(log.runs(), 1);
  EXPECT_EQ(log.ecs[0], rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

// A handler with a counting allocator that records what was live when it ran.
struct counted_wait {
  allocation_log log;
  int runs = 0;
  int live_inside = -1;
  std::error_code ec;
  int signal_number = 0;

  auto handler() {
    return rill::bind_allocator(counting_allocator<char>(log),
                                [this](const std::error_code& e, int n) {
                                  ++runs;
                                  ec = e;
                                  signal_number = n;
                                  live_inside = log.live();
                                });
  }
};

TEST(signal_set, wait_memory_comes_from_the_handler_allocator_and_is_freed_before_it_runs) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1);
  counted_wait w;
  set.async_wait(w.handler());
  EXPECT_EQ(w.log.allocations.load(), 1);
  EXPECT_EQ(w.log.live(), 1);
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(step(ioc), 1u);
  EXPECT_EQ(w.runs, 1);
  EXPECT_FALSE(w.ec);
  EXPECT_EQ(w.signal_number, SIGUSR1);
  EXPECT_EQ(w.live_inside, 0);
  EXPECT_EQ(w.log.allocations.load(), 1);
  EXPECT_EQ(w.log.live(), 0);

  // Also when the wait is cancelled, and when a queued signal completes it.
  counted_wait c;
  set.async_wait(c.handler());
  set.cancel();
  EXPECT_EQ(poll(ioc), 1u);
  EXPECT_EQ(c.ec, rill::error::operation_aborted);
  EXPECT_EQ(c.live_inside, 0);
  EXPECT_EQ(c.log.live(), 0);

  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(poll_reactor(ioc), 0u);
  counted_wait q;
  set.async_wait(q.handler());
  EXPECT_EQ(poll(ioc), 1u);
  EXPECT_EQ(q.signal_number, SIGUSR1);
  EXPECT_EQ(q.live_inside, 0);
  EXPECT_EQ(q.log.allocations.load(), 1);
  EXPECT_EQ(q.log.live(), 0);
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, an_allocator_that_throws_makes_async_wait_throw) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1);
  allocation_log log;
  int runs = 0;
  EXPECT_THROW(set.async_wait(rill::bind_allocator(counting_allocator<char>(log, true),
                                                   [&](std::error_code, int) { ++runs; })),
               std::bad_alloc);
  EXPECT_EQ(log.allocations.load(), 0);
  EXPECT_TRUE(drained(ioc));
  // The set is still usable.
  signal_log sl;
  set.async_wait(recorder(sl));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(step(ioc), 1u);
  EXPECT_EQ(sl.numbers, std::vector<int>{SIGUSR1});
  EXPECT_EQ(runs, 0);
}

TEST(signal_set, a_chain_of_waits_reuses_one_block) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1);
  rill_test::handler_memory<> memory;
  int runs = 0;
  struct waiter {
    rill::signal_set& set;
    rill_test::handler_memory<>& memory;
    int& runs;
    void start() {
      set.async_wait(rill::bind_allocator(rill_test::handler_allocator<char>(memory),
                                          [this](const std::error_code& ec, int) {
                                            EXPECT_FALSE(memory.in_use());
                                            if (ec) return;
                                            if (++runs < 3) start();
                                          }));
    }
  } w{set, memory, runs};
  w.start();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(::raise(SIGUSR1), 0);
    EXPECT_EQ(step(ioc), 1u);
  }
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(memory.allocations(), 3);
  EXPECT_FALSE(memory.in_use());
  EXPECT_TRUE(drained(ioc));
}

TEST(signal_set, steady_state_waits_do_not_touch_the_heap) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1);
  signal_log log;
  log.ecs.reserve(16);
  log.numbers.reserve(16);
  auto cycle = [&] {
    set.async_wait(recorder(log));
    ASSERT_EQ(::raise(SIGUSR1), 0);
    EXPECT_EQ(step(ioc), 1u);
  };
  cycle();  // warms the recycling cache
  rill_test::heap_scope heap;
  for (int i = 0; i < 4; ++i) cycle();
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(log.runs(), 5);
}

TEST(signal_set, context_destroyed_with_a_pending_wait_frees_without_invoking) {
  counted_wait w;
  {
    rill_test::shutdown_context ioc;
    rill::signal_set set(ioc, SIGUSR1);
    set.async_wait(w.handler());
    EXPECT_EQ(w.log.live(), 1);
    ioc.shutdown();
    EXPECT_EQ(w.runs, 0);
    EXPECT_EQ(w.log.live(), 0);
    // The set outlives the shutdown; its destruction finds nothing pending.
  }
  EXPECT_EQ(w.runs, 0);
  EXPECT_EQ(w.log.allocations.load(), 1);
  EXPECT_FALSE(handler_installed(SIGUSR1));

  // Destroyed after the set, with its aborted wait still queued.
  counted_wait v;
  {
    rill::io_context ioc;
    rill::signal_set set(ioc, SIGUSR1);
    set.async_wait(v.handler());
  }
  EXPECT_EQ(v.runs, 0);
  EXPECT_EQ(v.log.allocations.load(), 1);
  EXPECT_EQ(v.log.live(), 0);

  // A wait on a set holding no signal is found too.
  counted_wait e;
  {
    rill_test::shutdown_context ioc;
    rill::signal_set set(ioc);
    set.async_wait(e.handler());
    ioc.shutdown();
    EXPECT_EQ(e.log.live(), 0);
  }
  EXPECT_EQ(e.runs, 0);
}

TEST(signal_set, handler_bound_to_another_executor_runs_there) {
  rill::io_context ioc;
  rill::io_context other;
  rill::signal_set set(ioc, SIGUSR1);
  signal_log log;
  set.async_wait(rill::bind_executor(other, recorder(log)));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(step(ioc), 1u);
  EXPECT_EQ(log.runs(), 0);
  EXPECT_EQ(step(other), 1u);
  EXPECT_EQ(log.numbers, std::vector<int>{SIGUSR1});
  EXPECT_TRUE(drained(ioc));
  EXPECT_TRUE(drained(other));
}

TEST(signal_set, every_signal_is_delivered_to_a_context_run_by_two_threads) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1, SIGUSR2);
  constexpr int total = 200;
  std::atomic<int> runs{0};
  std::atomic<int> errors{0};
  struct rearm {
    rill::signal_set& set;
    std::atomic<int>& runs;
    std::atomic<int>& errors;
    void operator()(const std::error_code& ec, int) const {
      if (ec) errors.fetch_add(1);
      // Signals raised while no wait was pending were counted, not lost.
      if (runs.fetch_add(1) + 1 < total) set.async_wait(*this);
    }
  };
  set.async_wait(rearm{set, runs, errors});
  rill_test::watchdog dog(ioc);
  std::thread t1([&] { ioc.run(); });
  std::thread t2([&] { ioc.run(); });
  for (int i = 0; i < total; ++i) ASSERT_EQ(::raise(i % 2 == 0 ? SIGUSR1 : SIGUSR2), 0);
  t1.join();  // run() returns once the last wait completed without a new one
  t2.join();
  EXPECT_FALSE(dog.dismiss());
  EXPECT_EQ(runs.load(), total);
  EXPECT_EQ(errors.load(), 0);
}

TEST(signal_set, a_forked_child_gets_its_own_pipe) {
  rill::io_context ioc;
  rill::signal_set set(ioc, SIGUSR1);
  ioc.notify_fork(rill::io_context::fork_prepare);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ioc.notify_fork(rill::io_context::fork_child);
    int got = 0;
    set.async_wait([&](const std::error_code& ec, int n) { got = ec ? -1 : n; });
    ::raise(SIGUSR1);
    ioc.run_one_for(std::chrono::seconds(10));
    ::_exit(got == SIGUSR1 ? 0 : 1);
  }
  ioc.notify_fork(rill::io_context::fork_parent);
  // Bounded: a child stuck for any reason is killed and the test fails.
  ASSERT_EQ(rill_test::wait_for_child(pid), 0);

  // The parent's set still works, and saw nothing of the child's signal.
  EXPECT_EQ(poll_reactor(ioc), 0u);
  signal_log log;
  set.async_wait(recorder(log));
  EXPECT_EQ(poll(ioc), 0u);
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(step(ioc), 1u);
  EXPECT_EQ(log.numbers, std::vector<int>{SIGUSR1});
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
