// on_heap_allocation: a callback for every trip of operation memory to the
// global heap (a recycling-cache miss, chain_memory growth and fallbacks),
// removable, thread-safe, able to refuse an allocation by throwing.
#include <rill/memory/on_heap_allocation.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <rill/buffer.hpp>
#include <rill/detail/thread_cache.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/memory/chain_memory.hpp>
#include <rill/memory/memory_stats.hpp>
#include <rill/post.hpp>
#include <rill/read.hpp>
#include <rill/steady_timer.hpp>
#include <rill/write.hpp>

#include "support/io_helpers.hpp"

namespace {

template <std::size_t Size>
struct sized_handler {
  int* runs;
  unsigned char payload[Size] = {};
  void operator()() { ++*runs; }
};

TEST(on_heap_allocation, cache_miss_is_reported_with_size_and_origin) {
  rill::io_context ioc;
  int runs = 0;
  std::vector<rill::heap_allocation> seen;
  auto hook = rill::on_heap_allocation([&](const rill::heap_allocation& a) { seen.push_back(a); });
  EXPECT_TRUE(hook.active());
  // Larger than the cache's biggest class: always from the heap.
  rill::post(ioc, sized_handler<20000>{&runs});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].origin, rill::heap_origin::recycling_cache);
  EXPECT_GE(seen[0].size, 20000u);
  EXPECT_EQ(seen[0].source, nullptr);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(runs, 1);
}

TEST(on_heap_allocation, warm_chain_reports_nothing) {
  rill::io_context ioc;
  struct chain {
    rill::io_context* ioc;
    int* left;
    void operator()() {
      if (--*left > 0) rill::post(*ioc, *this);
    }
  };
  int left = 10;
  rill::post(ioc, chain{&ioc, &left});
  ioc.run();
  ioc.restart();
  int calls = 0;
  auto hook = rill::on_heap_allocation([&](const rill::heap_allocation&) { ++calls; });
  left = 1000;
  rill::post(ioc, chain{&ioc, &left});
  EXPECT_EQ(ioc.run(), 1000u);
  EXPECT_EQ(calls, 0);
}

TEST(on_heap_allocation, removed_hook_is_not_called) {
  rill::io_context ioc;
  int runs = 0;
  int calls = 0;
  auto hook = rill::on_heap_allocation([&](const rill::heap_allocation&) { ++calls; });
  hook.remove();
  EXPECT_FALSE(hook.active());
  hook.remove();  // idempotent
  rill::post(ioc, sized_handler<20000>{&runs});
  EXPECT_EQ(calls, 0);
  {
    auto scoped = rill::on_heap_allocation([&](const rill::heap_allocation&) { ++calls; });
    rill::post(ioc, sized_handler<20000>{&runs});
    EXPECT_EQ(calls, 1);
  }
  rill::post(ioc, sized_handler<20000>{&runs});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ioc.poll(), 3u);
}

TEST(on_heap_allocation, several_hooks_and_moves) {
  rill::io_context ioc;
  int runs = 0;
  int a = 0;
  int b = 0;
  auto first = rill::on_heap_allocation([&](const rill::heap_allocation&) { ++a; });
  auto second = rill::on_heap_allocation([&](const rill::heap_allocation&) { ++b; });
  rill::post(ioc, sized_handler<20000>{&runs});
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
  rill::heap_allocation_hook moved = std::move(first);
  EXPECT_FALSE(first.active());  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_TRUE(moved.active());
  second = rill::heap_allocation_hook();  // removes the second
  rill::post(ioc, sized_handler<20000>{&runs});
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(ioc.poll(), 2u);
}

TEST(on_heap_allocation, throwing_callback_fails_the_initiating_function) {
  rill::io_context ioc;
  int runs = 0;
  auto hook = rill::on_heap_allocation(
      [](const rill::heap_allocation&) { throw std::runtime_error("no heap after warm-up"); });
  const rill::memory_stats before = rill::this_thread_memory_stats();
  EXPECT_THROW(rill::post(ioc, sized_handler<20000>{&runs}), std::runtime_error);
  // Nothing was queued and nothing is live.
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_EQ(rill::this_thread_memory_stats().live, before.live);
  EXPECT_EQ(runs, 0);
}

