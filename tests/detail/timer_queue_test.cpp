// timer_queue as a plain data structure, on a fake clock: it hands out
// expired timers in expiry order whether they sit in the run (armed in
// order) or the heap, cancels from anywhere, and reports how long the
// reactor may sleep.
#include <rill/detail/timer_queue.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <random>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#include <rill/error.hpp>
#include <rill/wait_traits.hpp>

namespace {

using namespace std::chrono_literals;

// A clock that only moves when the test moves it.
struct fake_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<fake_clock>;
  [[maybe_unused]] static constexpr bool is_steady = true;
  static inline time_point current{};
  static time_point now() noexcept { return current; }
};

using queue_type = rill::detail::timer_queue<fake_clock, rill::wait_traits<fake_clock>>;
using per_timer = queue_type::per_timer_data;

// A wait that remembers which it is; completing it does nothing.
struct test_wait final : rill::detail::wait_op {
  explicit test_wait(int wait_id) : wait_op(&test_wait::complete), id(wait_id) {}
  static void complete(void*, rill::detail::operation*, const std::error_code&, std::size_t) {}
  int id;
};

std::vector<int> ids(rill::detail::op_queue<rill::detail::operation>& ops) {
  std::vector<int> out;
  while (rill::detail::operation* op = ops.pop()) out.push_back(static_cast<test_wait*>(op)->id);
  return out;
}

class timer_queue : public ::testing::Test {
 protected:
  void SetUp() override { fake_clock::current = fake_clock::time_point(1s); }
  static fake_clock::time_point at(std::chrono::nanoseconds d) {
    return fake_clock::time_point(1s) + d;
  }
};

TEST_F(timer_queue, empty_queue_keeps_the_limit) {
  queue_type q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), std::chrono::nanoseconds(-1));
  EXPECT_EQ(q.wait_duration(5ms), 5ms);
  rill::detail::op_queue<rill::detail::operation> ops;
  EXPECT_EQ(q.get_ready_timers(ops), 0u);
  EXPECT_TRUE(ops.empty());
}

TEST_F(timer_queue, enqueue_reports_a_new_earliest_timer) {
  queue_type q;
  per_timer a, b, c;
  test_wait wa(1), wb(2), wb2(3), wc(4);
  EXPECT_TRUE(q.enqueue_timer(at(10ms), a, &wa));
  EXPECT_FALSE(q.enqueue_timer(at(20ms), b, &wb));
  EXPECT_FALSE(q.enqueue_timer(at(20ms), b, &wb2));  // a second wait, same timer
  EXPECT_TRUE(q.enqueue_timer(at(5ms), c, &wc));
  EXPECT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), 5ms);
  EXPECT_EQ(q.wait_duration(1ms), 1ms);  // clamped to the limit
  fake_clock::current = at(20ms);
  EXPECT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), 0ns);
  rill::detail::op_queue<rill::detail::operation> ops;
  EXPECT_EQ(q.get_ready_timers(ops), 4u);  // every wait counts, two of them on one timer
  EXPECT_EQ(ids(ops), (std::vector<int>{4, 1, 2, 3}));
  EXPECT_TRUE(q.empty());
}

TEST_F(timer_queue, cancel_moves_waits_with_operation_aborted) {
  queue_type q;
  per_timer a, b;
  test_wait w1(1), w2(2), w3(3);
  q.enqueue_timer(at(10ms), a, &w1);
  q.enqueue_timer(at(10ms), a, &w2);
  q.enqueue_timer(at(30ms), b, &w3);
  rill::detail::op_queue<rill::detail::operation> ops;
  EXPECT_EQ(q.cancel_timer(a, ops, 1), 1u);
  EXPECT_EQ(w1.ec_, rill::error::operation_aborted);
  EXPECT_FALSE(w2.ec_);
  EXPECT_EQ(ids(ops), (std::vector<int>{1}));
  EXPECT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), 10ms);  // a still waits
  EXPECT_EQ(q.cancel_timer(a, ops), 1u);
  EXPECT_EQ(ids(ops), (std::vector<int>{2}));
  EXPECT_EQ(q.cancel_timer(a, ops), 0u);
  EXPECT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), 30ms);  // a left the heap
  q.get_all_timers(ops);
  EXPECT_EQ(ids(ops), (std::vector<int>{3}));
  EXPECT_TRUE(q.empty());
}

