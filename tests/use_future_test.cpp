// use_future: the future each completion signature gives, errors and
// exceptions through get(), the packaged-task form, and where the promise's
// shared state and the operation's memory come from.
#include <rill/use_future.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <exception>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/buffer.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/system_error.hpp>

#include "support/complete_with.hpp"
#include "support/counting_allocator.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::complete_with;
using rill_test::counting_allocator;
using rill_test::drained;

template <typename T>
bool ready(const std::future<T>& f) {
  return f.wait_for(0s) == std::future_status::ready;
}

// How many allocations a std::promise constructed with an allocator makes
// for its shared state (an implementation detail of the standard library).
template <typename T>
int promise_allocations() {
  allocation_log log;
  { std::promise<T> p(std::allocator_arg, counting_allocator<char>(log)); }
  return log.allocations.load();
}

template <typename Sig>
using future_for = typename rill::async_result<rill::use_future_t<>, Sig>::return_type;

TEST(use_future, future_type_per_signature) {
  static_assert(std::is_same_v<future_for<void()>, std::future<void>>);
  static_assert(std::is_same_v<future_for<void(std::error_code)>, std::future<void>>);
  static_assert(std::is_same_v<future_for<void(const std::error_code&)>, std::future<void>>);
  static_assert(std::is_same_v<future_for<void(std::exception_ptr)>, std::future<void>>);
  static_assert(std::is_same_v<future_for<void(int)>, std::future<int>>);
  static_assert(std::is_same_v<future_for<void(const std::string&)>, std::future<std::string>>);
  static_assert(
      std::is_same_v<future_for<void(std::error_code, std::size_t)>, std::future<std::size_t>>);
  static_assert(std::is_same_v<future_for<void(std::exception_ptr, int)>, std::future<int>>);
  static_assert(std::is_same_v<future_for<void(int, std::string)>,
                               std::future<std::tuple<int, std::string>>>);
  static_assert(std::is_same_v<future_for<void(std::error_code, int, std::string)>,
                               std::future<std::tuple<int, std::string>>>);
  static_assert(std::is_same_v<future_for<void(std::exception_ptr, int, long)>,
                               std::future<std::tuple<int, long>>>);
  static_assert(std::is_same_v<future_for<void(std::error_code) &&>, std::future<void>>);
}

TEST(use_future, token_accessors) {
  static_assert(std::is_same_v<decltype(rill::use_future), const rill::use_future_t<>>);
  constexpr rill::use_future_t<> made{};
  (void)made;
  allocation_log log;
  counting_allocator<char> alloc(log);
  auto rebound = rill::use_future.rebind(alloc);
  static_assert(std::is_same_v<decltype(rebound), rill::use_future_t<counting_allocator<char>>>);
  static_assert(std::is_same_v<decltype(rebound)::allocator_type, counting_allocator<char>>);
  EXPECT_EQ(&rebound.get_allocator().log(), &log);
  auto indexed = rill::use_future[alloc];
  static_assert(std::is_same_v<decltype(indexed), rill::use_future_t<counting_allocator<char>>>);
  EXPECT_EQ(&indexed.get_allocator().log(), &log);
  EXPECT_EQ(log.allocations.load(), 0);
}

TEST(use_future, post_completes_a_future_void) {
  rill::io_context ioc;
  std::future<void> f = rill::post(ioc, rill::use_future);
  EXPECT_FALSE(ready(f));
  EXPECT_EQ(ioc.run(), 1u);
  ASSERT_TRUE(ready(f));
  EXPECT_NO_THROW(f.get());
  EXPECT_TRUE(drained(ioc));
}

TEST(use_future, timer_wait_success_and_cancellation) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  std::future<void> ok = t.async_wait(rill::use_future);
  EXPECT_EQ(ioc.run(), 1u);
  ASSERT_TRUE(ready(ok));
  EXPECT_NO_THROW(ok.get());

  // An error_code that is set becomes a system_error thrown by get().
  t.expires_after(1h);
  std::future<void> aborted = t.async_wait(rill::use_future);
  t.cancel();
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1u);
  ASSERT_TRUE(ready(aborted));
  try {
    aborted.get();
    ADD_FAILURE() << "no exception";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::operation_aborted);
  }
  EXPECT_TRUE(drained(ioc));
}

