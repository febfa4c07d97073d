// experimental::make_parallel_group: each cancellation condition with timers
// and loopback sockets (exact completion orders and results, the losers
// cancelled through their own slots), a composed operation in a group, the
// group cancelled through its handler's slot, the group's state allocated
// with the final handler's allocator and freed before it runs, a context
// destroyed with a group pending, and no heap allocation in steady state.
#include <rill/experimental/parallel_group.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/buffer.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/completion_condition.hpp>
#include <rill/error.hpp>
#include <rill/experimental/cancellation_condition.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/read.hpp>
#include <rill/steady_timer.hpp>

#include "support/counting_allocator.hpp"
#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill::cancellation_type;
using rill::experimental::make_parallel_group;
using rill::experimental::wait_for_all;
using rill::experimental::wait_for_one;
using rill::experimental::wait_for_one_error;
using rill::experimental::wait_for_one_success;
using rill::ip::tcp;
using rill_test::drained;
using rill_test::make_tcp_pair;
using rill_test::run_until;
using order2 = std::array<std::size_t, 2>;
using order3 = std::array<std::size_t, 3>;

const std::error_code aborted = rill::error::operation_aborted;

// What a two-timer group completed with.
struct timers_result {
  int runs = 0;
  order2 order{};
  std::error_code ec0;
  std::error_code ec1;
};

auto record(timers_result& r) {
  return [&r](order2 order, std::error_code ec0, std::error_code ec1) {
    ++r.runs;
    r.order = order;
    r.ec0 = ec0;
    r.ec1 = ec1;
  };
}

TEST(parallel_group, signature_of_the_group) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  auto s = make_tcp_pair(ioc);
  char buf[4];
  auto group = make_parallel_group(
      [&](auto token) { return t.async_wait(token); },
      [&](auto token) { return s.server.async_read_some(rill::buffer(buf), token); });
  static_assert(std::is_same_v<decltype(group)::signature,
                               void(order2, std::error_code, std::error_code, std::size_t)>);
  static_assert(std::is_same_v<rill::completion_signature_of_t<decltype(
                                   [&](auto token) { return t.async_wait(token); })>,
                               void(std::error_code)>);
}

TEST(parallel_group, wait_for_all_two_timers_in_expiry_order) {
  rill::io_context ioc;
  rill::steady_timer slow(ioc, 40ms);
  rill::steady_timer fast(ioc, 10ms);
  timers_result r;
  make_parallel_group([&](auto token) { return slow.async_wait(token); },
                      [&](auto token) { return fast.async_wait(token); })
      .async_wait(wait_for_all(), record(r));
  EXPECT_EQ(ioc.poll(), 0u);
  ASSERT_TRUE(run_until(ioc, [&] { return r.runs == 1; }));
  EXPECT_EQ(r.order, (order2{1, 0}));
  EXPECT_FALSE(r.ec0);
  EXPECT_FALSE(r.ec1);
  EXPECT_GE(std::chrono::steady_clock::now(), slow.expiry());
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, wait_for_one_cancels_the_other_timer) {
  rill::io_context ioc;
  rill::steady_timer slow(ioc, 1h);
  rill::steady_timer fast(ioc, 5ms);
  timers_result r;
  make_parallel_group([&](auto token) { return slow.async_wait(token); },
                      [&](auto token) { return fast.async_wait(token); })
      .async_wait(wait_for_one(), record(r));
  ASSERT_TRUE(run_until(ioc, [&] { return r.runs == 1; }));
  EXPECT_EQ(r.order, (order2{1, 0}));
  EXPECT_EQ(r.ec0, aborted);
  EXPECT_FALSE(r.ec1);
  EXPECT_TRUE(drained(ioc));  // nothing left waiting on the hour-long timer
}

TEST(parallel_group, wait_for_one_timer_beats_a_socket_read) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::steady_timer timer(ioc, 5ms);
  char buf[8] = {};
  int runs = 0;
  order2 order{};
  std::error_code read_ec;
  std::size_t n = 99;
  std::error_code timer_ec;
  make_parallel_group(
      [&](auto token) { return s.server.async_read_some(rill::buffer(buf), token); },
      [&](auto token) { return timer.async_wait(token); })
      .async_wait(wait_for_one(),
                  [&](order2 o, std::error_code ec1, std::size_t n1, std::error_code ec2) {
                    ++runs;
                    order = o;
                    read_ec = ec1;
                    n = n1;
                    timer_ec = ec2;
                  });
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order2{1, 0}));
  EXPECT_FALSE(timer_ec);
  EXPECT_EQ(read_ec, aborted);
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(drained(ioc));

  // The socket is fine: a later read gets the data.
  EXPECT_EQ(s.client.write_some(rill::buffer("ok", 2)), 2u);
  EXPECT_EQ(s.server.read_some(rill::buffer(buf)), 2u);
}

