// io_context::strand, Asio's legacy strand: context(), post/dispatch/defer
// with an allocator and in their deprecated one-argument form, wrap(),
// running_in_this_thread, no overlap on several threads, the allocation
// contract and destruction with handlers queued. It shares rill::strand's
// implementation; strand_test.cpp covers that in depth.
#include <rill/io_context_strand.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/buffer.hpp>
#include <rill/defer.hpp>
#include <rill/dispatch.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/is_executor.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/write.hpp>

#include "support/counting_allocator.hpp"
#include "support/handler_memory.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using legacy_strand = rill::io_context::strand;

static_assert(rill::is_executor<legacy_strand>::value);
static_assert(
    std::is_same_v<decltype(std::declval<legacy_strand&>().context()), rill::io_context&>);
static_assert(std::is_copy_constructible_v<legacy_strand>);
static_assert(!std::is_convertible_v<rill::io_context&, legacy_strand>);

struct counted_handler {
  using allocator_type = counting_allocator<int>;
  allocator_type get_allocator() const noexcept { return allocator_type(*log); }
  allocation_log* log;
  std::vector<int>* live_inside;
  void operator()() const { live_inside->push_back(log->live()); }
};

TEST(io_context_strand, context_and_work_are_the_io_contexts) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  EXPECT_EQ(&s.context(), &ioc);
  s.on_work_started();
  EXPECT_EQ(ioc.run_for(10ms), 0U);
  EXPECT_FALSE(ioc.stopped());
  s.on_work_finished();
  ioc.restart();
  EXPECT_EQ(ioc.run(), 0U);
}

TEST(io_context_strand, copies_are_one_strand_and_separate_strands_differ) {
  rill::io_context ioc;
  legacy_strand a(ioc);
  legacy_strand b(ioc);
  const legacy_strand copy = a;
  EXPECT_TRUE(a == copy);
  EXPECT_FALSE(a != copy);
  EXPECT_FALSE(a == b);
  // Unlike Asio's pool of 193 implementations, separately made strands
  // never share state: one's handler does not hold up the other's.
  int checks = 0;
  a.post([&] {
    EXPECT_TRUE(a.running_in_this_thread());
    EXPECT_TRUE(copy.running_in_this_thread());
    EXPECT_FALSE(b.running_in_this_thread());
    ++checks;
  });
  EXPECT_FALSE(a.running_in_this_thread());
  ioc.run();
  EXPECT_EQ(checks, 1);
}

TEST(io_context_strand, post_dispatch_defer_keep_submission_order) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  std::vector<int> order;
  const std::allocator<void> a;
  for (int i = 0; i < 12; ++i) {
    auto h = [&order, i] { order.push_back(i); };
    switch (i % 5) {
      case 0:
        s.post(h, a);
        break;
      case 1:
        s.dispatch(h, a);
        break;  // not in the context: queued
      case 2:
        s.defer(h, a);
        break;
      case 3:
        s.post(h);
        break;
      default:
        s.dispatch(h);
        break;
    }
  }
  EXPECT_TRUE(order.empty());
  ioc.run();
  ASSERT_EQ(order.size(), 12U);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(io_context_strand, dispatch_inside_runs_inline_post_does_not) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  std::vector<int> order;
  s.post([&] {
    order.push_back(1);
    s.dispatch([&] { order.push_back(2); });
    s.post([&] { order.push_back(4); });
    order.push_back(3);
  });
  ioc.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(io_context_strand, free_functions_accept_it_as_an_executor) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  int runs = 0;
  rill::post(s, [&] {
    EXPECT_TRUE(s.running_in_this_thread());
    ++runs;
  });
  rill::defer(s, [&] { ++runs; });
  rill::dispatch(s, [&] { ++runs; });
  rill::post(ioc, rill::bind_executor(s, [&] {
               EXPECT_TRUE(s.running_in_this_thread());
               ++runs;
             }));
  ioc.run();
  EXPECT_EQ(runs, 4);
}

TEST(io_context_strand, one_argument_forms_use_the_handlers_allocator_and_free_before_running) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  allocation_log log;
  std::vector<int> live_inside;
  s.post(counted_handler{&log, &live_inside});
  s.dispatch(counted_handler{&log, &live_inside});
  s.post(counted_handler{&log, &live_inside}, counting_allocator<int>(log));
  EXPECT_EQ(log.allocations.load(), 3);
  ioc.run();
  EXPECT_EQ(live_inside, (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(log.live(), 0);
}

TEST(io_context_strand, wrap_dispatches_the_handler_through_the_strand) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  int got = 0;
  auto w = s.wrap([&](int a, int b) {
    EXPECT_TRUE(s.running_in_this_thread());
    got = a + b;
  });
  // Called from outside the context: the strand queues the call.
  w(2, 3);
  EXPECT_EQ(got, 0);
  ioc.run();
  EXPECT_EQ(got, 5);
  // Called as an lvalue again: the target was copied, not consumed.
  w(4, 5);
  ioc.restart();
  ioc.run();
  EXPECT_EQ(got, 9);
}

