// detached: operations run to completion, results are dropped; the
// executor_with_default / as_default_on machinery makes it a default token.
#include <rill/detached.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>
#include <type_traits>

#include <rill/async_result.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/buffer.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>

#include "support/complete_with.hpp"
#include "support/counting_allocator.hpp"
#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using rill_test::drained;

TEST(detached, token_and_result_type) {
  static_assert(std::is_same_v<decltype(rill::detached), const rill::detached_t>);
  constexpr rill::detached_t made;
  (void)made;
  using result = rill::async_result<rill::detached_t, void(std::error_code, std::size_t)>;
  static_assert(std::is_same_v<result::return_type, void>);
  static_assert(rill::completion_handler_for<result::completion_handler_type,
                                             void(std::error_code, std::size_t)>);
  static_assert(
      std::is_void_v<decltype(rill::post(std::declval<rill::io_context&>(), rill::detached))>);
}

TEST(detached, operations_run_to_completion) {
  rill::io_context ioc;
  rill::post(ioc, rill::detached);
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  t.async_wait(rill::detached);
  rill_test::complete_with<void(std::error_code, std::string, int)>(
      ioc, rill::detached, std::error_code(), std::string("ignored"), 1);
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_TRUE(drained(ioc));
}

TEST(detached, socket_write_completes) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  const std::string sent = "detached";
  pair.client.async_write_some(rill::buffer(sent), rill::detached);
  EXPECT_EQ(ioc.run(), 1u);
  char received[16] = {};
  EXPECT_EQ(pair.server.read_some(rill::buffer(received)), sent.size());
  EXPECT_EQ(std::string(received, sent.size()), sent);
  EXPECT_TRUE(drained(ioc));
}

TEST(detached, steady_state_is_allocation_free) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  // Warm the recycling cache, then a wait and a post allocate nothing.
  for (int i = 0; i < 2; ++i) {
    rill::post(ioc, rill::detached);
    t.expires_after(0ms);
    t.async_wait(rill::detached);
    ioc.restart();
    ioc.run();
  }
  rill_test::heap_scope heap;
  rill::post(ioc, rill::detached);
  t.expires_after(0ms);
  t.async_wait(rill::detached);
  ioc.restart();
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(heap.count(), 0u);
}

TEST(detached, bound_allocator_is_used) {
  // bind_allocator(a, detached): detached is not a handler, so the binder's
  // async_result binds the handler it makes.
  rill::io_context ioc;
  allocation_log log;
  rill::post(ioc, rill::bind_allocator(counting_allocator<char>(log), rill::detached));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(log.allocations.load(), 1);
}

TEST(detached, destroyed_context_frees) {
  allocation_log log;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc);
    t.expires_after(1h);
    t.async_wait(rill::bind_allocator(counting_allocator<char>(log), rill::detached));
    EXPECT_EQ(log.live(), 1);
    ioc.shutdown();
    EXPECT_EQ(log.live(), 0);
  }
  EXPECT_EQ(log.allocations.load(), 1);
}

TEST(detached, executor_with_default) {
  using ex_t = rill::detached_t::executor_with_default<rill::io_context::executor_type>;
  static_assert(std::is_same_v<rill::default_completion_token_t<ex_t>, rill::detached_t>);
  rill::io_context ioc;
  ex_t ex = ioc.get_executor();
  EXPECT_TRUE(ex == ioc.get_executor());
  rill::post(ex, rill::detached);
  EXPECT_EQ(ioc.run(), 1u);
}

TEST(detached, as_default_on_a_timer) {
  rill::io_context ioc;
  auto t = rill::detached_t::as_default_on(rill::steady_timer(ioc));
  static_assert(std::is_same_v<decltype(t), rill::detached_t::as_default_on_t<rill::steady_timer>>);
  static_assert(std::is_same_v<rill::default_completion_token_t<decltype(t)::executor_type>,
                               rill::detached_t>);
  t.expires_after(0ms);
  t.async_wait();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
