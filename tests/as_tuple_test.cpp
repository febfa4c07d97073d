// as_tuple: completion arguments arrive as one tuple, for handlers and for
// other tokens; the wrapper handler keeps the wrapped handler's allocator
// and executor.
#include <rill/as_tuple.hpp>

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
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/buffer.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/detached.hpp>
#include <rill/error.hpp>
#include <rill/experimental/as_tuple.hpp>
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
using io_executor = rill::io_context::executor_type;

TEST(as_tuple, token_type_and_experimental_name) {
  auto handler = [](std::tuple<>) {};
  auto token = rill::as_tuple(handler);
  static_assert(std::is_same_v<decltype(token), rill::as_tuple_t<decltype(handler)>>);
  static_assert(std::is_same_v<rill::experimental::as_tuple_t<int>, rill::as_tuple_t<int>>);
  auto experimental = rill::experimental::as_tuple(handler);
  static_assert(std::is_same_v<decltype(experimental), decltype(token)>);
  // Default-constructible when the wrapped token is: the form an executor's
  // default token takes.
  rill::as_tuple_t<rill::use_future_t<>> defaulted;
  (void)defaulted;
  // Signatures are rewritten with their qualifiers kept.
  static_assert(std::is_same_v<rill::detail::as_tuple_signature_t<void(const std::string&, int)>,
                               void(std::tuple<std::string, int>)>);
  static_assert(std::is_same_v<rill::detail::as_tuple_signature_t<void(std::error_code) &&>,
                               void(std::tuple<std::error_code>) &&>);
  static_assert(std::is_same_v<rill::detail::as_tuple_signature_t<void()& noexcept>,
                               void(std::tuple<>)& noexcept>);
  // Copies of an as_tuple_t are plain copies.
  auto copy = token;
  (void)copy;
}

TEST(as_tuple, timer_wait_and_post) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  int runs = 0;
  std::error_code seen = make_error_code(std::errc::invalid_argument);
  t.async_wait(rill::as_tuple([&](std::tuple<std::error_code> result) {
    ++runs;
    seen = std::get<0>(result);
  }));
  rill::post(ioc, rill::as_tuple([&](std::tuple<> result) {
               static_assert(std::tuple_size_v<decltype(result)> == 0);
               ++runs;
             }));
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(runs, 2);
  EXPECT_FALSE(seen);

  // An error travels inside the tuple; nothing throws.
  t.expires_after(1h);
  t.async_wait(rill::as_tuple([&](std::tuple<std::error_code> result) {
    ++runs;
    seen = std::get<0>(result);
  }));
  t.cancel();
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(seen, rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(as_tuple, arguments_are_decayed_and_moved) {
  rill::io_context ioc;
  std::tuple<std::string, int> strings;
  std::unique_ptr<int> moved;
  complete_with<void(const std::string&, int)>(
      ioc, rill::as_tuple([&](std::tuple<std::string, int> t) { strings = std::move(t); }),
      std::string("s"), 4);
  complete_with<void(std::error_code, std::unique_ptr<int>)>(
      ioc, rill::as_tuple([&](std::tuple<std::error_code, std::unique_ptr<int>> t) {
        moved = std::move(std::get<1>(t));
      }),
      std::error_code(), std::make_unique<int>(8));
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(strings, std::make_tuple(std::string("s"), 4));
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 8);
}

TEST(as_tuple, socket_read) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  char data[8] = {};
  std::tuple<std::error_code, std::size_t> result{make_error_code(std::errc::invalid_argument), 0};
  bool done = false;
  pair.server.async_read_some(rill::buffer(data),
                              rill::as_tuple([&](std::tuple<std::error_code, std::size_t> r) {
                                result = r;
                                done = true;
                              }));
  const std::string sent = "abc";
  pair.client.write_some(rill::buffer(sent));
  ASSERT_TRUE(rill_test::run_until(ioc, [&] { return done; }));
  EXPECT_FALSE(std::get<0>(result));
  EXPECT_EQ(std::get<1>(result), 3u);
  EXPECT_TRUE(drained(ioc));
}

TEST(as_tuple, allocator_of_the_wrapped_handler_is_used_and_freed_before_invoke) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  allocation_log log;
  int live_inside = -1;
  auto inner = rill::bind_allocator(counting_allocator<char>(log),
                                    [&](std::tuple<std::error_code>) { live_inside = log.live(); });
  using wrapper = rill::detail::as_tuple_handler<decltype(inner)>;
  static_assert(std::is_same_v<rill::associated_allocator_t<wrapper>, counting_allocator<char>>);
  t.async_wait(rill::as_tuple(std::move(inner)));
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.live(), 0);

  // Binding the allocator outside the adapter works too (bind_allocator of a
  // token that is not a handler).
  allocation_log outer;
  live_inside = -1;
  t.expires_after(0ms);
  t.async_wait(rill::bind_allocator(
      counting_allocator<char>(outer),
      rill::as_tuple([&](std::tuple<std::error_code>) { live_inside = outer.live(); })));
  EXPECT_EQ(outer.live(), 1);
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(outer.allocations.load(), 1);
  EXPECT_EQ(outer.live(), 0);
}