TEST(io_context_strand, wrapped_completion_handlers_run_in_the_strand) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  rill::steady_timer t(ioc, 1ms);
  allocation_log log;
  int runs = 0;
  int live_inside = -1;
  t.async_wait(s.wrap(rill::bind_allocator(counting_allocator<char>(log), [&](std::error_code ec) {
    EXPECT_FALSE(ec);
    EXPECT_TRUE(s.running_in_this_thread());
    live_inside = log.live();
    ++runs;
  })));
  ioc.run();
  EXPECT_EQ(runs, 1);
  // The wrapper forwards the target's allocator: the wait and the bound
  // call both come from it, each freed before the next step.
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.live(), 0);
  EXPECT_GE(log.allocations.load(), 1);
}

TEST(io_context_strand, wrapped_handler_forwards_its_targets_associations) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  allocation_log log;
  auto w = s.wrap(rill::bind_allocator(counting_allocator<char>(log), [] {}));
  auto alloc = rill::get_associated_allocator(w);
  EXPECT_TRUE(alloc == counting_allocator<char>(log));
}

TEST(io_context_strand, a_chain_through_wrap_reuses_one_block) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  rill::steady_timer t(ioc);
  rill_test::handler_memory<> memory;
  int remaining = 50;
  int in_use_inside = 0;
  std::function<void()> start = [&] {
    t.expires_after(0s);
    t.async_wait(s.wrap(
        rill::bind_allocator(rill_test::handler_allocator<char>(memory), [&](std::error_code ec) {
          EXPECT_FALSE(ec);
          if (memory.in_use()) ++in_use_inside;
          if (--remaining > 0) start();
        })));
  };
  start();
  ioc.run();
  EXPECT_EQ(remaining, 0);
  EXPECT_EQ(in_use_inside, 0);
  EXPECT_FALSE(memory.in_use());
}

TEST(io_context_strand, wrapped_socket_handlers_never_overlap_on_several_threads) {
  rill::io_context ioc;
  legacy_strand s(ioc);
  auto pair = rill_test::make_tcp_pair(ioc);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  int writes = 0;
  std::size_t read_total = 0;
  constexpr int messages = 100;
  std::array<char, 64> in{};
  auto enter = [&] {
    if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
  };
  std::function<void()> read_loop = [&] {
    pair.server.async_read_some(rill::buffer(in), s.wrap([&](std::error_code ec, std::size_t n) {
      enter();
      if (!ec) {
        read_total += n;
        if (read_total < messages * 3U) read_loop();
      }
      inside.fetch_sub(1);
    }));
  };
  std::function<void()> write_loop = [&] {
    rill::async_write(pair.client, rill::buffer("abc", 3),
                      s.wrap([&](std::error_code ec, std::size_t) {
                        enter();
                        if (!ec && ++writes < messages) write_loop();
                        inside.fetch_sub(1);
                      }));
  };
  s.post([&] {
    read_loop();
    write_loop();
  });
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { ioc.run_for(45s); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(writes, messages);
  EXPECT_EQ(read_total, messages * 3U);
}

TEST(io_context_strand, many_threads_many_strands_no_overlap) {
  rill::io_context ioc;
  constexpr int strands = 6;
  constexpr int per_strand = 1000;
  struct state {
    explicit state(rill::io_context& ioc) : s(ioc) {}
    legacy_strand s;
    std::atomic<int> inside{0};
    std::atomic<int> overlaps{0};
    int runs = 0;
  };
  std::vector<std::unique_ptr<state>> states;
  for (int i = 0; i < strands; ++i) states.push_back(std::make_unique<state>(ioc));
  for (int n = 0; n < per_strand; ++n) {
    for (auto& stp : states) {
      state* st = stp.get();
      // Submitted from plain handlers, so from every thread.
      rill::post(ioc, [st, n] {
        auto h = [st] {
          if (st->inside.fetch_add(1) != 0) st->overlaps.fetch_add(1);
          ++st->runs;
          st->inside.fetch_sub(1);
        };
        if (n % 2 == 0) {
          st->s.dispatch(h);
        } else {
          st->s.post(h);
        }
      });
    }
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { ioc.run_for(45s); });
  for (auto& t : threads) t.join();
  for (auto& st : states) {
    EXPECT_EQ(st->overlaps.load(), 0);
    EXPECT_EQ(st->runs, per_strand);
  }
}

TEST(io_context_strand, destroying_the_context_frees_queued_handlers_without_invoking_them) {
  allocation_log log;
  std::vector<int> live_inside;
  {
    rill::io_context ioc;
    legacy_strand s(ioc);
    for (int i = 0; i < 3; ++i) s.post(counted_handler{&log, &live_inside});
    auto w = s.wrap(counted_handler{&log, &live_inside});
    w();
    EXPECT_EQ(log.live(), 4);
  }
  EXPECT_TRUE(live_inside.empty());
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