TEST(parallel_group, wait_for_one_socket_read_beats_a_timer) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::steady_timer timer(ioc, 1h);
  char buf[8] = {};
  int runs = 0;
  order2 order{};
  std::error_code read_ec;
  std::size_t n = 0;
  std::error_code timer_ec;
  make_parallel_group(
      [&](auto token) { return timer.async_wait(token); },
      [&](auto token) { return s.server.async_read_some(rill::buffer(buf), token); })
      .async_wait(wait_for_one(),
                  [&](order2 o, std::error_code ec1, std::error_code ec2, std::size_t n2) {
                    ++runs;
                    order = o;
                    timer_ec = ec1;
                    read_ec = ec2;
                    n = n2;
                  });
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_EQ(s.client.write_some(rill::buffer("hello", 5)), 5u);
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order2{1, 0}));
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(std::string_view(buf, n), "hello");
  EXPECT_EQ(timer_ec, aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, wait_for_one_error_cancels_on_the_first_failure) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::steady_timer timer(ioc, 1h);
  char buf[8] = {};
  int runs = 0;
  order2 order{};
  std::error_code read_ec;
  std::error_code timer_ec;
  make_parallel_group(
      [&](auto token) { return s.server.async_read_some(rill::buffer(buf), token); },
      [&](auto token) { return timer.async_wait(token); })
      .async_wait(wait_for_one_error(),
                  [&](order2 o, std::error_code ec1, std::size_t /*n1*/, std::error_code ec2) {
                    ++runs;
                    order = o;
                    read_ec = ec1;
                    timer_ec = ec2;
                  });
  s.client.close();  // the read fails with eof
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order2{0, 1}));
  EXPECT_EQ(read_ec, rill::error::eof);
  EXPECT_EQ(timer_ec, aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, wait_for_one_error_waits_for_all_when_nothing_fails) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::steady_timer timer(ioc, 20ms);
  char buf[8] = {};
  int runs = 0;
  order2 order{};
  std::error_code read_ec;
  std::size_t n = 0;
  std::error_code timer_ec;
  make_parallel_group(
      [&](auto token) { return s.server.async_read_some(rill::buffer(buf), token); },
      [&](auto token) { return timer.async_wait(token); })
      .async_wait(wait_for_one_error(),
                  [&](order2 o, std::error_code ec1, std::size_t n1, std::error_code ec2) {
                    ++runs;
                    order = o;
                    read_ec = ec1;
                    n = n1;
                    timer_ec = ec2;
                  });
  EXPECT_EQ(s.client.write_some(rill::buffer("abc", 3)), 3u);
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order2{0, 1}));
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(n, 3u);
  EXPECT_FALSE(timer_ec);  // the timer was not cancelled: it expired
  EXPECT_GE(std::chrono::steady_clock::now(), timer.expiry());
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, wait_for_one_success_ignores_failures_until_one_succeeds) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::steady_timer fast(ioc, 20ms);
  rill::steady_timer slow(ioc, 1h);
  char buf[8] = {};
  int runs = 0;
  order3 order{};
  std::error_code read_ec;
  std::error_code fast_ec;
  std::error_code slow_ec;
  make_parallel_group(
      [&](auto token) { return s.server.async_read_some(rill::buffer(buf), token); },
      [&](auto token) { return fast.async_wait(token); },
      [&](auto token) { return slow.async_wait(token); })
      .async_wait(wait_for_one_success(), [&](order3 o, std::error_code ec1, std::size_t /*n1*/,
                                              std::error_code ec2, std::error_code ec3) {
        ++runs;
        order = o;
        read_ec = ec1;
        fast_ec = ec2;
        slow_ec = ec3;
      });
  s.client.close();  // the read fails first: the group keeps waiting
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order3{0, 1, 2}));
  EXPECT_EQ(read_ec, rill::error::eof);
  EXPECT_FALSE(fast_ec);
  EXPECT_EQ(slow_ec, aborted);
  EXPECT_GE(std::chrono::steady_clock::now(), fast.expiry());
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, wait_for_one_success_waits_for_all_when_everything_fails) {
  rill::io_context ioc;
  auto a = make_tcp_pair(ioc);
  auto b = make_tcp_pair(ioc);
  char buf_a[4];
  char buf_b[4];
  int runs = 0;
  order2 order{};
  std::error_code ec_a;
  std::error_code ec_b;
  make_parallel_group(
      [&](auto token) { return a.server.async_read_some(rill::buffer(buf_a), token); },
      [&](auto token) { return b.server.async_read_some(rill::buffer(buf_b), token); })
      .async_wait(wait_for_one_success(),
                  [&](order2 o, std::error_code e1, std::size_t, std::error_code e2, std::size_t) {
                    ++runs;
                    order = o;
                    ec_a = e1;
                    ec_b = e2;
                  });
  b.client.close();
  ASSERT_TRUE(run_until(
                  ioc, [&] { return ec_b || runs == 1; }, 200ms) ||
              true);
  EXPECT_EQ(runs, 0);  // b failed, a is still waited for
  a.client.close();
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order2{1, 0}));
  EXPECT_EQ(ec_a, rill::error::eof);
  EXPECT_EQ(ec_b, rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, a_composed_read_loses_to_a_timer_with_its_partial_result) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::steady_timer timer(ioc, 30ms);
  char buf[10] = {};
  int runs = 0;
  order2 order{};
  std::error_code read_ec;
  std::size_t n = 0;
  std::error_code timer_ec;
  make_parallel_group(
      [&](auto token) { return rill::async_read(s.server, rill::buffer(buf), token); },
      [&](auto token) { return timer.async_wait(token); })
      .async_wait(wait_for_one(),
                  [&](order2 o, std::error_code ec1, std::size_t n1, std::error_code ec2) {
                    ++runs;
                    order = o;
                    read_ec = ec1;
                    n = n1;
                    timer_ec = ec2;
                  });
  EXPECT_EQ(s.client.write_some(rill::buffer("abcd", 4)), 4u);
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order2{1, 0}));
  EXPECT_FALSE(timer_ec);
  EXPECT_EQ(read_ec, aborted);
  EXPECT_EQ(n, 4u);
  EXPECT_EQ(std::string_view(buf, 4), "abcd");
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, exact_order_of_two_socket_reads) {
  rill::io_context ioc;
  auto a = make_tcp_pair(ioc);
  auto b = make_tcp_pair(ioc);
  char buf_a[8] = {};
  char buf_b[8] = {};
  int runs = 0;
  order2 order{};
  std::size_t na = 0;
  std::size_t nb = 0;
  make_parallel_group(
      [&](auto token) { return a.server.async_read_some(rill::buffer(buf_a), token); },
      [&](auto token) { return b.server.async_read_some(rill::buffer(buf_b), token); })
      .async_wait(wait_for_all(), [&](order2 o, std::error_code e1, std::size_t n1,
                                      std::error_code e2, std::size_t n2) {
        ++runs;
        order = o;
        EXPECT_FALSE(e1);
        EXPECT_FALSE(e2);
        na = n1;
        nb = n2;
      });
  EXPECT_EQ(b.client.write_some(rill::buffer("second", 6)), 6u);
  ASSERT_TRUE(run_until(
                  ioc, [&] { return nb != 0 || runs == 1; }, 100ms) ||
              true);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(a.client.write_some(rill::buffer("first", 5)), 5u);
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order2{1, 0}));
  EXPECT_EQ(std::string_view(buf_a, na), "first");
  EXPECT_EQ(std::string_view(buf_b, nb), "second");
  EXPECT_TRUE(drained(ioc));
}

