// Tests for rill/use_awaitable.hpp: what co_await yields for each completion
// signature, errors as exceptions, defaults on I/O objects, and the memory
// of awaited operations.
#include <rill/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <exception>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>

#include <rill/co_spawn.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/post.hpp>
#include <rill/read.hpp>
#include <rill/steady_timer.hpp>
#include <rill/write.hpp>

#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"

namespace {

using tcp = rill::ip::tcp;

// An operation with a chosen completion signature, completed by a post.
template <typename Signature, typename... Values>
auto async_complete_with(rill::io_context& ctx, Values... values) {
  return rill::async_initiate<const rill::use_awaitable_t<>&, Signature>(
      [&ctx](auto handler, auto... v) {
        rill::post(ctx, [h = std::move(handler), v...]() mutable { std::move(h)(v...); });
      },
      rill::use_awaitable, values...);
}

template <typename F>
void run_coroutine(rill::io_context& ctx, F f) {
  std::exception_ptr error;
  bool done = false;
  rill::co_spawn(ctx, std::move(f), [&](std::exception_ptr e) {
    error = e;
    done = true;
  });
  ASSERT_TRUE(rill_test::run_until(ctx, [&] { return done; }));
  if (error) std::rethrow_exception(error);
}

TEST(use_awaitable, return_types_follow_the_completion_signature) {
  rill::io_context ctx;
  static_assert(
      std::is_same_v<decltype(rill::post(ctx, rill::use_awaitable)), rill::awaitable<void>>);
  static_assert(std::is_same_v<decltype(async_complete_with<void(std::error_code, int)>(
                                   ctx, std::error_code(), 1)),
                               rill::awaitable<int>>);
  static_assert(
      std::is_same_v<decltype(async_complete_with<void(int, std::string)>(ctx, 1, std::string())),
                     rill::awaitable<std::tuple<int, std::string>>>);
  static_assert(std::is_same_v<decltype(async_complete_with<void(std::exception_ptr, double)>(
                                   ctx, std::exception_ptr(), 1.0)),
                               rill::awaitable<double>>);
  static_assert(
      std::is_same_v<decltype(async_complete_with<void(std::error_code)>(ctx, std::error_code())),
                     rill::awaitable<void>>);
}

TEST(use_awaitable, values_and_errors_of_each_signature) {
  rill::io_context ctx;
  run_coroutine(ctx, [&]() -> rill::awaitable<void> {
    EXPECT_EQ(co_await async_complete_with<void(std::error_code, int)>(ctx, std::error_code(), 42),
              42);
    auto [a, b] = co_await async_complete_with<void(std::error_code, int, std::string)>(
        ctx, std::error_code(), 1, std::string("x"));
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, "x");
    EXPECT_EQ(co_await async_complete_with<void(int)>(ctx, 5), 5);
    try {
      co_await async_complete_with<void(std::error_code, int)>(
          ctx, make_error_code(rill::error::connection_refused), 0);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), rill::error::connection_refused);
    }
    try {
      co_await async_complete_with<void(std::exception_ptr, int)>(
          ctx, std::make_exception_ptr(std::logic_error("inner")), 0);
      ADD_FAILURE() << "no exception";
    } catch (const std::logic_error& e) {
      EXPECT_EQ(std::string(e.what()), "inner");
    }
  });
}

TEST(use_awaitable, timer_cancel_throws_operation_aborted) {
  rill::io_context ctx;
  run_coroutine(ctx, [&]() -> rill::awaitable<void> {
    rill::steady_timer timer(ctx, std::chrono::hours(1));
    rill::post(ctx, [&] { timer.cancel(); });
    try {
      co_await timer.async_wait(rill::use_awaitable);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), rill::error::operation_aborted);
    }
  });
}

TEST(use_awaitable, an_unawaited_operation_is_never_started) {
  rill::io_context ctx;
  int posted = 0;
  run_coroutine(ctx, [&]() -> rill::awaitable<void> {
    {
      auto op = rill::post(ctx, rill::use_awaitable);
      EXPECT_TRUE(op.valid());
    }
    posted = static_cast<int>(ctx.poll());
    co_return;
  });
  EXPECT_EQ(posted, 0);
}

TEST(use_awaitable, as_default_on_makes_use_awaitable_the_default_token) {
  rill::io_context ctx;
  using timer_type = rill::use_awaitable_t<>::as_default_on_t<rill::steady_timer>;
  run_coroutine(ctx, [&]() -> rill::awaitable<void> {
    timer_type timer(co_await rill::this_coro::executor, std::chrono::milliseconds(1));
    co_await timer.async_wait();
    auto converted = rill::use_awaitable.as_default_on(rill::steady_timer(ctx));
    converted.expires_after(std::chrono::milliseconds(1));
    co_await converted.async_wait();
  });
}

rill::awaitable<void> echo_once_per_message(tcp::socket& socket, int messages) {
  std::array<char, 64> data{};
  for (int i = 0; i < messages; ++i) {
    std::size_t n = co_await socket.async_read_some(rill::buffer(data), rill::use_awaitable);
    co_await rill::async_write(socket, rill::buffer(data, n), rill::use_awaitable);
  }
}

rill::awaitable<void> ping(tcp::socket& socket, int messages) {
  std::array<char, 64> out{};
  std::array<char, 64> in{};
  out.fill('p');
  for (int i = 0; i < messages; ++i) {
    co_await rill::async_write(socket, rill::buffer(out), rill::use_awaitable);
    co_await rill::async_read(socket, rill::buffer(in), rill::use_awaitable);
  }
}

TEST(use_awaitable, socket_ping_pong_makes_no_heap_allocation_once_warm) {
  rill::io_context ctx;
  auto pair = rill_test::make_tcp_pair(ctx);
  int finished = 0;
  auto round = [&](int messages) {
    rill::co_spawn(ctx, echo_once_per_message(pair.server, messages), [&](std::exception_ptr e) {
      EXPECT_FALSE(e);
      ++finished;
    });
    rill::co_spawn(ctx, ping(pair.client, messages), [&](std::exception_ptr e) {
      EXPECT_FALSE(e);
      ++finished;
    });
    ctx.restart();
    ctx.run();
  };
  round(10);
  rill_test::heap_scope heap;
  round(500);
  EXPECT_EQ(finished, 4);
  EXPECT_EQ(heap.count(), 0U);
}

TEST(use_awaitable, post_loop_makes_no_heap_allocation_once_warm) {
  rill::io_context ctx;
  auto loop = [&](int n) -> rill::awaitable<void> {
    for (int i = 0; i < n; ++i) co_await rill::post(ctx, rill::use_awaitable);
  };
  run_coroutine(ctx, [&] { return loop(10); });
  rill_test::heap_scope heap;
  run_coroutine(ctx, [&] { return loop(10000); });
  EXPECT_EQ(heap.count(), 0U);
}

}  // namespace
