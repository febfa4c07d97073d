#include <rill/io_context.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <memory_resource>
#include <new>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <rill/buffer.hpp>
#include <rill/defer.hpp>
#include <rill/dispatch.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/memory/bind_memory_resource.hpp>
#include <rill/post.hpp>
#include <rill/signal_set.hpp>
#include <rill/steady_timer.hpp>

#include "support/counting_allocator.hpp"
#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;

TEST(io_context, run_without_work_returns_zero_and_stops) {
  rill::io_context ioc;
  EXPECT_FALSE(ioc.stopped());
  EXPECT_EQ(ioc.run(), 0u);
  EXPECT_TRUE(ioc.stopped());
  ioc.restart();
  EXPECT_FALSE(ioc.stopped());
}

TEST(io_context, run_one_runs_exactly_one) {
  rill::io_context ioc;
  int runs = 0;
  for (int i = 0; i < 3; ++i) rill::post(ioc, [&runs] { ++runs; });
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(runs, 2);
  EXPECT_FALSE(ioc.stopped());
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(runs, 3);
  // The last handler finished the last work: the context stopped itself.
  EXPECT_TRUE(ioc.stopped());
  EXPECT_EQ(ioc.run_one(), 0u);
}

TEST(io_context, poll_runs_ready_handlers_and_their_posts) {
  rill::io_context ioc;
  int runs = 0;
  rill::post(ioc, [&] {
    ++runs;
    rill::post(ioc, [&runs] { ++runs; });
  });
  rill::post(ioc, [&runs] { ++runs; });
  EXPECT_EQ(ioc.poll(), 3u);
  EXPECT_EQ(runs, 3);
}

TEST(io_context, poll_does_not_block_with_outstanding_work) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_EQ(ioc.poll_one(), 0u);
  EXPECT_FALSE(ioc.stopped());
  rill::post(ioc, [] {});
  rill::post(ioc, [] {});
  EXPECT_EQ(ioc.poll_one(), 1u);
  EXPECT_EQ(ioc.poll_one(), 1u);
  EXPECT_EQ(ioc.poll_one(), 0u);
}

TEST(io_context, stop_inside_handler_then_restart) {
  rill::io_context ioc;
  int runs = 0;
  rill::post(ioc, [&] {
    ++runs;
    ioc.stop();
  });
  rill::post(ioc, [&runs] { ++runs; });
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(ioc.stopped());
  EXPECT_EQ(ioc.run(), 0u);  // stopped: nothing runs until restart
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 2);
}

TEST(io_context, stop_keeps_handlers_posted_by_the_stopping_handler) {
  rill::io_context ioc;
  int runs = 0;
  rill::post(ioc, [&] {
    rill::post(ioc, [&runs] { ++runs; });
    ioc.stop();
  });
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 0);
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
}

TEST(io_context, exception_propagates_and_run_can_resume) {
  rill::io_context ioc;
  int runs = 0;
  rill::post(ioc, [&runs] { ++runs; });
  rill::post(ioc, [] { throw std::runtime_error("boom"); });
  rill::post(ioc, [&runs] { ++runs; });
  EXPECT_THROW(ioc.run(), std::runtime_error);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(ioc.stopped());
  EXPECT_EQ(ioc.run(), 1u);  // resumes without restart()
  EXPECT_EQ(runs, 2);
}

TEST(io_context, exception_from_nested_post_keeps_queued_work) {
  rill::io_context ioc;
  int runs = 0;
  rill::post(ioc, [&] {
    rill::post(ioc, [&runs] { ++runs; });
    throw std::logic_error("after post");
  });
  EXPECT_THROW(ioc.run(), std::logic_error);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
}

TEST(io_context, posts_from_one_thread_run_in_order_while_another_runs_the_loop) {
  // The running thread takes the shared queue whole (a, b, c: it runs a and
  // holds b and c); another thread posts d meanwhile. d was posted last and
  // runs last: the held handlers go back in front of it, not behind (they
  // did, and Asio's bank_account_1 example printed 20 instead of 10 under
  // ThreadSanitizer's timing). What a handler posts itself (e) comes after
  // what was queued before it (d), as in Asio.
  rill::io_context ioc;
  std::vector<char> order;
  auto record = [&](char c) { return [&order, c] { order.push_back(c); }; };
  rill::post(ioc, [&] {
    order.push_back('a');
    std::thread other([&] { rill::post(ioc, record('d')); });
    other.join();
    rill::post(ioc, record('e'));
  });
  rill::post(ioc, record('b'));
  rill::post(ioc, record('c'));
  EXPECT_EQ(ioc.run(), 5u);
  EXPECT_EQ(order, (std::vector<char>{'a', 'b', 'c', 'd', 'e'}));
}