// A deferred operation in the shape of rill::deferred's: called once with a
// token, it launches; its nested completion_signature names its signature.
struct deferred_wait {
  using completion_signature = void(std::error_code);
  rill::steady_timer* timer;
  template <typename Token>
  decltype(auto) operator()(Token&& token) && {
    return timer->async_wait(std::forward<Token>(token));
  }
};

TEST(parallel_group, deferred_operations_and_function_objects_mixed) {
  rill::io_context ioc;
  rill::steady_timer slow(ioc, 1h);
  rill::steady_timer fast(ioc, 1ms);
  timers_result r;
  auto group =
      make_parallel_group(deferred_wait{&slow}, [&](auto token) { return fast.async_wait(token); });
  static_assert(
      std::is_same_v<decltype(group)::signature, void(order2, std::error_code, std::error_code)>);
  std::move(group).async_wait(wait_for_one(), record(r));
  ASSERT_TRUE(run_until(ioc, [&] { return r.runs == 1; }));
  EXPECT_EQ(r.order, (order2{1, 0}));
  EXPECT_EQ(r.ec0, aborted);
  EXPECT_FALSE(r.ec1);
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, cancelled_through_the_handlers_slot) {
  rill::io_context ioc;
  rill::steady_timer t0(ioc, 1h);
  rill::steady_timer t1(ioc, 1h);
  rill::cancellation_signal sig;
  timers_result r;
  make_parallel_group([&](auto token) { return t0.async_wait(token); },
                      [&](auto token) { return t1.async_wait(token); })
      .async_wait(wait_for_all(), rill::bind_cancellation_slot(sig.slot(), record(r)));
  EXPECT_TRUE(sig.slot().has_handler());
  EXPECT_EQ(ioc.poll(), 0u);
  sig.emit(cancellation_type::terminal);
  ASSERT_TRUE(run_until(ioc, [&] { return r.runs == 1; }));
  EXPECT_EQ(r.order, (order2{0, 1}));
  EXPECT_EQ(r.ec0, aborted);
  EXPECT_EQ(r.ec1, aborted);
  // The group took its handler out of the slot before completing: emitting
  // now is harmless.
  EXPECT_FALSE(sig.slot().has_handler());
  sig.emit(cancellation_type::terminal);
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, state_comes_from_the_handlers_allocator_and_is_freed_before_it_runs) {
  rill::io_context ioc;
  rill::steady_timer t0(ioc, 1h);
  rill::steady_timer t1(ioc, 1ms);
  rill_test::allocation_log log;
  int runs = 0;
  int live_inside = -1;
  order2 order{};
  make_parallel_group([&](auto token) { return t0.async_wait(token); },
                      [&](auto token) { return t1.async_wait(token); })
      .async_wait(wait_for_one(),
                  rill::bind_allocator(rill_test::counting_allocator<char>(log),
                                       [&](order2 o, std::error_code, std::error_code) {
                                         ++runs;
                                         order = o;
                                         live_inside = log.live();
                                       }));
  // One block: the group's state. (The operations' own handlers use the
  // default allocator, as in Asio.)
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 1);
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(order, (order2{1, 0}));
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
  EXPECT_TRUE(drained(ioc));
}