TEST(use_future, values_and_errors_per_signature) {
  rill::io_context ioc;
  auto no_args = complete_with<void()>(ioc, rill::use_future);
  auto ec_ok = complete_with<void(std::error_code)>(ioc, rill::use_future, std::error_code());
  auto ec_bad = complete_with<void(std::error_code)>(ioc, rill::use_future,
                                                     make_error_code(std::errc::connection_reset));
  auto one = complete_with<void(int)>(ioc, rill::use_future, 7);
  auto ec_value = complete_with<void(std::error_code, std::size_t)>(ioc, rill::use_future,
                                                                    std::error_code(), 5u);
  auto ec_value_bad = complete_with<void(const std::error_code&, std::size_t)>(
      ioc, rill::use_future, make_error_code(std::errc::broken_pipe), 5u);
  auto several = complete_with<void(int, std::string)>(ioc, rill::use_future, 1, "one");
  auto ec_several = complete_with<void(std::error_code, int, std::string)>(
      ioc, rill::use_future, std::error_code(), 2, "two");
  auto ec_several_bad = complete_with<void(std::error_code, int, std::string)>(
      ioc, rill::use_future, make_error_code(std::errc::timed_out), 2, "two");
  auto move_only = complete_with<void(std::error_code, std::unique_ptr<int>)>(
      ioc, rill::use_future, std::error_code(), std::make_unique<int>(9));
  EXPECT_FALSE(ready(no_args));
  EXPECT_EQ(ioc.run(), 10u);

  EXPECT_NO_THROW(no_args.get());
  EXPECT_NO_THROW(ec_ok.get());
  EXPECT_EQ(rill_test::thrown_code([&] { ec_bad.get(); }),
            make_error_code(std::errc::connection_reset));
  EXPECT_EQ(one.get(), 7);
  EXPECT_EQ(ec_value.get(), 5u);
  EXPECT_EQ(rill_test::thrown_code([&] { (void)ec_value_bad.get(); }),
            make_error_code(std::errc::broken_pipe));
  EXPECT_EQ(several.get(), std::make_tuple(1, std::string("one")));
  EXPECT_EQ(ec_several.get(), std::make_tuple(2, std::string("two")));
  EXPECT_EQ(rill_test::thrown_code([&] { (void)ec_several_bad.get(); }),
            make_error_code(std::errc::timed_out));
  EXPECT_EQ(*move_only.get(), 9);
  EXPECT_TRUE(drained(ioc));
}

TEST(use_future, exception_ptr_is_rethrown) {
  rill::io_context ioc;
  auto none = complete_with<void(std::exception_ptr)>(ioc, rill::use_future, std::exception_ptr());
  auto thrown = complete_with<void(std::exception_ptr)>(
      ioc, rill::use_future, std::make_exception_ptr(std::runtime_error("boom")));
  auto with_value = complete_with<void(std::exception_ptr, std::string)>(ioc, rill::use_future,
                                                                         std::exception_ptr(), "v");
  auto with_value_thrown = complete_with<void(std::exception_ptr, std::string)>(
      ioc, rill::use_future, std::make_exception_ptr(std::logic_error("bad")), "v");
  auto several = complete_with<void(std::exception_ptr, int, int)>(ioc, rill::use_future,
                                                                   std::exception_ptr(), 3, 4);
  EXPECT_EQ(ioc.run(), 5u);
  EXPECT_NO_THROW(none.get());
  EXPECT_THROW(thrown.get(), std::runtime_error);
  EXPECT_EQ(with_value.get(), "v");
  EXPECT_THROW((void)with_value_thrown.get(), std::logic_error);
  EXPECT_EQ(several.get(), std::make_tuple(3, 4));
}