TEST_F(timer_queue, move_timer_keeps_the_heap_position) {
  queue_type q;
  per_timer a, b, moved;
  test_wait wa(1), wb(2);
  q.enqueue_timer(at(10ms), a, &wa);
  q.enqueue_timer(at(20ms), b, &wb);
  q.move_timer(moved, a);
  rill::detail::op_queue<rill::detail::operation> ops;
  EXPECT_EQ(q.cancel_timer(a, ops), 0u);
  fake_clock::current = at(15ms);
  q.get_ready_timers(ops);
  EXPECT_EQ(ids(ops), (std::vector<int>{1}));
  EXPECT_EQ(q.cancel_timer(b, ops), 1u);
  EXPECT_TRUE(q.empty());
}

// Many timers with random expiries, a random third cancelled, the clock
// advanced in uneven steps: each remaining wait comes out exactly once, in
// expiry order, never before its expiry; wait_duration is always exact.
TEST_F(timer_queue, random_timers_come_out_in_expiry_order) {
  constexpr int count = 3000;
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int> offset(0, 100'000);
  queue_type q;
  std::vector<std::unique_ptr<per_timer>> timers;
  std::vector<std::unique_ptr<test_wait>> waits;
  std::vector<fake_clock::time_point> expiry(count);
  for (int i = 0; i < count; ++i) {
    timers.push_back(std::make_unique<per_timer>());
    waits.push_back(std::make_unique<test_wait>(i));
    expiry[static_cast<std::size_t>(i)] = at(std::chrono::microseconds(offset(rng)));
    q.enqueue_timer(expiry[static_cast<std::size_t>(i)], *timers.back(), waits.back().get());
  }
  std::vector<bool> cancelled(count, false);
  rill::detail::op_queue<rill::detail::operation> ops;
  for (int i = 0; i < count; ++i) {
    if (rng() % 3 == 0) {
      EXPECT_EQ(q.cancel_timer(*timers[static_cast<std::size_t>(i)], ops), 1u);
      cancelled[static_cast<std::size_t>(i)] = true;
    }
  }
  (void)ids(ops);

  std::vector<int> order;
  std::vector<bool> fired(count, false);
  std::uniform_int_distribution<int> step(1, 900);
  while (!q.empty()) {
    // The earliest remaining expiry, computed independently.
    auto earliest = fake_clock::time_point::max();
    for (int i = 0; i < count; ++i) {
      const auto u = static_cast<std::size_t>(i);
      if (!cancelled[u] && !fired[u]) {
        earliest = std::min(earliest, expiry[u]);
      }
    }
    const auto expected =
        std::max(std::chrono::nanoseconds::zero(), earliest - fake_clock::current);
    ASSERT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), expected);
    fake_clock::current += std::chrono::microseconds(step(rng));
    q.get_ready_timers(ops);
    for (int id : ids(ops)) {
      EXPECT_LE(expiry[static_cast<std::size_t>(id)], fake_clock::current);
      EXPECT_FALSE(fired[static_cast<std::size_t>(id)]);
      fired[static_cast<std::size_t>(id)] = true;
      order.push_back(id);
    }
  }
  const auto kept = static_cast<std::size_t>(std::count(cancelled.begin(), cancelled.end(), false));
  ASSERT_EQ(order.size(), kept);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end(), [&](int a, int b) {
    return expiry[static_cast<std::size_t>(a)] < expiry[static_cast<std::size_t>(b)];
  }));
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_TRUE(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
}

// Timers armed in order go to the run, others to the heap; the earliest of
// the two fronts comes out first, ties in either order.
TEST_F(timer_queue, run_and_heap_interleave_in_expiry_order) {
  queue_type q;
  per_timer a, b, c, d;
  test_wait wa(1), wb(2), wc(3), wd(4);
  EXPECT_TRUE(q.enqueue_timer(at(10ms), a, &wa));   // run
  EXPECT_FALSE(q.enqueue_timer(at(30ms), b, &wb));  // run
  EXPECT_FALSE(q.enqueue_timer(at(20ms), c, &wc));  // heap: earlier than the run's back
  EXPECT_TRUE(q.enqueue_timer(at(5ms), d, &wd));    // heap, and the earliest
  rill::detail::op_queue<rill::detail::operation> ops;
  fake_clock::current = at(25ms);
  q.get_ready_timers(ops);
  EXPECT_EQ(ids(ops), (std::vector<int>{4, 1, 3}));
  EXPECT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), 5ms);
  fake_clock::current = at(30ms);
  q.get_ready_timers(ops);
  EXPECT_EQ(ids(ops), (std::vector<int>{2}));
  EXPECT_TRUE(q.empty());
}