TEST(parallel_group, context_destroyed_with_a_group_pending_frees_without_invoking) {
  rill_test::allocation_log log;
  int runs = 0;
  rill::cancellation_signal sig;
  {
    rill::io_context ioc;
    rill::steady_timer t0(ioc, 1h);
    auto s = make_tcp_pair(ioc);
    char buf[4];
    make_parallel_group(
        [&](auto token) { return t0.async_wait(token); },
        [&](auto token) { return s.server.async_read_some(rill::buffer(buf), token); })
        .async_wait(
            wait_for_one(),
            rill::bind_cancellation_slot(
                sig.slot(), rill::bind_allocator(rill_test::counting_allocator<char>(log),
                                                 [&](order2, std::error_code, std::error_code,
                                                     std::size_t) { ++runs; })));
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.live(), 0);
  sig.slot().clear();  // its handler refers to the freed group: drop it unused
}

TEST(parallel_group, groups_on_a_two_thread_context_complete_once_each) {
  // The operations of one group complete on either thread; the group's
  // counters decide, once, who cancels and who completes.
  rill::io_context ioc(2);
  constexpr int groups = 200;
  std::atomic<int> completed{0};
  std::atomic<int> bad{0};
  std::vector<std::unique_ptr<rill::steady_timer>> timers;
  for (int i = 0; i < 2 * groups; ++i) {
    timers.push_back(std::make_unique<rill::steady_timer>(ioc, i % 2 == 0 ? 1ms : 1h));
  }
  for (int i = 0; i < groups; ++i) {
    rill::steady_timer& a = *timers[static_cast<std::size_t>(2 * i)];
    rill::steady_timer& b = *timers[static_cast<std::size_t>(2 * i + 1)];
    make_parallel_group([&a](auto token) { return a.async_wait(token); },
                        [&b](auto token) { return b.async_wait(token); })
        .async_wait(wait_for_one(), [&](order2 o, std::error_code e0, std::error_code e1) {
          if (o != order2{0, 1} || e0 || e1 != aborted) ++bad;
          ++completed;
        });
  }
  rill_test::watchdog dog(ioc);
  std::thread other([&] { ioc.run(); });
  ioc.run();
  other.join();
  EXPECT_FALSE(dog.dismiss());
  EXPECT_EQ(completed.load(), groups);
  EXPECT_EQ(bad.load(), 0);
}

TEST(parallel_group, repeated_groups_allocate_nothing_in_steady_state) {
  rill::io_context ioc;
  rill::steady_timer t0(ioc);
  rill::steady_timer t1(ioc);
  int runs = 0;
  auto once = [&] {
    t0.expires_at(std::chrono::steady_clock::now() - 1s);
    t1.expires_after(1h);
    make_parallel_group([&](auto token) { return t0.async_wait(token); },
                        [&](auto token) { return t1.async_wait(token); })
        .async_wait(wait_for_one(), [&](order2 o, std::error_code e0, std::error_code e1) {
          EXPECT_EQ(o, (order2{0, 1}));
          EXPECT_FALSE(e0);
          EXPECT_EQ(e1, aborted);
          ++runs;
        });
    ioc.restart();
    while (ioc.poll() != 0) {
    }
  };
  for (int i = 0; i < 4; ++i) once();
  rill_test::heap_scope heap;
  for (int i = 0; i < 50; ++i) once();
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(runs, 54);
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