TEST(io_context, dispatch_runs_inline_inside_post_does_not) {
  rill::io_context ioc;
  std::vector<int> order;
  rill::post(ioc, [&] {
    rill::dispatch(ioc, [&order] { order.push_back(1); });
    order.push_back(2);
    rill::post(ioc, [&order] { order.push_back(4); });
    rill::defer(ioc, [&order] { order.push_back(5); });
    order.push_back(3);
  });
  EXPECT_EQ(ioc.run(), 3u);  // the dispatched handler did not go through the queue
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(io_context, dispatch_from_outside_queues) {
  rill::io_context ioc;
  int runs = 0;
  rill::dispatch(ioc, [&runs] { ++runs; });
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
}

TEST(io_context, executor_basics) {
  rill::io_context a;
  rill::io_context b;
  auto ea = a.get_executor();
  auto eb = b.get_executor();
  EXPECT_EQ(&ea.context(), &a);
  EXPECT_TRUE(ea == a.get_executor());
  EXPECT_FALSE(ea == eb);
  EXPECT_FALSE(ea.running_in_this_thread());
  bool inside_a = false;
  bool inside_b = true;
  rill::post(a, [&] {
    inside_a = ea.running_in_this_thread();
    inside_b = eb.running_in_this_thread();
  });
  a.run();
  EXPECT_TRUE(inside_a);
  EXPECT_FALSE(inside_b);
}

TEST(io_context, execute_runs_inline_inside_and_queues_outside) {
  rill::io_context ioc;
  auto ex = ioc.get_executor();
  int runs = 0;
  ex.execute([&runs] { ++runs; });
  EXPECT_EQ(runs, 0);
  bool inline_run = false;
  rill::post(ioc, [&] {
    bool done = false;
    ex.execute([&done] { done = true; });
    inline_run = done;
  });
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(inline_run);
}

TEST(io_context, nested_contexts_run_inside_each_other) {
  rill::io_context outer;
  rill::io_context inner;
  int runs = 0;
  rill::post(outer, [&] {
    rill::post(inner, [&] {
      ++runs;
      EXPECT_TRUE(outer.get_executor().running_in_this_thread());
      EXPECT_TRUE(inner.get_executor().running_in_this_thread());
    });
    EXPECT_EQ(inner.run(), 1u);
  });
  EXPECT_EQ(outer.run(), 1u);
  EXPECT_EQ(runs, 1);
}

TEST(io_context, work_guard_keeps_run_alive_until_reset_from_another_thread) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  EXPECT_TRUE(guard.owns_work());
  std::atomic<int> runs{0};
  std::thread resetter([&] {
    std::this_thread::sleep_for(20ms);
    rill::post(ioc, [&] {
      ++runs;
      guard.reset();
    });
  });
  EXPECT_EQ(ioc.run(), 1u);  // returns only once the guard is gone
  resetter.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_FALSE(guard.owns_work());
  EXPECT_TRUE(ioc.stopped());
}

TEST(io_context, stop_from_another_thread_wakes_run) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    ioc.stop();
  });
  EXPECT_EQ(ioc.run(), 0u);
  stopper.join();
  EXPECT_TRUE(ioc.stopped());
}

TEST(io_context, run_for_returns_at_deadline_with_outstanding_work) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  int runs = 0;
  rill::post(ioc, [&runs] { ++runs; });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ioc.run_for(30ms), 1u);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 30ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(ioc.stopped());
}

TEST(io_context, run_until_and_run_one_for) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  EXPECT_EQ(ioc.run_until(std::chrono::steady_clock::now() + 10ms), 0u);
  EXPECT_EQ(ioc.run_one_for(10ms), 0u);
  rill::post(ioc, [] {});
  EXPECT_EQ(ioc.run_one_for(1s), 1u);
  // Another clock works too.
  rill::post(ioc, [] {});
  EXPECT_EQ(ioc.run_until(std::chrono::system_clock::now() + 10ms), 1u);
}

TEST(io_context, concurrency_hint_constructor) {
  rill::io_context ioc(1);
  int runs = 0;
  rill::post(ioc, [&runs] { ++runs; });
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
}

TEST(io_context, many_threads_run_one_context) {
  rill::io_context ioc;
  constexpr int chains = 64;
  constexpr int per_chain = 500;
  std::atomic<int> total{0};
  struct link {
    rill::io_context* ioc;
    std::atomic<int>* total;
    int left;
    void operator()() {
      total->fetch_add(1, std::memory_order_relaxed);
      if (--left > 0) rill::post(*ioc, *this);
    }
  };
  for (int i = 0; i < chains; ++i) rill::post(ioc, link{&ioc, &total, per_chain});
  std::vector<std::thread> threads;
  std::atomic<std::size_t> ran{0};
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { ran += ioc.run(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(total.load(), chains * per_chain);
  EXPECT_EQ(ran.load(), static_cast<std::size_t>(chains * per_chain));
}

TEST(io_context, cross_thread_posts_all_run) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  std::atomic<int> runs{0};
  std::thread runner([&] { ioc.run(); });
  std::vector<std::thread> posters;
  for (int t = 0; t < 3; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) rill::post(ioc, [&runs] { runs.fetch_add(1); });
    });
  }
  for (auto& t : posters) t.join();
  rill::post(ioc, [&guard] { guard.reset(); });
  runner.join();
  EXPECT_EQ(runs.load(), 6000);
}