TEST(on_heap_allocation, callback_may_remove_itself_and_nested_allocations_are_not_reported) {
  rill::io_context ioc;
  int runs = 0;
  int calls = 0;
  rill::heap_allocation_hook hook;
  hook = rill::on_heap_allocation([&](const rill::heap_allocation&) {
    ++calls;
    // Allocates from the heap again (a big handler): counted, not reported.
    rill::post(ioc, sized_handler<20000>{&runs});
    hook.remove();
  });
  rill::post(ioc, sized_handler<20000>{&runs});
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(hook.active());
  rill::post(ioc, sized_handler<20000>{&runs});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ioc.poll(), 3u);
  // Installing from inside a callback is refused.
  bool refused = false;
  auto outer = rill::on_heap_allocation([&](const rill::heap_allocation&) {
    try {
      auto inner = rill::on_heap_allocation([](const rill::heap_allocation&) {});
    } catch (const std::logic_error&) {
      refused = true;
    }
  });
  ioc.restart();
  rill::post(ioc, sized_handler<20000>{&runs});
  EXPECT_TRUE(refused);
  EXPECT_EQ(ioc.poll(), 1u);
}

TEST(on_heap_allocation, chain_memory_growth_and_fallback_name_their_memory) {
  rill::chain_memory mem;
  std::vector<rill::heap_allocation> seen;
  auto hook = rill::on_heap_allocation([&](const rill::heap_allocation& a) { seen.push_back(a); });
  void* blocks[rill::chain_memory::slot_count + 1];
  for (void*& p : blocks) p = mem.allocate(100, 8);
  ASSERT_EQ(seen.size(), rill::chain_memory::slot_count + 1);
  for (std::size_t i = 0; i < rill::chain_memory::slot_count; ++i) {
    EXPECT_EQ(seen[i].origin, rill::heap_origin::chain_memory_growth);
    EXPECT_EQ(seen[i].source, &mem);
  }
  EXPECT_EQ(seen.back().origin, rill::heap_origin::chain_memory_fallback);
  EXPECT_EQ(seen.back().size, 100u);
  for (void* p : blocks) mem.deallocate(p, 100, 8);
}

TEST(on_heap_allocation, thread_safe_install_remove_and_report) {
  std::atomic<int> calls{0};
  std::atomic<bool> stop{false};
  std::thread allocator([&] {
    while (!stop.load()) {
      // Straight to the heap through the cache: reported every time.
      void* p = rill::detail::cache::allocate(20000, 8);
      rill::detail::cache::deallocate(p, 20000, 8);
    }
  });
  for (int i = 0; i < 50; ++i) {
    auto hook = rill::on_heap_allocation([&](const rill::heap_allocation&) { ++calls; });
    std::this_thread::yield();
  }
  // After the last removal returned, no callback runs any more.
  const int settled = calls.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(calls.load(), settled);
  stop = true;
  allocator.join();
}

// The acceptance test of issue 6: an echo server with 100 connections
// (clients in the same process, on loopback) runs for a bounded time; after
// warm-up, any trip of operation memory to the global heap fails the test.
namespace echo {

using rill::ip::tcp;

struct totals {
  std::size_t round_trips = 0;
  bool stopping = false;
};

// Reads some, writes it all back; one chain per session, in its own memory
// (or the default recycling cache).
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, bool chain) : socket_(std::move(socket)), chain_(chain) {}
  void start() { do_read(); }

 private:
  template <typename Handler>
  void read(Handler&& h) {
    if (chain_) {
      socket_.async_read_some(rill::buffer(data_), memory_.wrap(std::forward<Handler>(h)));
    } else {
      socket_.async_read_some(rill::buffer(data_), std::forward<Handler>(h));
    }
  }
  template <typename Handler>
  void write(std::size_t n, Handler&& h) {
    if (chain_) {
      rill::async_write(socket_, rill::buffer(data_, n), memory_.wrap(std::forward<Handler>(h)));
    } else {
      rill::async_write(socket_, rill::buffer(data_, n), std::forward<Handler>(h));
    }
  }
  void do_read() {
    read([self = shared_from_this()](std::error_code ec, std::size_t n) {
      if (!ec) self->do_write(n);
    });
  }
  void do_write(std::size_t n) {
    write(n, [self = shared_from_this()](std::error_code ec, std::size_t) {
      if (!ec) self->do_read();
    });
  }

  tcp::socket socket_;
  bool chain_;
  rill::chain_memory memory_;
  std::array<char, 512> data_{};
};

