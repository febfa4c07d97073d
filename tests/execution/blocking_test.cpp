// Tests for rill/execution/blocking.hpp: the values, their defaults, and what
// rill's executors do with them (never never runs inline, always really
// waits for the function to have run).
#include <rill/execution/blocking.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <type_traits>

#include <rill/any_io_executor.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/prefer.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
#include <rill/system_executor.hpp>
#include <rill/thread_pool.hpp>

namespace {

using namespace std::chrono_literals;
namespace execution = rill::execution;
using io_executor = rill::io_context::executor_type;
using pool_executor = rill::thread_pool::executor_type;

struct plain_executor {
  template <typename F>
  void execute(F&& f) const {
    f();
  }
  [[maybe_unused]] friend bool operator==(const plain_executor&, const plain_executor&) = default;
};

// Values compare as values; a default-constructed blocking_t is none of them.
static_assert(execution::blocking == execution::blocking_t());
static_assert(execution::blocking_t(execution::blocking.never) == execution::blocking.never);
static_assert(!(execution::blocking_t(execution::blocking.never) == execution::blocking.always));
static_assert(!(execution::blocking == execution::blocking.possibly));
static_assert(execution::blocking_t::never_t::value() == execution::blocking.never);
static_assert(execution::blocking_t::is_requirable == false);
static_assert(execution::blocking_t::never_t::is_requirable);
static_assert(execution::blocking_t::always_t::is_preferable);
static_assert(std::is_same_v<execution::blocking_t::never_t::polymorphic_query_result_type,
                             execution::blocking_t>);

// An executor that says nothing is blocking.possibly, statically.
static_assert(execution::blocking_t::static_query_v<plain_executor> ==
              execution::blocking.possibly);
static_assert(rill::query(plain_executor(), execution::blocking) == execution::blocking.possibly);
static_assert(!rill::can_require_v<plain_executor, execution::blocking_t::never_t>);
static_assert(
    std::is_same_v<rill::require_result_t<const plain_executor&, execution::blocking_t::possibly_t>,
                   const plain_executor&>);
// Not applicable to non-executors.
static_assert(!rill::can_query_v<int, execution::blocking_t>);

// rill's executors state their blocking in their type.
static_assert(execution::blocking_t::static_query_v<io_executor> == execution::blocking.possibly);
using io_never = std::decay_t<rill::require_result_t<io_executor, execution::blocking_t::never_t>>;
static_assert(execution::blocking_t::static_query_v<io_never> == execution::blocking.never);
static_assert(std::is_same_v<
              std::decay_t<rill::require_result_t<io_never, execution::blocking_t::possibly_t>>,
              io_executor>);
// Requiring what the type already has returns the executor itself.
static_assert(
    std::is_same_v<rill::require_result_t<const io_never&, execution::blocking_t::never_t>,
                   const io_never&>);
// An io_context executor cannot block until the function has run.
static_assert(!rill::can_require_v<io_executor, execution::blocking_t::always_t>);
static_assert(rill::can_require_v<pool_executor, execution::blocking_t::always_t>);
static_assert(rill::can_require_v<rill::system_executor, execution::blocking_t::always_t>);

TEST(blocking, io_context_possibly_runs_inline_inside_the_context) {
  rill::io_context ioc;
  int order = 0;
  int inner_at = -1;
  rill::post(ioc, [&] {
    execution::execute(ioc.get_executor(), [&] { inner_at = order++; });
    ++order;
  });
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(inner_at, 0);  // ran before the outer handler went on
}

TEST(blocking, io_context_never_never_runs_inline) {
  rill::io_context ioc;
  auto ex = rill::require(ioc.get_executor(), execution::blocking.never);
  EXPECT_TRUE(rill::query(ex, execution::blocking) == execution::blocking.never);
  int order = 0;
  int inner_at = -1;
  rill::post(ioc, [&] {
    execution::execute(ex, [&] { inner_at = order++; });
    EXPECT_EQ(inner_at, -1);
    ++order;
  });
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_EQ(inner_at, 1);
  // And back.
  auto possibly = rill::require(ex, execution::blocking.possibly);
  EXPECT_TRUE(rill::query(possibly, execution::blocking) == execution::blocking.possibly);
  EXPECT_TRUE(possibly == ioc.get_executor());
}

TEST(blocking, thread_pool_always_returns_after_the_function_has_run) {
  rill::thread_pool pool(2);
  auto ex = rill::require(pool.executor(), execution::blocking.always);
  EXPECT_TRUE(rill::query(ex, execution::blocking) == execution::blocking.always);
  for (int i = 0; i < 20; ++i) {
    std::atomic<bool> done{false};
    std::thread::id ran_on;
    execution::execute(ex, [&] {
      std::this_thread::sleep_for(1ms);
      ran_on = std::this_thread::get_id();
      done.store(true, std::memory_order_relaxed);
    });
    EXPECT_TRUE(done.load(std::memory_order_relaxed));
    EXPECT_NE(ran_on, std::this_thread::get_id());
  }
  pool.join();
}

TEST(blocking, thread_pool_always_runs_inline_inside_the_pool) {
  rill::thread_pool pool(1);
  std::atomic<int> result{0};
  execution::execute(rill::require(pool.executor(), execution::blocking.always), [&] {
    int inner = 0;
    const auto outer_thread = std::this_thread::get_id();
    execution::execute(rill::require(pool.executor(), execution::blocking.always),
                       [&] { inner = std::this_thread::get_id() == outer_thread ? 1 : 2; });
    result = inner;
  });
  EXPECT_EQ(result.load(), 1);
  pool.join();
}

TEST(blocking, thread_pool_always_allocates_nothing) {
  rill::thread_pool pool(1);
  auto ex = rill::require(pool.executor(), execution::blocking.always);
  // The operation lives on the caller's stack; the function object here is
  // too big for any small-buffer cache to hide an allocation.
  struct big {
    char data[4096] = {};
  };
  big payload;
  int seen = 0;
  execution::execute(ex, [&seen, payload] { seen = payload.data[0] + 1; });
  EXPECT_EQ(seen, 1);
  pool.join();
}

TEST(blocking, system_executor_possibly_and_always_run_inline_never_on_the_pool) {
  const auto here = std::this_thread::get_id();
  std::thread::id ran_on;
  execution::execute(rill::system_executor(), [&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, here);
  auto always = rill::require(rill::system_executor(), execution::blocking.always);
  static_assert(execution::blocking_t::static_query_v<decltype(always)> ==
                execution::blocking.always);
  execution::execute(always, [&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, here);

  auto never = rill::require(rill::system_executor(), execution::blocking.never);
  static_assert(execution::blocking_t::static_query_v<decltype(never)> ==
                execution::blocking.never);
  std::atomic<bool> done{false};
  std::thread::id pool_thread;
  execution::execute(never, [&] {
    pool_thread = std::this_thread::get_id();
    done.store(true, std::memory_order_release);
  });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(done.load(std::memory_order_acquire));
  EXPECT_NE(pool_thread, here);
}

TEST(blocking, any_io_executor_requires_never_and_prefers_possibly) {
  rill::io_context ioc;
  rill::any_io_executor ex(ioc.get_executor());
  rill::any_io_executor never = rill::require(ex, execution::blocking.never);
  // Asio's property list lets blocking.never be queried.
  EXPECT_TRUE(rill::query(never, execution::blocking.never) == execution::blocking.never);
  EXPECT_TRUE(rill::query(ex, execution::blocking.never) == execution::blocking.possibly);
  EXPECT_EQ(never.rill_native_context(), &ioc);  // still the direct path
  int order = 0;
  int inner_at = -1;
  rill::post(ioc, [&] {
    execution::execute(never, [&] { inner_at = order++; });
    ++order;
  });
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_EQ(inner_at, 1);
  rill::any_io_executor possibly = rill::prefer(never, execution::blocking.possibly);
  EXPECT_TRUE(possibly == ex);
  EXPECT_FALSE(possibly == never);
}

}  // namespace
