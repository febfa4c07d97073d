// experimental::as_single: no argument stays none, one is passed as it is,
// several become a tuple; associations of the wrapped handler pass through.
#include <rill/experimental/as_single.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <future>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/buffer.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/use_future.hpp>

#include "support/complete_with.hpp"
#include "support/counting_allocator.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill::experimental::as_single;
using rill_test::allocation_log;
using rill_test::complete_with;
using rill_test::counting_allocator;
using rill_test::drained;

TEST(experimental_as_single, argument_shapes) {
  rill::io_context ioc;
  int runs = 0;
  rill::post(ioc, as_single([&] { ++runs; }));
  std::error_code one = make_error_code(std::errc::invalid_argument);
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  t.async_wait(as_single([&](std::error_code ec) {
    ++runs;
    one = ec;
  }));
  std::tuple<std::error_code, std::string> several;
  complete_with<void(const std::error_code&, const std::string&)>(
      ioc, as_single([&](std::tuple<std::error_code, std::string> r) {
        ++runs;
        several = std::move(r);
      }),
      make_error_code(std::errc::timed_out), std::string("x"));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(runs, 3);
  EXPECT_FALSE(one);
  EXPECT_EQ(several, std::make_tuple(make_error_code(std::errc::timed_out), std::string("x")));
}

TEST(experimental_as_single, with_use_future) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  char data[8] = {};
  // void(error_code, size_t) -> void(tuple<error_code, size_t>) -> future<tuple<...>>:
  // the error no longer throws.
  std::future<std::tuple<std::error_code, std::size_t>> f =
      pair.server.async_read_some(rill::buffer(data), as_single(rill::use_future));
  pair.client.close();
  ASSERT_TRUE(
      rill_test::run_until(ioc, [&] { return f.wait_for(0s) == std::future_status::ready; }));
  const auto [ec, n] = f.get();
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(experimental_as_single, allocator_passes_through) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  allocation_log log;
  int live_inside = -1;
  auto inner = rill::bind_allocator(counting_allocator<char>(log),
                                    [&](std::error_code) { live_inside = log.live(); });
  static_assert(std::is_same_v<rill::associated_allocator_t<
                                   rill::experimental::detail::as_single_handler<decltype(inner)>>,
                               counting_allocator<char>>);
  t.async_wait(as_single(std::move(inner)));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(experimental_as_single, executor_passes_through) {
  rill::io_context ioc;
  rill::io_context other;
  bool ran = false;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  t.async_wait(as_single(rill::bind_executor(other, [&](std::error_code) { ran = true; })));
  ioc.run();
  EXPECT_FALSE(ran);
  EXPECT_EQ(other.run(), 1u);
  EXPECT_TRUE(ran);
}

TEST(experimental_as_single, destroyed_context_frees_without_invoking) {
  allocation_log log;
  int runs = 0;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc);
    t.expires_after(1h);
    t.async_wait(as_single(
        rill::bind_allocator(counting_allocator<char>(log), [&](std::error_code) { ++runs; })));
    EXPECT_EQ(log.live(), 1);
    ioc.shutdown();
    EXPECT_EQ(log.live(), 0);
  }
  EXPECT_EQ(runs, 0);
}

TEST(experimental_as_single, as_default_on_a_timer) {
  using token = rill::experimental::as_single_t<rill::use_future_t<>>;
  rill::io_context ioc;
  auto t = token::as_default_on(rill::steady_timer(ioc));
  static_assert(std::is_same_v<decltype(t), token::as_default_on_t<rill::steady_timer>>);
  t.expires_after(0ms);
  std::future<void> f = t.async_wait();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_NO_THROW(f.get());
}

}  // namespace
