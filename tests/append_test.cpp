// append: values stored with the token are passed after the completion
// arguments; allocator and executor of the wrapped handler pass through.
#include <rill/append.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/as_tuple.hpp>
#include <rill/associated_allocator.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/buffer.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/post.hpp>
#include <rill/redirect_error.hpp>
#include <rill/steady_timer.hpp>
#include <rill/use_future.hpp>

#include "support/complete_with.hpp"
#include "support/counting_allocator.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::complete_with;
using rill_test::counting_allocator;
using rill_test::drained;

TEST(append, token_type) {
  auto handler = [](int) {};
  const std::string s = "s";
  auto token = rill::append(handler, 1, s);
  static_assert(
      std::is_same_v<decltype(token), rill::append_t<decltype(handler), int, std::string>>);
  EXPECT_EQ(token.values_, std::make_tuple(1, std::string("s")));
  auto copy = token;
  EXPECT_EQ(copy.values_, token.values_);
  auto none = rill::append(handler);
  auto none_copy = none;
  (void)none_copy;
}

TEST(append, values_follow_the_completion_arguments) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  std::error_code ec = make_error_code(std::errc::invalid_argument);
  int id = 0;
  std::string name;
  t.async_wait(rill::append(
      [&](std::error_code e, int i, std::string n) {
        ec = e;
        id = i;
        name = std::move(n);
      },
      42, std::string("timer")));
  int posted = 0;
  rill::post(ioc, rill::append([&](int v) { posted = v; }, 7));
  std::unique_ptr<int> moved;
  complete_with<void(std::string)>(
      ioc,
      rill::append([&](std::string, std::unique_ptr<int> p) { moved = std::move(p); },
                   std::make_unique<int>(3)),
      std::string("x"));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(id, 42);
  EXPECT_EQ(name, "timer");
  EXPECT_EQ(posted, 7);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 3);
}

TEST(append, socket_write_with_use_future) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  const std::string sent = "ab";
  // void(error_code, size_t) -> void(error_code, size_t, int) -> future<tuple<size_t, int>>.
  std::future<std::tuple<std::size_t, int>> f =
      pair.client.async_write_some(rill::buffer(sent), rill::append(rill::use_future, 9));
  ASSERT_TRUE(
      rill_test::run_until(ioc, [&] { return f.wait_for(0s) == std::future_status::ready; }));
  EXPECT_EQ(f.get(), std::make_tuple(sent.size(), 9));
  EXPECT_TRUE(drained(ioc));
}

TEST(append, lvalue_token_keeps_its_values) {
  rill::io_context ioc;
  auto value = std::make_shared<int>(5);
  int sum = 0;
  const auto token = rill::append([&](std::shared_ptr<int> p) { sum += *p; }, value);
  rill::post(ioc, token);
  rill::post(ioc, token);
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(sum, 10);
  EXPECT_EQ(value.use_count(), 2);  // value and the token's copy
}

TEST(append, allocator_passes_through) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  allocation_log log;
  int live_inside = -1;
  auto inner = rill::bind_allocator(counting_allocator<char>(log),
                                    [&](std::error_code, int) { live_inside = log.live(); });
  static_assert(std::is_same_v<
                rill::associated_allocator_t<rill::detail::append_handler<decltype(inner), int>>,
                counting_allocator<char>>);
  t.async_wait(rill::append(std::move(inner), 1));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(append, executor_passes_through) {
  rill::io_context ioc;
  rill::io_context other;
  int got = 0;
  rill::post(ioc, rill::append(rill::bind_executor(other, [&](int v) { got = v; }), 4));
  ioc.run();
  EXPECT_EQ(got, 0);
  EXPECT_EQ(other.run(), 1u);
  EXPECT_EQ(got, 4);
}

TEST(append, destroyed_context_frees_without_invoking) {
  allocation_log log;
  auto value = std::make_shared<int>(1);
  int runs = 0;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc);
    t.expires_after(1h);
    t.async_wait(
        rill::append(rill::bind_allocator(counting_allocator<char>(log),
                                          [&](std::error_code, std::shared_ptr<int>) { ++runs; }),
                     value));
    EXPECT_EQ(value.use_count(), 2);
    ioc.shutdown();
    EXPECT_EQ(log.live(), 0);
    EXPECT_EQ(value.use_count(), 1);
  }
  EXPECT_EQ(runs, 0);
}

TEST(append, composes_with_redirect_error_and_as_tuple) {
  rill::io_context ioc;
  std::error_code ec;
  std::tuple<std::size_t, int> got;
  // redirect_error takes the code out, append adds 8, as_tuple packs the rest.
  complete_with<void(std::error_code, std::size_t)>(
      ioc,
      rill::redirect_error(
          rill::append(rill::as_tuple([&](std::tuple<std::size_t, int> r) { got = r; }), 8), ec),
      make_error_code(std::errc::timed_out), 1u);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(ec, make_error_code(std::errc::timed_out));
  EXPECT_EQ(got, std::make_tuple(std::size_t{1}, 8));
}

}  // namespace