TEST(as_tuple, destroyed_context_frees_without_invoking) {
  allocation_log log;
  int runs = 0;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc);
    t.expires_after(1h);
    t.async_wait(rill::as_tuple(rill::bind_allocator(
        counting_allocator<char>(log), [&](std::tuple<std::error_code>) { ++runs; })));
    EXPECT_EQ(log.live(), 1);
    ioc.shutdown();
    EXPECT_EQ(log.live(), 0);
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.allocations.load(), 1);
}

TEST(as_tuple, executor_of_the_wrapped_handler_is_used) {
  rill::io_context ioc;
  rill::io_context other;
  auto plain = [](std::tuple<std::error_code>) {};
  using plain_wrapper = rill::detail::as_tuple_handler<decltype(plain)>;
  static_assert(!rill::detail::has_own_executor<plain_wrapper, io_executor>);
  static_assert(
      std::is_same_v<rill::associated_executor_t<plain_wrapper, io_executor>, io_executor>);

  bool ran = false;
  auto bound = rill::bind_executor(other, [&](std::tuple<std::error_code>) { ran = true; });
  using bound_wrapper = rill::detail::as_tuple_handler<decltype(bound)>;
  static_assert(std::is_same_v<rill::associated_executor_t<bound_wrapper>, io_executor>);
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  t.async_wait(rill::as_tuple(std::move(bound)));
  ioc.run();
  EXPECT_FALSE(ran);
  EXPECT_EQ(other.run(), 1u);
  EXPECT_TRUE(ran);

  // bind_executor outside the adapter.
  ran = false;
  t.expires_after(0ms);
  t.async_wait(
      rill::bind_executor(other, rill::as_tuple([&](std::tuple<std::error_code>) { ran = true; })));
  ioc.restart();
  ioc.run();
  EXPECT_FALSE(ran);
  other.restart();
  EXPECT_EQ(other.run(), 1u);
  EXPECT_TRUE(ran);
}

TEST(as_tuple, wraps_other_tokens) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(1h);
  // as_tuple(use_future): the error comes back in the tuple, not as an exception.
  std::future<std::tuple<std::error_code>> f = t.async_wait(rill::as_tuple(rill::use_future));
  t.cancel();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(std::get<0>(f.get()), rill::error::operation_aborted);

  auto values = complete_with<void(std::error_code, int)>(ioc, rill::as_tuple(rill::use_future),
                                                          std::error_code(), 3);
  static_assert(std::is_same_v<decltype(values), std::future<std::tuple<std::error_code, int>>>);
  rill::post(ioc, rill::as_tuple(rill::detached));
  ioc.restart();
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(values.get(), std::make_tuple(std::error_code(), 3));
}

TEST(as_tuple, lvalue_token_is_copied_not_emptied) {
  rill::io_context ioc;
  auto counter = std::make_shared<int>(0);
  const auto token = rill::as_tuple([counter](std::tuple<>) { ++*counter; });
  rill::post(ioc, token);
  rill::post(ioc, token);
  auto mutable_token = token;
  rill::post(ioc, mutable_token);
  rill::post(ioc, mutable_token);
  EXPECT_EQ(ioc.run(), 4u);
  EXPECT_EQ(*counter, 4);
  EXPECT_EQ(counter.use_count(), 3);
}

TEST(as_tuple, as_default_on_a_timer) {
  using token = rill::as_tuple_t<rill::use_future_t<>>;
  using ex_t = token::executor_with_default<io_executor>;
  static_assert(std::is_same_v<rill::default_completion_token_t<ex_t>, token>);
  rill::io_context ioc;
  auto t = token::as_default_on(rill::steady_timer(ioc));
  static_assert(std::is_same_v<decltype(t), token::as_default_on_t<rill::steady_timer>>);
  t.expires_after(1h);
  std::future<std::tuple<std::error_code>> f = t.async_wait();
  t.cancel();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(std::get<0>(f.get()), rill::error::operation_aborted);
}

// A handler with a cancellation slot of its own (the nested form).
struct slot_handler {
  using cancellation_slot_type = rill::cancellation_slot;
  cancellation_slot_type get_cancellation_slot() const noexcept { return slot; }
  void operator()(std::tuple<std::error_code> r) const { *result = std::get<0>(r); }
  rill::cancellation_slot slot;
  std::error_code* result;
};

TEST(as_tuple, cancellation_slot_of_the_wrapped_handler_is_used) {
  using wrapper = rill::detail::as_tuple_handler<slot_handler>;
  static_assert(
      std::is_same_v<rill::associated_cancellation_slot_t<wrapper>, rill::cancellation_slot>);
  rill::io_context ioc;
  rill::cancellation_signal signal;
  std::error_code result;
  rill::steady_timer t(ioc);
  t.expires_after(1h);
  t.async_wait(rill::as_tuple(slot_handler{signal.slot(), &result}));
  EXPECT_EQ(ioc.poll(), 0u);
  signal.emit(rill::cancellation_type::terminal);
  EXPECT_EQ(ioc.run_one_for(rill_test::io_bound), 1u);
  EXPECT_EQ(result, rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
