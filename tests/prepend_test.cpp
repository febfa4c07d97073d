// prepend: values stored with the token are passed before the completion
// arguments; allocator and executor of the wrapped handler pass through.
#include <rill/prepend.hpp>

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

TEST(prepend, token_type) {
  auto handler = [](int) {};
  const std::string s = "s";
  auto token = rill::prepend(handler, 1, s);
  static_assert(
      std::is_same_v<decltype(token), rill::prepend_t<decltype(handler), int, std::string>>);
  EXPECT_EQ(token.values_, std::make_tuple(1, std::string("s")));
  auto copy = token;
  EXPECT_EQ(copy.values_, token.values_);
  auto none = rill::prepend(handler);
  auto none_copy = none;
  (void)none_copy;
}

TEST(prepend, values_precede_the_completion_arguments) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  std::error_code ec = make_error_code(std::errc::invalid_argument);
  int id = 0;
  std::string name;
  t.async_wait(rill::prepend(
      [&](int i, std::string n, std::error_code e) {
        ec = e;
        id = i;
        name = std::move(n);
      },
      42, std::string("timer")));
  int posted = 0;
  rill::post(ioc, rill::prepend([&](int v) { posted = v; }, 7));
  std::unique_ptr<int> moved;
  complete_with<void(std::string)>(
      ioc,
      rill::prepend([&](std::unique_ptr<int> p, std::string) { moved = std::move(p); },
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

TEST(prepend, socket_write_with_use_future) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  const std::string sent = "ab";
  // void(error_code, size_t) -> void(int, error_code, size_t) -> future<tuple<int, error_code,
  // size_t>>.
  std::future<std::tuple<int, std::error_code, std::size_t>> f =
      pair.client.async_write_some(rill::buffer(sent), rill::prepend(rill::use_future, 9));
  ASSERT_TRUE(
      rill_test::run_until(ioc, [&] { return f.wait_for(0s) == std::future_status::ready; }));
  EXPECT_EQ(f.get(), std::make_tuple(9, std::error_code(), sent.size()));
  EXPECT_TRUE(drained(ioc));
}

TEST(prepend, lvalue_token_keeps_its_values) {
  rill::io_context ioc;
  auto value = std::make_shared<int>(5);
  int sum = 0;
  const auto token = rill::prepend([&](std::shared_ptr<int> p) { sum += *p; }, value);
  rill::post(ioc, token);
  rill::post(ioc, token);
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(sum, 10);
  EXPECT_EQ(value.use_count(), 2);  // value and the token's copy
}

TEST(prepend, allocator_passes_through) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  allocation_log log;
  int live_inside = -1;
  auto inner = rill::bind_allocator(counting_allocator<char>(log),
                                    [&](int, std::error_code) { live_inside = log.live(); });
  static_assert(std::is_same_v<
                rill::associated_allocator_t<rill::detail::prepend_handler<decltype(inner), int>>,
                counting_allocator<char>>);
  t.async_wait(rill::prepend(std::move(inner), 1));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(prepend, executor_passes_through) {
  rill::io_context ioc;
  rill::io_context other;
  int got = 0;
  rill::post(ioc, rill::prepend(rill::bind_executor(other, [&](int v) { got = v; }), 4));
  ioc.run();
  EXPECT_EQ(got, 0);
  EXPECT_EQ(other.run(), 1u);
  EXPECT_EQ(got, 4);
}

TEST(prepend, destroyed_context_frees_without_invoking) {
  allocation_log log;
  auto value = std::make_shared<int>(1);
  int runs = 0;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc);
    t.expires_after(1h);
    t.async_wait(
        rill::prepend(rill::bind_allocator(counting_allocator<char>(log),
                                           [&](std::shared_ptr<int>, std::error_code) { ++runs; }),
                      value));
    EXPECT_EQ(value.use_count(), 2);
    ioc.shutdown();
    EXPECT_EQ(log.live(), 0);
    EXPECT_EQ(value.use_count(), 1);
  }
  EXPECT_EQ(runs, 0);
}

TEST(prepend, composes_with_redirect_error_and_as_tuple) {
  rill::io_context ioc;
  std::error_code ec;
  std::tuple<int, std::size_t> got;
  // redirect_error takes the code out, prepend adds 8, as_tuple packs the rest.
  complete_with<void(std::error_code, std::size_t)>(
      ioc,
      rill::redirect_error(
          rill::prepend(rill::as_tuple([&](std::tuple<int, std::size_t> r) { got = r; }), 8), ec),
      make_error_code(std::errc::timed_out), 1u);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(ec, make_error_code(std::errc::timed_out));
  EXPECT_EQ(got, std::make_tuple(8, std::size_t{1}));
}

}  // namespace
