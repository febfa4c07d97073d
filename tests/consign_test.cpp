// consign: values live as long as the operation, the completion arguments
// are unchanged; allocator and executor of the wrapped handler pass through.
#include <rill/consign.hpp>

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

#include "support/counting_allocator.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using rill_test::drained;

TEST(consign, token_type) {
  auto handler = [] {};
  auto token = rill::consign(handler, 1, std::string("s"));
  static_assert(
      std::is_same_v<decltype(token), rill::consign_t<decltype(handler), int, std::string>>);
  EXPECT_EQ(token.values_, std::make_tuple(1, std::string("s")));
}

TEST(consign, values_live_until_the_handler_is_gone) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  auto keep = std::make_shared<int>(1);
  std::weak_ptr<int> watch = keep;
  std::error_code ec = make_error_code(std::errc::invalid_argument);
  long count_inside = 0;
  t.async_wait(rill::consign(
      [&](std::error_code e) {
        ec = e;
        count_inside = watch.use_count();
      },
      std::move(keep)));
  EXPECT_EQ(watch.use_count(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_FALSE(ec);
  // Alive while the handler ran, gone with it.
  EXPECT_EQ(count_inside, 1);
  EXPECT_TRUE(watch.expired());
}

TEST(consign, socket_read_with_use_future) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  char data[8] = {};
  auto keep = std::make_shared<int>(2);
  std::weak_ptr<int> watch = keep;
  std::future<std::size_t> f = pair.server.async_read_some(
      rill::buffer(data), rill::consign(rill::use_future, std::move(keep)));
  const std::string sent = "xyz";
  pair.client.write_some(rill::buffer(sent));
  ASSERT_TRUE(
      rill_test::run_until(ioc, [&] { return f.wait_for(0s) == std::future_status::ready; }));
  EXPECT_EQ(f.get(), 3u);
  EXPECT_TRUE(watch.expired());
  EXPECT_TRUE(drained(ioc));
}

TEST(consign, allocator_passes_through) {
  rill::io_context ioc;
  allocation_log log;
  int live_inside = -1;
  auto inner =
      rill::bind_allocator(counting_allocator<char>(log), [&] { live_inside = log.live(); });
  static_assert(std::is_same_v<
                rill::associated_allocator_t<rill::detail::consign_handler<decltype(inner), int>>,
                counting_allocator<char>>);
  rill::post(ioc, rill::consign(std::move(inner), 1));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(consign, executor_passes_through) {
  rill::io_context ioc;
  rill::io_context other;
  bool ran = false;
  rill::post(ioc, rill::consign(rill::bind_executor(other, [&] { ran = true; }), 0));
  ioc.run();
  EXPECT_FALSE(ran);
  EXPECT_EQ(other.run(), 1u);
  EXPECT_TRUE(ran);
}

TEST(consign, destroyed_context_releases_values_and_memory) {
  allocation_log log;
  auto keep = std::make_shared<int>(1);
  std::weak_ptr<int> watch = keep;
  int runs = 0;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc);
    t.expires_after(1h);
    t.async_wait(rill::consign(
        rill::bind_allocator(counting_allocator<char>(log), [&](std::error_code) { ++runs; }),
        std::move(keep)));
    EXPECT_FALSE(watch.expired());
    EXPECT_EQ(log.live(), 1);
    ioc.shutdown();
    EXPECT_TRUE(watch.expired());
    EXPECT_EQ(log.live(), 0);
  }
  EXPECT_EQ(runs, 0);
}

}  // namespace
