// Tests for rill/experimental/awaitable_operators.hpp: && and || on
// awaitables - results, flattening, cancellation of the loser, failures,
// and where the operands' memory comes from.
#include <rill/experimental/awaitable_operators.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>

#include <rill/bind_allocator.hpp>
#include <rill/co_spawn.hpp>
#include <rill/detached.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/steady_timer.hpp>
#include <rill/system_error.hpp>
#include <rill/use_awaitable.hpp>

#include "support/counting_allocator.hpp"

namespace {

using namespace std::chrono_literals;
using namespace rill::experimental::awaitable_operators;
using clock_type = std::chrono::steady_clock;

// Counts how the operands ended.
struct tally {
  int completed = 0;
  int aborted = 0;
};

template <typename T>
rill::awaitable<T> after(std::chrono::milliseconds d, T value, tally& t) {
  rill::steady_timer timer(co_await rill::this_coro::executor, d);
  try {
    co_await timer.async_wait(rill::use_awaitable);
  } catch (const rill::system_error& e) {
    if (e.code() == rill::error::operation_aborted) ++t.aborted;
    throw;
  }
  ++t.completed;
  co_return value;
}

rill::awaitable<void> sleep_for(std::chrono::milliseconds d, tally& t) { co_await after(d, 0, t); }

rill::awaitable<int> fail_after(std::chrono::milliseconds d, tally& t) {
  co_await after(d, 0, t);
  throw std::runtime_error("failed");
}

// Runs the coroutine to the end (bounded) and reports its exception.
template <typename F>
std::exception_ptr run(rill::io_context& ctx, F f) {
  std::exception_ptr error;
  bool done = false;
  rill::co_spawn(ctx, std::move(f), [&](std::exception_ptr e) {
    error = e;
    done = true;
  });
  ctx.run_for(10s);
  EXPECT_TRUE(done);
  return error;
}

TEST(awaitable_operators, and_yields_both_values_as_a_tuple) {
  rill::io_context ctx;
  tally t;
  std::tuple<int, std::string> result;
  EXPECT_FALSE(run(ctx, [&]() -> rill::awaitable<void> {
    result = co_await (after(5ms, 1, t) && after(1ms, std::string("two"), t));
  }));
  EXPECT_EQ(result, std::make_tuple(1, std::string("two")));
  EXPECT_EQ(t.completed, 2);
}

TEST(awaitable_operators, and_with_void_operands) {
  rill::io_context ctx;
  tally t;
  int value = 0;
  EXPECT_FALSE(run(ctx, [&]() -> rill::awaitable<void> {
    value = co_await (sleep_for(1ms, t) && after(1ms, 7, t));
    value += co_await (after(1ms, 10, t) && sleep_for(1ms, t));
    co_await (sleep_for(1ms, t) && sleep_for(1ms, t));
  }));
  EXPECT_EQ(value, 17);
  EXPECT_EQ(t.completed, 6);
}

TEST(awaitable_operators, and_chains_flatten_into_one_tuple) {
  rill::io_context ctx;
  tally t;
  std::tuple<int, char, double> result;
  EXPECT_FALSE(run(ctx, [&]() -> rill::awaitable<void> {
    result = co_await ((after(1ms, 1, t) && after(2ms, 'c', t)) && after(1ms, 2.5, t));
  }));
  EXPECT_EQ(result, std::make_tuple(1, 'c', 2.5));
}

TEST(awaitable_operators, and_cancels_the_other_when_one_fails) {
  rill::io_context ctx;
  tally t;
  const auto start = clock_type::now();
  std::exception_ptr e = run(
      ctx, [&]() -> rill::awaitable<void> { co_await (fail_after(1ms, t) && after(1h, 1, t)); });
  ASSERT_TRUE(e);
  // The cancelled operand fails too (operation_aborted), so, as in Asio, the
  // result is multiple_exceptions carrying the failure that came first.
  try {
    std::rethrow_exception(e);
  } catch (const rill::multiple_exceptions& m) {
    EXPECT_THROW(std::rethrow_exception(m.first_exception()), std::runtime_error);
  }
  EXPECT_EQ(t.aborted, 1);  // the hour-long wait was cancelled
  EXPECT_LT(clock_type::now() - start, 5s);
}

TEST(awaitable_operators, and_rethrows_the_failure_when_the_other_succeeded) {
  rill::io_context ctx;
  tally t;
  std::exception_ptr e = run(
      ctx, [&]() -> rill::awaitable<void> { co_await (after(1ms, 1, t) && fail_after(5ms, t)); });
  ASSERT_TRUE(e);
  EXPECT_THROW(std::rethrow_exception(e), std::runtime_error);
  EXPECT_EQ(t.aborted, 0);
}

TEST(awaitable_operators, or_yields_the_first_success_and_cancels_the_other) {
  rill::io_context ctx;
  tally t;
  std::variant<int, std::string> result;
  const auto start = clock_type::now();
  EXPECT_FALSE(run(ctx, [&]() -> rill::awaitable<void> {
    result = co_await (after(1h, 1, t) || after(1ms, std::string("fast"), t));
  }));
  ASSERT_EQ(result.index(), 1u);
  EXPECT_EQ(std::get<1>(result), "fast");
  EXPECT_EQ(t.aborted, 1);
  EXPECT_LT(clock_type::now() - start, 5s);
}

TEST(awaitable_operators, or_skips_a_failure_for_the_later_success) {
  rill::io_context ctx;
  tally t;
  std::variant<int, int> result;
  EXPECT_FALSE(run(ctx, [&]() -> rill::awaitable<void> {
    result = co_await (fail_after(1ms, t) || after(5ms, 42, t));
  }));
  ASSERT_EQ(result.index(), 1u);
  EXPECT_EQ(std::get<1>(result), 42);
}

TEST(awaitable_operators, or_of_two_failures_throws_multiple_exceptions_with_the_first) {
  rill::io_context ctx;
  tally t;
  std::exception_ptr e = run(
      ctx, [&]() -> rill::awaitable<void> { co_await (fail_after(1ms, t) || fail_after(5ms, t)); });
  ASSERT_TRUE(e);
  try {
    std::rethrow_exception(e);
  } catch (const rill::multiple_exceptions& m) {
    EXPECT_STREQ(m.what(), "multiple exceptions");
    EXPECT_THROW(std::rethrow_exception(m.first_exception()), std::runtime_error);
  }
}

TEST(awaitable_operators, or_chains_widen_the_variant_and_void_is_monostate) {
  rill::io_context ctx;
  tally t;
  std::variant<int, char, std::monostate> result;
  EXPECT_FALSE(run(ctx, [&]() -> rill::awaitable<void> {
    result = co_await ((after(1h, 1, t) || after(1h, 'c', t)) || sleep_for(1ms, t));
  }));
  EXPECT_EQ(result.index(), 2u);
  EXPECT_EQ(t.aborted, 2);
}

TEST(awaitable_operators, operands_use_the_coroutine_threads_allocator) {
  rill::io_context ctx;
  rill_test::allocation_log log;
  tally t;
  int live_in_handler = -1;
  std::variant<int, int> result;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> { result = co_await (after(1h, 1, t) || after(1ms, 2, t)); },
      rill::bind_allocator(rill_test::counting_allocator<char>(log),
                           [&](std::exception_ptr) { live_in_handler = log.live(); }));
  ctx.run_for(10s);
  EXPECT_EQ(result.index(), 1u);
  EXPECT_GT(log.allocations.load(), 4);  // frames of both operands and their wrappers
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