// Writes a message, reads the echo back, again and again.
class client {
 public:
  client(tcp::socket socket, totals& t, bool chain)
      : socket_(std::move(socket)), totals_(t), chain_(chain) {
    message_.fill('m');
  }
  void start() { do_write(); }
  // Closes the socket; the pending operation completes with an error.
  void stop() { socket_.close(); }
  std::size_t round_trips = 0;
  bool pending = false;

 private:
  template <typename Handler>
  auto wrap(Handler&& h) {
    return memory_.wrap(std::forward<Handler>(h));
  }
  void do_write() {
    pending = true;
    auto on_write = [this](std::error_code ec, std::size_t) {
      pending = false;
      if (!ec) do_read();
    };
    if (chain_) {
      rill::async_write(socket_, rill::buffer(message_), wrap(on_write));
    } else {
      rill::async_write(socket_, rill::buffer(message_), on_write);
    }
  }
  void do_read() {
    pending = true;
    auto on_read = [this](std::error_code ec, std::size_t) {
      pending = false;
      if (ec) return;
      ++round_trips;
      ++totals_.round_trips;
      if (!totals_.stopping) do_write();
    };
    if (chain_) {
      rill::async_read(socket_, rill::buffer(reply_), wrap(on_read));
    } else {
      rill::async_read(socket_, rill::buffer(reply_), on_read);
    }
  }

  tcp::socket socket_;
  totals& totals_;
  bool chain_;
  rill::chain_memory memory_;
  std::array<char, 128> message_{};
  std::array<char, 128> reply_{};
};

void run_echo(bool chain) {
  constexpr std::size_t connections = 100;
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, rill_test::loopback());
  totals t;
  std::vector<std::unique_ptr<client>> clients;
  for (std::size_t i = 0; i < connections; ++i) {
    tcp::socket c(ioc);
    c.connect(acceptor.local_endpoint());
    tcp::socket s(ioc);
    acceptor.accept(s);
    std::make_shared<session>(std::move(s), chain)->start();
    clients.push_back(std::make_unique<client>(std::move(c), t, chain));
  }
  for (auto& c : clients) c->start();

  // Warm-up: every connection has made a few round trips.
  auto all_warm = [&] {
    for (const auto& c : clients) {
      if (c->round_trips < 3) return false;
    }
    return true;
  };
  ASSERT_TRUE(rill_test::run_until(ioc, all_warm));

  // From now on, no operation memory may come from the heap.
  std::atomic<int> heap_events{0};
  auto hook = rill::on_heap_allocation([&](const rill::heap_allocation& a) {
    if (heap_events.fetch_add(1) < 5) {
      ADD_FAILURE() << "heap allocation after warm-up: " << a.size << " bytes, origin "
                    << static_cast<int>(a.origin);
    }
  });
  rill::reset_memory_stats();
  const std::size_t before = t.round_trips;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < deadline)
    ioc.run_one_for(std::chrono::milliseconds(50));
  EXPECT_EQ(heap_events.load(), 0);
  EXPECT_GT(t.round_trips - before, connections);
  const rill::memory_stats s = rill::this_thread_memory_stats();
  EXPECT_EQ(s.heap_allocations, 0u);
  EXPECT_EQ(s.cache_misses, 0u);
  EXPECT_GT(s.operations(), 0u);
  hook.remove();
  // The clients' memory lives in the clients: let their operations finish
  // before they go. The sessions' operations are destroyed with the context.
  t.stopping = true;
  for (auto& c : clients) c->stop();
  EXPECT_TRUE(rill_test::run_until(ioc, [&] {
    for (const auto& c : clients) {
      if (c->pending) return false;
    }
    return true;
  }));
}

}  // namespace echo

TEST(on_heap_allocation, echo_server_100_connections_no_heap_after_warm_up_chain_memory) {
  echo::run_echo(true);
}

TEST(on_heap_allocation, echo_server_100_connections_no_heap_after_warm_up_default_cache) {
  echo::run_echo(false);
}

}  // namespace
