// Tests for rill/execution/allocator.hpp: an executor's allocator is the one
// its submitted function objects' memory comes from.
#include <rill/execution/allocator.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <type_traits>

#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
#include <rill/system_executor.hpp>
#include <rill/thread_pool.hpp>

#include "support/counting_allocator.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;
namespace execution = rill::execution;
using io_executor = rill::io_context::executor_type;

static_assert(execution::allocator_t<void>::is_requirable);
static_assert(std::is_same_v<rill::query_result_t<io_executor, execution::allocator_t<void>>,
                             std::allocator<void>>);

TEST(allocator, io_context_executor_allocates_through_the_required_allocator) {
  rill::io_context ioc;
  allocation_log log;
  auto ex = rill::require(ioc.get_executor(), execution::allocator(counting_allocator<int>(log)));
  static_assert(
      std::is_same_v<decltype(rill::query(ex, execution::allocator)), counting_allocator<int>>);
  EXPECT_TRUE(rill::query(ex, execution::allocator) == counting_allocator<int>(log));
  int live_when_run = -1;
  int calls = 0;
  execution::execute(ex, [&] {
    ++calls;
    live_when_run = log.live();
  });
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(live_when_run, 0);  // freed before the function ran
  EXPECT_EQ(log.live(), 0);

  // Back to the default allocator.
  auto plain = rill::require(ex, execution::allocator);
  static_assert(std::is_same_v<decltype(plain), io_executor>);
  EXPECT_TRUE(plain == ioc.get_executor());
}

TEST(allocator, executor_with_an_allocator_is_not_equal_to_one_with_another) {
  rill::io_context ioc;
  allocation_log a;
  allocation_log b;
  auto ea = rill::require(ioc.get_executor(), execution::allocator(counting_allocator<int>(a)));
  auto eb = rill::require(ioc.get_executor(), execution::allocator(counting_allocator<int>(b)));
  EXPECT_FALSE(ea == eb);
  EXPECT_TRUE(ea ==
              rill::require(ioc.get_executor(), execution::allocator(counting_allocator<int>(a))));
}

TEST(allocator, queued_function_is_freed_without_running_when_the_context_goes) {
  allocation_log log;
  int calls = 0;
  {
    rill::io_context ioc;
    execution::execute(
        rill::require(ioc.get_executor(), execution::allocator(counting_allocator<int>(log))),
        [&] { ++calls; });
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(allocator, thread_pool_and_system_executors_honour_it) {
  allocation_log log;
  std::atomic<int> live_when_run{-1};
  {
    rill::thread_pool pool(1);
    auto ex = rill::require(pool.executor(), execution::allocator(counting_allocator<int>(log)));
    execution::execute(ex, [&] { live_when_run = log.live(); });
    pool.join();
  }
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(live_when_run.load(), 0);
  EXPECT_EQ(log.live(), 0);

  allocation_log sys_log;
  std::atomic<int> sys_live{-1};
  std::atomic<bool> done{false};
  auto sys = rill::require(rill::system_executor(), execution::blocking.never,
                           execution::allocator(counting_allocator<int>(sys_log)));
  EXPECT_TRUE(rill::query(sys, execution::allocator) == counting_allocator<int>(sys_log));
  execution::execute(sys, [&] {
    sys_live = sys_log.live();
    done.store(true, std::memory_order_release);
  });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(done.load(std::memory_order_acquire));
  EXPECT_EQ(sys_log.allocations.load(), 1);
  EXPECT_EQ(sys_live.load(), 0);
}

}  // namespace
