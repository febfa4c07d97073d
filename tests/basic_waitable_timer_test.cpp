// basic_waitable_timer: expiry, waits that succeed at expiry or abort on
// cancel / re-arm / destruction, ordering of many timers, the three clocks,
// moving a timer with pending waits, and the allocation contract for waits.
#include <rill/basic_waitable_timer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <system_error>
#include <utility>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/error.hpp>
#include <rill/high_resolution_timer.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/system_timer.hpp>

#include "support/counting_allocator.hpp"
#include "support/handler_memory.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using rill_test::drained;
using rill_test::io_bound;
using clock_type = std::chrono::steady_clock;

// Records each completion of a wait.
struct wait_record {
  int runs = 0;
  std::error_code ec;
  clock_type::time_point when{};
};

auto recorder(wait_record& r) {
  return [&r](const std::error_code& ec) {
    ++r.runs;
    r.ec = ec;
    r.when = clock_type::now();
  };
}

TEST(basic_waitable_timer, expiry_accessors_and_constructors) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  EXPECT_EQ(t.expiry(), rill::steady_timer::time_point());

  const auto before = clock_type::now();
  EXPECT_EQ(t.expires_after(50ms), 0u);
  const auto after = clock_type::now();
  EXPECT_GE(t.expiry(), before + 50ms);
  EXPECT_LE(t.expiry(), after + 50ms);

  const auto at = clock_type::now() + 1h;
  EXPECT_EQ(t.expires_at(at), 0u);
  EXPECT_EQ(t.expiry(), at);

  rill::steady_timer from_time_point(ioc, at);
  EXPECT_EQ(from_time_point.expiry(), at);
  rill::steady_timer from_duration(ioc.get_executor(), 1h);
  EXPECT_GE(from_duration.expiry(), before + 1h);

  // expires_after saturates instead of overflowing, as Asio does.
  t.expires_after(rill::steady_timer::duration::max());
  EXPECT_EQ(t.expiry(), rill::steady_timer::time_point::max());
  EXPECT_TRUE(t.get_executor() == ioc.get_executor());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, async_wait_completes_at_expiry_never_inside_the_call) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 20ms);
  wait_record r;
  t.async_wait(recorder(r));
  EXPECT_EQ(r.runs, 0);
  EXPECT_EQ(ioc.poll(), 0u);  // not expired yet
  EXPECT_FALSE(ioc.stopped());
  EXPECT_EQ(ioc.run_one_for(io_bound), 1u);
  EXPECT_EQ(r.runs, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_GE(r.when, t.expiry());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, expired_timer_completes_on_the_next_turn) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, clock_type::now() - 1s);
  wait_record r;
  t.async_wait(recorder(r));
  EXPECT_EQ(r.runs, 0);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(r.runs, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, cancel_returns_the_count_and_aborts_every_wait) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 1h);
  wait_record r[3];
  for (auto& x : r) t.async_wait(recorder(x));
  EXPECT_EQ(t.cancel(), 3u);
  EXPECT_EQ(t.cancel(), 0u);
  for (auto& x : r) EXPECT_EQ(x.runs, 0);  // delivered through the queue only
  EXPECT_EQ(ioc.poll(), 3u);
  for (auto& x : r) {
    EXPECT_EQ(x.runs, 1);
    EXPECT_EQ(x.ec, rill::error::operation_aborted);
  }
  // The timer is usable again.
  wait_record again;
  ioc.restart();  // the last handler ran: the context stopped, as Asio's does
  t.expires_after(1ms);
  t.async_wait(recorder(again));
  EXPECT_EQ(ioc.run_one_for(io_bound), 1u);
  EXPECT_EQ(again.runs, 1);
  EXPECT_FALSE(again.ec);
  EXPECT_EQ(t.cancel(), 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, cancel_one_aborts_the_oldest_wait_only) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 1h);
  EXPECT_EQ(t.cancel_one(), 0u);
  std::vector<int> order;
  std::vector<std::error_code> codes(3);
  for (int i = 0; i < 3; ++i) {
    t.async_wait([&, i](const std::error_code& ec) {
      order.push_back(i);
      codes[static_cast<std::size_t>(i)] = ec;
    });
  }
  EXPECT_EQ(t.cancel_one(), 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  ASSERT_EQ(order, (std::vector<int>{0}));
  EXPECT_EQ(codes[0], rill::error::operation_aborted);
  EXPECT_EQ(t.cancel_one(), 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  ASSERT_EQ(order, (std::vector<int>{0, 1}));
  EXPECT_EQ(codes[1], rill::error::operation_aborted);

  // The third still waits; re-arming cancels it.
  EXPECT_EQ(t.expires_after(1ms), 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  ASSERT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(codes[2], rill::error::operation_aborted);
  EXPECT_EQ(t.cancel_one(), 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, rearming_cancels_pending_waits_and_returns_the_count) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 1h);
  wait_record old1, old2, fresh;
  t.async_wait(recorder(old1));
  t.async_wait(recorder(old2));
  EXPECT_EQ(t.expires_at(clock_type::now() + 5ms), 2u);
  t.async_wait(recorder(fresh));
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_EQ(old1.ec, rill::error::operation_aborted);
  EXPECT_EQ(old2.ec, rill::error::operation_aborted);
  EXPECT_EQ(fresh.runs, 0);
  EXPECT_EQ(ioc.run_one_for(io_bound), 1u);
  EXPECT_EQ(fresh.runs, 1);
  EXPECT_FALSE(fresh.ec);

  // expires_after does the same.
  wait_record a;
  ioc.restart();
  t.expires_after(1h);
  t.async_wait(recorder(a));
  EXPECT_EQ(t.expires_after(1h), 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(a.ec, rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, destroying_a_timer_aborts_its_waits) {
  rill::io_context ioc;
  std::optional<rill::steady_timer> t(std::in_place, ioc, 1h);
  wait_record r1, r2;
  t->async_wait(recorder(r1));
  t->async_wait(recorder(r2));
  t.reset();
  EXPECT_EQ(r1.runs, 0);
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_EQ(r1.ec, rill::error::operation_aborted);
  EXPECT_EQ(r2.ec, rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, several_waits_on_one_timer_complete_in_order) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 10ms);
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) {
    t.async_wait([&order, i](const std::error_code& ec) {
      EXPECT_FALSE(ec);
      order.push_back(i);
    });
  }
  EXPECT_EQ(ioc.run_for(io_bound), 5u);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(drained(ioc));
}

// Thousands of timers with random expiries in a 50 ms window, some re-armed
// and some cancelled on the way: the successful waits fire in expiry order,
// never before their expiry, and every wait completes exactly once.
TEST(basic_waitable_timer, thousands_of_timers_fire_in_expiry_order) {
  constexpr std::size_t count = 5000;
  rill::io_context ioc;
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> offset_us(0, 50'000);
  const auto base = clock_type::now() + 10ms;

  struct fired {
    clock_type::time_point expiry;
    clock_type::time_point when;
  };
  std::vector<fired> fires;
  fires.reserve(count);
  int aborted = 0;
  int completions = 0;
  std::vector<std::unique_ptr<rill::steady_timer>> timers;
  timers.reserve(count);

  auto start_wait = [&](rill::steady_timer& t) {
    const auto expiry = t.expiry();
    t.async_wait([&, expiry](const std::error_code& ec) {
      ++completions;
      if (ec == rill::error::operation_aborted) {
        ++aborted;
        return;
      }
      EXPECT_FALSE(ec);
      fires.push_back({expiry, clock_type::now()});
    });
  };

  for (std::size_t i = 0; i < count; ++i) {
    timers.push_back(std::make_unique<rill::steady_timer>(
        ioc, base + std::chrono::microseconds(offset_us(rng))));
    start_wait(*timers.back());
  }
  // Re-arm every 5th timer to a new random expiry (its first wait aborts)
  // and cancel every 7th (not also re-armed): heap removal from the middle.
  int rearmed = 0;
  for (std::size_t i = 0; i < count; i += 5) {
    EXPECT_EQ(timers[i]->expires_at(base + std::chrono::microseconds(offset_us(rng))), 1u);
    ++rearmed;
    start_wait(*timers[i]);
  }
  int cancelled = 0;
  for (std::size_t i = 0; i < count; i += 7) {
    if (i % 5 == 0) continue;
    EXPECT_EQ(timers[i]->cancel(), 1u);
    ++cancelled;
  }

  const std::size_t n = ioc.run_for(io_bound);
  EXPECT_EQ(n, count + static_cast<std::size_t>(rearmed));
  EXPECT_EQ(aborted, rearmed + cancelled);
  EXPECT_EQ(completions, static_cast<int>(n));
  ASSERT_EQ(fires.size(), count - static_cast<std::size_t>(cancelled));
  EXPECT_TRUE(std::is_sorted(fires.begin(), fires.end(),
                             [](const fired& a, const fired& b) { return a.expiry < b.expiry; }));
  for (const fired& f : fires) EXPECT_GE(f.when, f.expiry);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, system_timer_and_high_resolution_timer) {
  rill::io_context ioc;
  rill::system_timer st(ioc, 10ms);
  rill::high_resolution_timer ht(ioc, 5ms);
  rill::system_timer past(ioc, std::chrono::system_clock::now() - 1h);
  std::vector<int> order;
  st.async_wait([&](const std::error_code& ec) {
    EXPECT_FALSE(ec);
    EXPECT_GE(std::chrono::system_clock::now(), st.expiry());
    order.push_back(1);
  });
  ht.async_wait([&](const std::error_code& ec) {
    EXPECT_FALSE(ec);
    EXPECT_GE(std::chrono::high_resolution_clock::now(), ht.expiry());
    order.push_back(2);
  });
  past.async_wait([&](const std::error_code& ec) {
    EXPECT_FALSE(ec);
    order.push_back(3);
  });
  EXPECT_EQ(ioc.run_for(io_bound), 3u);
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1}));
  EXPECT_GE(std::chrono::system_clock::now(), st.expiry());

  // Cancelling works on every clock.
  ioc.restart();
  st.expires_after(1h);
  int aborted = 0;
  st.async_wait([&](const std::error_code& ec) {
    if (ec == rill::error::operation_aborted) ++aborted;
  });
  EXPECT_EQ(st.cancel(), 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(aborted, 1);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, a_pending_wait_keeps_run_from_returning) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 30ms);
  wait_record r;
  t.async_wait(recorder(r));
  rill_test::watchdog dog(ioc);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_FALSE(dog.dismiss());
  EXPECT_EQ(r.runs, 1);
  EXPECT_GE(r.when, t.expiry());
  EXPECT_TRUE(ioc.stopped());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, run_for_returns_at_its_deadline_with_a_later_timer) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 300ms);
  wait_record r;
  t.async_wait(recorder(r));
  const auto start = clock_type::now();
  EXPECT_EQ(ioc.run_for(20ms), 0u);
  const auto waited = clock_type::now() - start;
  EXPECT_GE(waited, 20ms);
  EXPECT_LT(waited, 300ms);
  EXPECT_EQ(r.runs, 0);
  EXPECT_FALSE(ioc.stopped());
  EXPECT_EQ(ioc.run_for(io_bound), 1u);
  EXPECT_EQ(r.runs, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, move_construction_carries_pending_waits) {
  rill::io_context ioc;
  rill::steady_timer t1(ioc, 1h);
  wait_record cancelled, expired;
  t1.async_wait(recorder(cancelled));
  rill::steady_timer t2(std::move(t1));
  EXPECT_EQ(t1.cancel(), 0u);
  EXPECT_EQ(t2.cancel(), 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(cancelled.ec, rill::error::operation_aborted);

  // A moved wait still fires at the expiry, through the new object.
  ioc.restart();
  t2.expires_after(5ms);
  t2.async_wait(recorder(expired));
  rill::steady_timer t3(std::move(t2));
  EXPECT_EQ(t3.expiry(), t2.expiry());
  EXPECT_EQ(ioc.run_one_for(io_bound), 1u);
  EXPECT_EQ(expired.runs, 1);
  EXPECT_FALSE(expired.ec);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, move_assignment_aborts_the_targets_waits_and_takes_the_sources) {
  rill::io_context ioc;
  rill::steady_timer target(ioc, 1h);
  rill::steady_timer source(ioc, clock_type::now() + 5ms);
  wait_record target_wait, source_wait;
  target.async_wait(recorder(target_wait));
  source.async_wait(recorder(source_wait));
  const auto source_expiry = source.expiry();
  target = std::move(source);
  EXPECT_EQ(target.expiry(), source_expiry);
  EXPECT_EQ(source.cancel(), 0u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(target_wait.ec, rill::error::operation_aborted);
  EXPECT_EQ(source_wait.runs, 0);
  EXPECT_EQ(ioc.run_one_for(io_bound), 1u);
  EXPECT_EQ(source_wait.runs, 1);
  EXPECT_FALSE(source_wait.ec);
  // The moved-from object is still a working timer.
  wait_record reuse;
  ioc.restart();
  source.expires_after(1ms);
  source.async_wait(recorder(reuse));
  EXPECT_EQ(ioc.run_one_for(io_bound), 1u);
  EXPECT_FALSE(reuse.ec);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, sync_wait_blocks_until_expiry) {
  rill::io_context ioc;
  const auto start = clock_type::now();
  rill::steady_timer t(ioc, 20ms);
  t.wait();
  EXPECT_GE(clock_type::now() - start, 20ms);
  EXPECT_GE(clock_type::now(), t.expiry());

  std::error_code ec = rill::error::timed_out;
  t.expires_after(5ms);
  t.wait(ec);
  EXPECT_FALSE(ec);
  EXPECT_GE(clock_type::now(), t.expiry());

  // An expired timer returns at once.
  t.expires_at(clock_type::now() - 1h);
  const auto quick = clock_type::now();
  t.wait();
  EXPECT_LT(clock_type::now() - quick, 1s);
  EXPECT_TRUE(drained(ioc));
}

// ---- the allocation contract ----

TEST(basic_waitable_timer, wait_memory_comes_from_the_handler_and_is_freed_before_it_runs) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 5ms);
  allocation_log log;
  int runs = 0;
  int live_inside = -1;
  t.async_wait(rill::bind_allocator(counting_allocator<char>(log), [&](const std::error_code& ec) {
    EXPECT_FALSE(ec);
    ++runs;
    live_inside = log.live();
  }));
  EXPECT_EQ(log.allocations, 1);
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run_one_for(io_bound), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations, 1);
  EXPECT_EQ(log.live(), 0);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, cancelled_wait_is_freed_before_its_handler_runs) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 1h);
  allocation_log log;
  int live_inside = -1;
  t.async_wait(rill::bind_allocator(counting_allocator<char>(log), [&](const std::error_code& ec) {
    EXPECT_EQ(ec, rill::error::operation_aborted);
    live_inside = log.live();
  }));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(t.cancel(), 1u);
  EXPECT_EQ(log.live(), 1);  // still queued
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(log.allocations, 1);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, chain_of_waits_reuses_one_block) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  rill_test::handler_memory<> memory;
  int remaining = 5;
  struct step {
    rill::steady_timer* timer;
    rill_test::handler_memory<>* memory;
    int* remaining;
    void operator()(const std::error_code& ec) const {
      EXPECT_FALSE(ec);
      EXPECT_FALSE(memory->in_use());  // freed before this upcall
      if (--*remaining == 0) return;
      timer->expires_after(1ms);
      timer->async_wait(
          rill::bind_allocator(rill_test::handler_allocator<char>(*memory), step(*this)));
    }
  };
  t.expires_after(1ms);
  t.async_wait(rill::bind_allocator(rill_test::handler_allocator<char>(memory),
                                    step{&t, &memory, &remaining}));
  EXPECT_EQ(ioc.run_for(io_bound), 5u);
  EXPECT_EQ(remaining, 0);
  EXPECT_EQ(memory.allocations(), 5);
  EXPECT_FALSE(memory.in_use());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, throwing_allocator_makes_async_wait_throw_and_leaves_no_work) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 1ms);
  allocation_log log;
  int runs = 0;
  EXPECT_THROW(t.async_wait(rill::bind_allocator(counting_allocator<char>(log, true),
                                                 [&runs](const std::error_code&) { ++runs; })),
               std::bad_alloc);
  EXPECT_EQ(log.allocations, 0);
  EXPECT_EQ(t.cancel(), 0u);
  EXPECT_TRUE(drained(ioc));
  // The timer still works.
  ioc.restart();
  t.async_wait([&runs](const std::error_code& ec) {
    EXPECT_FALSE(ec);
    ++runs;
  });
  EXPECT_EQ(ioc.run_one_for(io_bound), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_waitable_timer, context_destruction_frees_waits_without_invoking) {
  allocation_log log;
  int runs = 0;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc, 1h);
    for (int i = 0; i < 3; ++i) {
      t.async_wait(rill::bind_allocator(counting_allocator<char>(log),
                                        [&runs](const std::error_code&) { ++runs; }));
    }
    EXPECT_EQ(log.live(), 3);
    // Shut the context down with the waits pending, then drop the timer.
    ioc.shutdown();
    EXPECT_EQ(log.live(), 0);
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.allocations, 3);
  EXPECT_EQ(log.live(), 0);
}

// The timer belongs to the handler (the usual "session" ownership): the
// context's destruction destroys the handler, which destroys the timer.
TEST(basic_waitable_timer, context_destruction_with_a_handler_owning_its_timer) {
  allocation_log log;
  int runs = 0;
  std::weak_ptr<rill::steady_timer> watch;
  {
    rill::io_context ioc;
    auto t = std::make_shared<rill::steady_timer>(ioc, 1h);
    watch = t;
    t->async_wait(rill::bind_allocator(counting_allocator<char>(log),
                                       [t, &runs](const std::error_code&) { ++runs; }));
    t.reset();
    EXPECT_FALSE(watch.expired());
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