// Cancelling from the middle of the run leaves tombstones that neither come
// out nor shorten the sleep, and a timer moved while in the run keeps its
// place.
TEST_F(timer_queue, cancel_and_move_inside_the_run) {
  queue_type q;
  std::vector<std::unique_ptr<per_timer>> timers;
  std::vector<std::unique_ptr<test_wait>> waits;
  for (int i = 0; i < 10; ++i) {
    timers.push_back(std::make_unique<per_timer>());
    waits.push_back(std::make_unique<test_wait>(i));
    q.enqueue_timer(at(std::chrono::milliseconds(i + 1)), *timers.back(), waits.back().get());
  }
  rill::detail::op_queue<rill::detail::operation> ops;
  for (int i : {0, 1, 2, 4, 5, 6, 8}) {
    EXPECT_EQ(q.cancel_timer(*timers[static_cast<std::size_t>(i)], ops), 1u);
  }
  EXPECT_EQ(ids(ops), (std::vector<int>{0, 1, 2, 4, 5, 6, 8}));
  EXPECT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), 4ms);  // timer 3
  per_timer moved;
  q.move_timer(moved, *timers[7]);
  EXPECT_EQ(q.cancel_timer(*timers[7], ops), 0u);
  fake_clock::current = at(10ms);
  q.get_ready_timers(ops);
  EXPECT_EQ(ids(ops), (std::vector<int>{3, 7, 9}));
  EXPECT_TRUE(q.empty());
}

// A model check: timers armed, cancelled and re-armed in a random
// interleaving, most at a fixed delay from the fake clock (the run), some
// at random ones (the heap or the run), the clock moving in small steps.
// Every wait comes out exactly once, never early, batches in expiry order,
// and wait_duration always names the earliest live expiry.
TEST_F(timer_queue, random_arm_cancel_rearm_matches_a_model) {
  constexpr std::size_t count = 500;
  std::mt19937 rng(7);
  queue_type q;
  std::vector<std::unique_ptr<per_timer>> timers;
  std::vector<std::unique_ptr<test_wait>> waits;
  for (std::size_t i = 0; i < count; ++i) {
    timers.push_back(std::make_unique<per_timer>());
    waits.push_back(std::make_unique<test_wait>(static_cast<int>(i)));
  }
  std::vector<fake_clock::time_point> expiry(count);
  std::set<std::pair<fake_clock::time_point, std::size_t>> armed;  // the model
  rill::detail::op_queue<rill::detail::operation> ops;
  std::size_t fired = 0;
  for (int round = 0; round < 20'000; ++round) {
    const std::size_t i = rng() % count;
    const auto choice = rng() % 10;
    const bool is_armed = armed.contains({expiry[i], i});
    if (!is_armed && choice < 6) {
      expiry[i] = fake_clock::current +
                  (choice < 4 ? std::chrono::microseconds(500)
                              : std::chrono::microseconds(static_cast<int>(rng() % 2000)));
      q.enqueue_timer(expiry[i], *timers[i], waits[i].get());
      armed.insert({expiry[i], i});
    } else if (is_armed && choice < 3) {
      ASSERT_EQ(q.cancel_timer(*timers[i], ops), 1u);
      armed.erase({expiry[i], i});
      ASSERT_EQ(ids(ops), (std::vector<int>{static_cast<int>(i)}));
    } else if (choice >= 8) {
      fake_clock::current += std::chrono::microseconds(static_cast<int>(rng() % 50));
      q.get_ready_timers(ops);
      fake_clock::time_point previous{};
      for (int id : ids(ops)) {
        const auto u = static_cast<std::size_t>(id);
        ASSERT_TRUE(armed.contains({expiry[u], u}));
        ASSERT_LE(expiry[u], fake_clock::current);
        ASSERT_LE(previous, expiry[u]);
        previous = expiry[u];
        armed.erase({expiry[u], u});
        ++fired;
      }
      // Everything due came out.
      ASSERT_TRUE(armed.empty() || fake_clock::current < armed.begin()->first);
    }
    const auto expected = armed.empty() ? std::chrono::nanoseconds(-1)
                                        : std::max(std::chrono::nanoseconds::zero(),
                                                   armed.begin()->first - fake_clock::current);
    ASSERT_EQ(q.wait_duration(std::chrono::nanoseconds(-1)), expected);
    ASSERT_EQ(q.empty(), armed.empty());
  }
  EXPECT_GT(fired, 1000u);
  q.get_all_timers(ops);
  EXPECT_EQ(ids(ops).size(), armed.size());
  EXPECT_TRUE(q.empty());
}

}  // namespace