TEST(use_future, socket_operations) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  const std::string sent = "hello";
  char received[16] = {};
  std::future<std::size_t> read =
      pair.server.async_read_some(rill::buffer(received), rill::use_future);
  std::future<std::size_t> written =
      pair.client.async_write_some(rill::buffer(sent), rill::use_future);
  ASSERT_TRUE(rill_test::run_until(ioc, [&] { return ready(read) && ready(written); }));
  EXPECT_EQ(written.get(), sent.size());
  EXPECT_EQ(read.get(), sent.size());
  EXPECT_EQ(std::string(received, sent.size()), sent);

  // A read on a closed peer fails: system_error(eof) from get().
  pair.client.close();
  std::future<std::size_t> eof =
      pair.server.async_read_some(rill::buffer(received), rill::use_future);
  ASSERT_TRUE(rill_test::run_until(ioc, [&] { return ready(eof); }));
  EXPECT_EQ(rill_test::thrown_code([&] { (void)eof.get(); }), rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

TEST(use_future, allocator_serves_operation_and_shared_state) {
  const int state = promise_allocations<void>();
  ASSERT_GE(state, 1);
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  allocation_log log;
  {
    std::future<void> f = t.async_wait(rill::use_future.rebind(counting_allocator<char>(log)));
    // The shared state and the pending wait.
    EXPECT_EQ(log.allocations.load(), state + 1);
    EXPECT_EQ(log.live(), state + 1);
    EXPECT_EQ(ioc.run(), 1u);
    // The wait's memory is back; the future still holds the shared state.
    EXPECT_EQ(log.live(), state);
    EXPECT_NO_THROW(f.get());
  }
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(log.allocations.load(), state + 1);

  // The same through post.
  allocation_log posted;
  {
    auto f = rill::post(ioc, rill::use_future.rebind(counting_allocator<char>(posted)));
    EXPECT_EQ(posted.live(), state + 1);
    ioc.restart();
    EXPECT_EQ(ioc.run(), 1u);
    EXPECT_EQ(posted.live(), state);
  }
  EXPECT_EQ(posted.live(), 0);
}

TEST(use_future, operation_memory_is_freed_before_the_function_runs) {
  const int state = promise_allocations<int>();
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(0ms);
  allocation_log log;
  int live_inside = -1;
  auto token = rill::use_future.rebind(counting_allocator<char>(log));
  std::future<int> f = t.async_wait(token([&](std::error_code ec) {
    live_inside = log.live();
    return ec ? -1 : 1;
  }));
  EXPECT_EQ(log.live(), state + 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, state);
  EXPECT_EQ(f.get(), 1);
}

TEST(use_future, destroyed_context_breaks_the_promise_and_frees) {
  const int state = promise_allocations<void>();
  allocation_log log;
  std::future<void> f;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer t(ioc);
    t.expires_after(1h);
    f = t.async_wait(rill::use_future.rebind(counting_allocator<char>(log)));
    EXPECT_EQ(log.live(), state + 1);
    ioc.shutdown();
    // The wait is destroyed without running: its memory is back.
    EXPECT_EQ(log.live(), state);
  }
  ASSERT_TRUE(ready(f));
  try {
    f.get();
    ADD_FAILURE() << "no exception";
  } catch (const std::future_error& e) {
    EXPECT_EQ(e.code(), std::future_errc::broken_promise);
  }
  f = std::future<void>();
  EXPECT_EQ(log.live(), 0);
}

TEST(use_future, packaged_task_form) {
  rill::io_context ioc;
  auto doubled = complete_with<void(std::error_code, std::size_t)>(
      ioc, rill::use_future([](std::error_code ec, std::size_t n) { return ec ? 0 : n * 2; }),
      std::error_code(), 21u);
  static_assert(std::is_same_v<decltype(doubled), std::future<std::size_t>>);
  int seen = 0;
  auto void_result = complete_with<void(int)>(ioc, rill::use_future([&](int v) { seen = v; }), 5);
  static_assert(std::is_same_v<decltype(void_result), std::future<void>>);
  auto throwing = complete_with<void()>(
      ioc, rill::use_future([]() -> int { throw std::runtime_error("in function"); }));
  // The error_code is the function's to interpret: no system_error here.
  auto sees_error = complete_with<void(std::error_code)>(
      ioc, rill::use_future([](std::error_code ec) { return ec.value(); }),
      make_error_code(std::errc::timed_out));
  EXPECT_EQ(ioc.run(), 4u);
  EXPECT_EQ(doubled.get(), 42u);
  EXPECT_NO_THROW(void_result.get());
  EXPECT_EQ(seen, 5);
  EXPECT_THROW((void)throwing.get(), std::runtime_error);
  EXPECT_EQ(sees_error.get(), static_cast<int>(std::errc::timed_out));
}

TEST(use_future, packaged_task_with_a_timer) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(1h);
  std::future<bool> f = t.async_wait(
      rill::use_future([](std::error_code ec) { return ec == rill::error::operation_aborted; }));
  t.cancel();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_TRUE(f.get());
}

TEST(use_future, completion_from_another_thread) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(1ms);
  std::future<void> f = t.async_wait(rill::use_future);
  std::thread runner([&] { ioc.run(); });
  EXPECT_EQ(f.wait_for(rill_test::io_bound), std::future_status::ready);
  runner.join();
  EXPECT_NO_THROW(f.get());
}

TEST(use_future, legacy_async_result_form) {
  // Code written against the legacy protocol names the handler type and
  // builds the result object from it.
  using result = rill::async_result<rill::use_future_t<>, void(std::error_code, int)>;
  result::completion_handler_type handler(rill::use_future);
  result r(handler);
  std::move(handler)(std::error_code(), 3);
  std::future<int> f = r.get();
  EXPECT_EQ(f.get(), 3);
}

}  // namespace
