// redirect_error: the error_code goes to a variable and leaves the
// signature; other arguments, allocator and executor pass through.
#include <rill/redirect_error.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <future>
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

TEST(redirect_error, token_type) {
  std::error_code ec;
  auto handler = [] {};
  auto token = rill::redirect_error(handler, ec);
  static_assert(std::is_same_v<decltype(token), rill::redirect_error_t<decltype(handler)>>);
  EXPECT_EQ(&token.ec_, &ec);
  using rill::detail::redirect_error_signature_t;
  static_assert(std::is_same_v<redirect_error_signature_t<void(std::error_code, std::size_t)>,
                               void(std::size_t)>);
  static_assert(std::is_same_v<redirect_error_signature_t<void(const std::error_code&)&& noexcept>,
                               void()&& noexcept>);
  static_assert(std::is_same_v<redirect_error_signature_t<void(int, std::error_code)>,
                               void(int, std::error_code)>);
}

TEST(redirect_error, timer_stores_the_code) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  std::error_code ec = make_error_code(std::errc::invalid_argument);
  int runs = 0;
  t.expires_after(0ms);
  t.async_wait(rill::redirect_error([&] { ++runs; }, ec));
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(ec);

  t.expires_after(1h);
  std::error_code seen_inside;
  t.async_wait(rill::redirect_error(
      [&] {
        ++runs;
        seen_inside = ec;  // stored before the handler runs
      },
      ec));
  t.cancel();
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(ec, rill::error::operation_aborted);
  EXPECT_EQ(seen_inside, rill::error::operation_aborted);
}

TEST(redirect_error, other_arguments_and_signatures) {
  rill::io_context ioc;
  std::error_code ec;
  std::size_t n = 0;
  std::string s;
  complete_with<void(const std::error_code&, std::size_t)>(
      ioc, rill::redirect_error([&](std::size_t v) { n = v; }, ec),
      make_error_code(std::errc::broken_pipe), 6u);
  // A signature without an error_code passes unchanged.
  complete_with<void(std::string)>(ioc, rill::redirect_error([&](std::string v) { s = v; }, ec),
                                   std::string("kept"));
  // post's void() too.
  int posted = 0;
  rill::post(ioc, rill::redirect_error([&] { ++posted; }, ec));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(n, 6u);
  EXPECT_EQ(ec, make_error_code(std::errc::broken_pipe));
  EXPECT_EQ(s, "kept");
  EXPECT_EQ(posted, 1);
}

TEST(redirect_error, socket_read_with_use_future) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  char data[8] = {};
  std::error_code ec;
  // void(error_code, size_t) -> void(size_t): the future never throws.
  std::future<std::size_t> f =
      pair.server.async_read_some(rill::buffer(data), rill::redirect_error(rill::use_future, ec));
  pair.client.close();
  ASSERT_TRUE(
      rill_test::run_until(ioc, [&] { return f.wait_for(0s) == std::future_status::ready; }));
  EXPECT_EQ(f.get(), 0u);
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

TEST(redirect_error, allocator_passes_through) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  allocation_log log;
  std::error_code ec;
  int live_inside = -1;
  auto inner =
      rill::bind_allocator(counting_allocator<char>(log), [&] { live_inside = log.live(); });
  static_assert(std::is_same_v<
                rill::associated_allocator_t<rill::detail::redirect_error_handler<decltype(inner)>>,
                counting_allocator<char>>);
  t.async_wait(rill::redirect_error(std::move(inner), ec));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(redirect_error, executor_passes_through) {
  rill::io_context ioc;
  rill::io_context other;
  std::error_code ec;
  bool ran = false;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  t.async_wait(rill::redirect_error(rill::bind_executor(other, [&] { ran = true; }), ec));
  ioc.run();
  EXPECT_FALSE(ran);
  EXPECT_EQ(other.run(), 1u);
  EXPECT_TRUE(ran);
}

TEST(redirect_error, destroyed_context_frees_without_invoking) {
  allocation_log log;
  std::error_code ec = make_error_code(std::errc::invalid_argument);
  int runs = 0;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc);
    t.expires_after(1h);
    t.async_wait(rill::redirect_error(
        rill::bind_allocator(counting_allocator<char>(log), [&] { ++runs; }), ec));
    EXPECT_EQ(log.live(), 1);
    ioc.shutdown();
    EXPECT_EQ(log.live(), 0);
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(ec, make_error_code(std::errc::invalid_argument));
}

TEST(redirect_error, composes_with_as_tuple) {
  rill::io_context ioc;
  allocation_log log;
  std::error_code ec;
  int live_inside = -1;
  std::tuple<std::size_t> inner_result;
  // as_tuple(redirect_error(h, ec)): void(error_code, size_t) -> void(tuple<error_code, size_t>)
  // for redirect_error, which passes it on unchanged (no leading error_code).
  complete_with<void(std::error_code, std::size_t)>(
      ioc,
      rill::as_tuple(rill::redirect_error(
          rill::bind_allocator(counting_allocator<char>(log),
                               [&](std::tuple<std::error_code, std::size_t> r) {
                                 live_inside = log.live();
                                 inner_result = std::get<1>(r);
                               }),
          ec)),
      make_error_code(std::errc::timed_out), 2u);
  // redirect_error(as_tuple(h), ec): the code is taken out first, the rest
  // becomes the tuple.
  std::tuple<std::size_t> redirected_first;
  std::error_code ec2;
  complete_with<void(std::error_code, std::size_t)>(
      ioc,
      rill::redirect_error(rill::as_tuple([&](std::tuple<std::size_t> r) { redirected_first = r; }),
                           ec2),
      make_error_code(std::errc::broken_pipe), 3u);
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(std::get<0>(inner_result), 2u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(std::get<0>(redirected_first), 3u);
  EXPECT_EQ(ec2, make_error_code(std::errc::broken_pipe));
}

}  // namespace