// --- io_context(allocator_arg, a): the context's own state from a ---

// Counts what it is asked for and passes it on upstream.
class counting_resource : public std::pmr::memory_resource {
 public:
  explicit counting_resource(std::pmr::memory_resource* upstream) : upstream_(upstream) {}
  int allocations = 0;
  int deallocations = 0;
  [[nodiscard]] int live() const noexcept { return allocations - deallocations; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    ++allocations;
    return upstream_->allocate(bytes, alignment);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    ++deallocations;
    upstream_->deallocate(p, bytes, alignment);
  }
  [[nodiscard]] bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
  std::pmr::memory_resource* upstream_;
};

TEST(io_context_allocator, state_comes_from_the_allocator_and_returns_to_it) {
  rill_test::allocation_log log;
  {
    rill::io_context ioc(rill::allocator_arg, rill_test::counting_allocator<char>(log));
    // The allocator's eraser, the service registry and the scheduler.
    EXPECT_GE(log.allocations.load(), 3);
    const int after_construction = log.allocations.load();
    // Services created later come from it too.
    rill::steady_timer timer(ioc);
    EXPECT_GT(log.allocations.load(), after_construction);
    bool ran = false;
    rill::post(ioc, [&ran] { ran = true; });
    EXPECT_EQ(ioc.run(), 1u);
    EXPECT_TRUE(ran);
  }
  EXPECT_EQ(log.live(), 0);
}

TEST(io_context_allocator, with_concurrency_hint) {
  rill_test::allocation_log log;
  {
    rill::io_context ioc(rill::allocator_arg, rill_test::counting_allocator<char>(log), 1);
    int runs = 0;
    for (int i = 0; i < 3; ++i) rill::post(ioc, [&runs] { ++runs; });
    EXPECT_EQ(ioc.run(), 3u);
    EXPECT_EQ(runs, 3);
  }
  EXPECT_GT(log.allocations.load(), 0);
  EXPECT_EQ(log.live(), 0);
}

// A server-shaped workload with a context built on a fixed buffer and
// operations taking their memory from the same resource: no global heap
// allocation at all, from construction to destruction, on this thread.
TEST(io_context_allocator, timers_sockets_and_signals_without_the_global_heap) {
  alignas(std::max_align_t) static std::array<std::byte, 512 * 1024> buffer;
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size(),
                                            std::pmr::null_memory_resource());
  counting_resource resource(&arena);
  rill_test::heap_scope heap;
  {
    rill::io_context ioc(rill::allocator_arg, std::pmr::polymorphic_allocator<>(&resource));
    rill::steady_timer timer(ioc);
    rill::signal_set signals(ioc, SIGUSR2);
    rill::ip::tcp::acceptor acceptor(ioc, rill_test::loopback());
    rill::ip::tcp::socket client(ioc);
    rill::ip::tcp::socket server(ioc);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    std::array<char, 4> in{};
    const std::array<char, 4> out{'p', 'o', 'n', 'g'};
    int done = 0;
    auto count = [&done](std::error_code ec, auto...) {
      EXPECT_FALSE(ec);
      ++done;
    };
    timer.expires_after(std::chrono::milliseconds(1));
    timer.async_wait(rill::bind_memory_resource(&resource, count));
    server.async_read_some(rill::buffer(in), rill::bind_memory_resource(&resource, count));
    client.async_write_some(rill::buffer(out), rill::bind_memory_resource(&resource, count));
    ASSERT_TRUE(rill_test::run_until(ioc, [&] { return done == 3; }));
    // A pending signal wait is destroyed with the context, not invoked.
    signals.async_wait(rill::bind_memory_resource(
        &resource, [](std::error_code, int) { ADD_FAILURE() << "invoked"; }));
  }
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_GT(resource.allocations, 0);
  EXPECT_EQ(resource.live(), 0);
}

TEST(io_context_allocator, execution_context_allocator_uses_the_context_memory) {
  rill_test::allocation_log log;
  {
    rill::io_context ioc(rill::allocator_arg, rill_test::counting_allocator<char>(log));
    const int before = log.allocations.load();
    rill::execution_context::allocator<double> a(ioc);
    std::vector<double, rill::execution_context::allocator<double>> v(a);
    v.resize(100);
    EXPECT_GT(log.allocations.load(), before);
    EXPECT_TRUE(a == rill::execution_context::allocator<int>(ioc));
  }
  EXPECT_EQ(log.live(), 0);
  // Without an allocator the context's memory is the global heap.
  rill::io_context plain;
  rill::execution_context::allocator<int> b(plain);
  int* p = b.allocate(4);
  b.deallocate(p, 4);
}

TEST(io_context_allocator, throwing_allocator_makes_the_constructor_throw) {
  rill_test::allocation_log log;
  EXPECT_THROW(
      rill::io_context(rill::allocator_arg, rill_test::counting_allocator<char>(log, true)),
      std::bad_alloc);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
