// bind_checked: a checking allocator that catches memory still live when the
// handler runs, concurrent allocator calls, leaks and foreign frees; rill's
// own operations pass it, a deliberately wrong composed operation does not.
#include <rill/memory/bind_checked.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/as_tuple.hpp>
#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/bind_executor.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/compose.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/memory/chain_memory.hpp>
#include <rill/post.hpp>
#include <rill/read.hpp>
#include <rill/recycling_allocator.hpp>
#include <rill/steady_timer.hpp>
#include <rill/use_future.hpp>
#include <rill/write.hpp>

#include "support/counting_allocator.hpp"
#include "support/io_helpers.hpp"
#include "support/memory_error_recorder.hpp"

namespace {

using rill::memory_error_kind;
using rill_test::memory_error_recorder;

struct plain_handler {
  void operator()() const {}
};

// The checking allocator wraps the handler's own (the cache for the default).
static_assert(std::is_same_v<rill::associated_allocator_t<rill::checked_handler<plain_handler>>,
                             rill::checked_allocator<void, rill::recycling_allocator<void>>>);
static_assert(
    std::is_same_v<rill::associated_allocator_t<rill::checked_handler<
                       rill::allocator_binder<plain_handler, rill::chain_allocator<void>>>>,
                   rill::checked_allocator<void, rill::chain_allocator<void>>>);

TEST(bind_checked, correct_post_reports_nothing) {
  memory_error_recorder recorder;
  rill::io_context ioc;
  bool ran = false;
  auto h = rill::bind_checked([&] { ran = true; });
  rill::post(ioc, h);
  EXPECT_EQ(h.allocations(), 1u);
  EXPECT_EQ(h.live_allocations(), 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(ran);
  EXPECT_EQ(h.live_allocations(), 0u);
  EXPECT_EQ(recorder.size(), 0u);
}

TEST(bind_checked, rill_operations_pass_the_checks) {
  memory_error_recorder recorder;
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  rill::steady_timer timer(ioc);
  int done = 0;
  // A timer wait.
  timer.expires_after(std::chrono::milliseconds(1));
  timer.async_wait(rill::bind_checked([&](std::error_code ec) {
    EXPECT_FALSE(ec);
    ++done;
  }));
  // A composed write and read of several chunks (async_write / async_read).
  const std::string message(100000, 'x');
  std::string received(message.size(), '\0');
  rill::async_write(pair.client, rill::buffer(message),
                    rill::bind_checked([&](std::error_code ec, std::size_t n) {
                      EXPECT_FALSE(ec);
                      EXPECT_EQ(n, message.size());
                      ++done;
                    }));
  rill::async_read(pair.server, rill::buffer(received),
                   rill::bind_checked([&](std::error_code ec, std::size_t n) {
                     EXPECT_FALSE(ec);
                     EXPECT_EQ(n, message.size());
                     ++done;
                   }));
  ASSERT_TRUE(rill_test::run_until(ioc, [&] { return done == 3; }));
  EXPECT_EQ(received, message);
  EXPECT_EQ(recorder.size(), 0u);
}

struct two_waits {
  rill::steady_timer& timer;
  int step = 0;
  template <typename Self>
  void operator()(Self& self, std::error_code ec = {}) {
    if (!ec && step++ < 2) {
      timer.expires_after(std::chrono::milliseconds(0));
      timer.async_wait(std::move(self));
      return;
    }
    self.complete(ec);
  }
};

// async_compose over two timer waits: every intermediate operation is
// allocated through the checked allocator and freed before the next step.
TEST(bind_checked, async_compose_passes_the_checks) {
  memory_error_recorder recorder;
  rill::io_context ioc;
  rill::steady_timer timer(ioc);
  bool done = false;
  auto h = rill::bind_checked([&](std::error_code ec) {
    EXPECT_FALSE(ec);
    done = true;
  });
  const auto observer = h;  // a copy shares the record
  // The token type is not a reference: the handler is moved in.
  rill::async_compose<decltype(h), void(std::error_code)>(two_waits{timer}, h, timer);
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_TRUE(done);
  EXPECT_EQ(observer.allocations(), 2u);
  EXPECT_EQ(recorder.size(), 0u);
}

// A deliberately wrong composed operation: it takes a block from the
// handler's allocator for its state and returns it only after it has
// invoked the handler.
template <typename Token>
auto async_frees_after_invoking(rill::io_context& ioc, Token&& token) {
  return rill::async_initiate<Token, void()>(
      [&ioc](auto handler) {
        using alloc_type = typename std::allocator_traits<
            rill::associated_allocator_t<decltype(handler)>>::template rebind_alloc<std::byte>;
        alloc_type alloc(rill::get_associated_allocator(handler));
        std::byte* state = std::allocator_traits<alloc_type>::allocate(alloc, 64);
        rill::post(ioc, [handler = std::move(handler), alloc, state]() mutable {
          std::move(handler)();  // wrong: its memory is still live
          std::allocator_traits<alloc_type>::deallocate(alloc, state, 64);
        });
      },
      token);
}

TEST(bind_checked, catches_a_composed_operation_that_frees_after_invoking) {
  memory_error_recorder recorder;
  rill::io_context ioc;
  bool ran = false;
  async_frees_after_invoking(ioc, rill::bind_checked([&] { ran = true; }));
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(ran);
  ASSERT_EQ(recorder.size(), 1u);
  const auto error = recorder.errors()[0];
  EXPECT_EQ(error.kind, memory_error_kind::live_at_invocation);
  EXPECT_EQ(error.live_allocations, 1u);
  EXPECT_EQ(error.live_bytes, 64u);
  EXPECT_NE(error.message.find("before it invokes the handler"), std::string::npos);
}

// The same operation is fine for a handler without the check.
TEST(bind_checked, wrong_operation_goes_unnoticed_without_it) {
  memory_error_recorder recorder;
  rill::io_context ioc;
  bool ran = false;
  async_frees_after_invoking(ioc, [&] { ran = true; });
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(ran);
  EXPECT_EQ(recorder.size(), 0u);
}

// A composed operation that drops its handler (never invokes it) and
// forgets the block it took for it. It hands the block to the test
// (leaked), which frees it later.
template <typename Token>
void async_leaks(Token&& token, std::byte*& leaked) {
  rill::async_initiate<Token, void()>(
      [&leaked](auto handler) {
        using alloc_type = typename std::allocator_traits<
            rill::associated_allocator_t<decltype(handler)>>::template rebind_alloc<std::byte>;
        alloc_type alloc(rill::get_associated_allocator(handler));
        leaked = std::allocator_traits<alloc_type>::allocate(alloc, 48);
      },
      token);
}

TEST(bind_checked, catches_a_leak_when_the_last_copy_goes) {
  memory_error_recorder recorder;
  std::byte* leaked = nullptr;
  async_leaks(rill::bind_checked(plain_handler{}), leaked);
  ASSERT_EQ(recorder.size(), 1u);
  EXPECT_EQ(recorder.errors()[0].kind, memory_error_kind::leak);
  EXPECT_EQ(recorder.errors()[0].live_allocations, 1u);
  EXPECT_EQ(recorder.errors()[0].live_bytes, 48u);
  // The block came from the recycling cache (the handler's own allocator).
  rill::recycling_allocator<std::byte>().deallocate(leaked, 48);
}

TEST(bind_checked, destroyed_context_frees_without_invoking_and_without_report) {
  memory_error_recorder recorder;
  bool invoked = false;
  {
    rill::io_context ioc;
    rill::steady_timer timer(ioc);
    timer.expires_after(std::chrono::hours(1));
    timer.async_wait(rill::bind_checked([&](std::error_code) { invoked = true; }));
  }
  EXPECT_FALSE(invoked);
  EXPECT_EQ(recorder.size(), 0u);
}

TEST(bind_checked, foreign_or_double_free_is_reported_and_not_passed_on) {
  memory_error_recorder recorder;
  rill_test::allocation_log log;
  auto h = rill::bind_checked(
      rill::bind_allocator(rill_test::counting_allocator<char>(log), plain_handler{}));
  auto alloc = h.get_allocator();
  rill::checked_allocator<int, rill_test::counting_allocator<char>> ints(alloc);
  int* p = ints.allocate(4);
  EXPECT_EQ(log.allocations.load(), 1);
  ints.deallocate(p, 4);
  EXPECT_EQ(log.deallocations.load(), 1);
  ints.deallocate(p, 4);  // twice
  EXPECT_EQ(log.deallocations.load(), 1);
  ASSERT_EQ(recorder.size(), 1u);
  EXPECT_EQ(recorder.errors()[0].kind, memory_error_kind::unknown_deallocation);
}

// An allocator whose allocate blocks until released, so that a second call
// can be made while the first is in progress.
struct gate {
  std::atomic<bool> inside{false};
  std::atomic<bool> release{false};
};

template <typename T>
struct gated_allocator {
  using value_type = T;
  gate* g;
  explicit gated_allocator(gate& x) noexcept : g(&x) {}
  template <typename U>
  gated_allocator(const gated_allocator<U>& other) noexcept : g(other.g) {}
  T* allocate(std::size_t n) {
    if (!g->inside.exchange(true)) {
      while (!g->release.load()) std::this_thread::yield();
    }
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
  template <typename U>
  bool operator==(const gated_allocator<U>& other) const noexcept {
    return g == other.g;
  }
};

TEST(bind_checked, catches_concurrent_allocator_calls) {
  gate g;
  std::atomic<int> concurrent{0};
  // The reporter runs while the first call is still inside: it lets it go.
  auto previous = rill::set_memory_error_reporter([&](const rill::memory_error& e) {
    if (e.kind == memory_error_kind::concurrent_allocator_call) ++concurrent;
    g.release = true;
  });
  auto h = rill::bind_checked(rill::bind_allocator(gated_allocator<char>(g), plain_handler{}));
  auto alloc = h.get_allocator();
  rill::checked_allocator<long, gated_allocator<char>> a(alloc);
  long* first = nullptr;
  std::thread t([&] { first = a.allocate(1); });
  while (!g.inside.load()) std::this_thread::yield();
  long* second = a.allocate(1);  // overlaps the call on t
  t.join();
  EXPECT_EQ(concurrent.load(), 1);
  a.deallocate(first, 1);
  a.deallocate(second, 1);
  EXPECT_EQ(h.live_allocations(), 0u);
  rill::set_memory_error_reporter(std::move(previous));
}

TEST(bind_checked, forwards_executor_and_cancellation_slot) {
  rill::io_context ioc;
  rill::io_context other;
  auto with_executor =
      rill::bind_checked(rill::bind_executor(other.get_executor(), plain_handler{}));
  static_assert(std::is_same_v<rill::associated_executor_t<decltype(with_executor)>,
                               rill::io_context::executor_type>);
  EXPECT_TRUE(rill::get_associated_executor(with_executor) == other.get_executor());
  // Without an executor of its own, the default passes through.
  auto plain = rill::bind_checked(plain_handler{});
  EXPECT_TRUE(rill::get_associated_executor(plain, ioc.get_executor()) == ioc.get_executor());

  // The cancellation slot reaches the operation: emitting cancels the wait.
  memory_error_recorder recorder;
  rill::cancellation_signal signal;
  rill::steady_timer timer(ioc);
  timer.expires_after(std::chrono::hours(1));
  std::error_code got;
  auto h = rill::bind_checked(
      rill::bind_cancellation_slot(signal.slot(), [&](std::error_code ec) { got = ec; }));
  EXPECT_TRUE(rill::get_associated_cancellation_slot(h).is_connected());
  timer.async_wait(std::move(h));
  EXPECT_EQ(ioc.poll(), 0u);
  signal.emit(rill::cancellation_type::terminal);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(got, rill::error::operation_aborted);
  EXPECT_EQ(recorder.size(), 0u);
}

TEST(bind_checked, works_as_token_adapter) {
  memory_error_recorder recorder;
  rill::io_context ioc;
  rill::steady_timer timer(ioc);
  timer.expires_after(std::chrono::seconds(0));
  std::error_code got = rill::error::operation_aborted;
  timer.async_wait(rill::bind_checked(
      rill::as_tuple([&](std::tuple<std::error_code> t) { got = std::get<0>(t); })));
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_FALSE(got);

  ioc.restart();
  timer.expires_after(std::chrono::seconds(0));
  std::future<void> f = timer.async_wait(rill::bind_checked(rill::use_future));
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_NO_THROW(f.get());
  EXPECT_EQ(recorder.size(), 0u);
}

TEST(bind_checked, checks_memory_from_the_handlers_own_allocator) {
  memory_error_recorder recorder;
  rill::io_context ioc;
  rill::chain_memory mem;
  bool ran = false;
  rill::post(ioc, rill::bind_checked(mem.wrap([&] { ran = true; })));
  EXPECT_EQ(mem.stats().live, 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(ran);
  EXPECT_EQ(mem.stats().allocations, 1u);
  EXPECT_EQ(mem.stats().live, 0u);
  EXPECT_EQ(recorder.size(), 0u);
}

TEST(bind_checked_death, default_reporter_aborts_with_a_clear_message) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        rill::io_context ioc;
        async_frees_after_invoking(ioc, rill::bind_checked(plain_handler{}));
        ioc.poll();
      },
      "rill: memory error: bind_checked: handler invoked while 1 allocation");
}

}  // namespace
