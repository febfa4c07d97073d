// executor_work_guard: one unit of outstanding work while it owns it.
#include <rill/executor_work_guard.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <type_traits>
#include <utility>

#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/system_executor.hpp>

#include "support/counting_allocator.hpp"

namespace {

using namespace std::chrono_literals;
using io_executor = rill::io_context::executor_type;

struct plain_handler {
  void operator()() const {}
};

// With no queued handler, an io_context has outstanding work exactly when
// poll() leaves it running; without work poll() stops it.
bool has_work(rill::io_context& ioc) {
  ioc.restart();
  EXPECT_EQ(ioc.poll(), 0u);
  const bool busy = !ioc.stopped();
  ioc.restart();
  return busy;
}

TEST(executor_work_guard, owns_work_until_reset) {
  rill::io_context ioc;
  EXPECT_FALSE(has_work(ioc));
  rill::executor_work_guard<io_executor> guard(ioc.get_executor());
  EXPECT_TRUE(guard.owns_work());
  EXPECT_TRUE(guard.get_executor() == ioc.get_executor());
  EXPECT_TRUE(has_work(ioc));
  guard.reset();
  EXPECT_FALSE(guard.owns_work());
  EXPECT_TRUE(ioc.stopped());  // the last work went away: the context stopped
  EXPECT_FALSE(has_work(ioc));
  guard.reset();  // a second reset does nothing
  EXPECT_FALSE(guard.owns_work());
  EXPECT_FALSE(has_work(ioc));
}

TEST(executor_work_guard, destructor_releases_the_work) {
  rill::io_context ioc;
  {
    auto guard = rill::make_work_guard(ioc);
    EXPECT_TRUE(has_work(ioc));
  }
  EXPECT_TRUE(ioc.stopped());
  EXPECT_FALSE(has_work(ioc));
}

TEST(executor_work_guard, copy_counts_extra_work) {
  rill::io_context ioc;
  auto first = rill::make_work_guard(ioc);
  auto second = first;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_TRUE(second.owns_work());
  first.reset();
  EXPECT_FALSE(ioc.stopped());
  EXPECT_TRUE(has_work(ioc));  // the copy still holds its own unit
  second.reset();
  EXPECT_TRUE(ioc.stopped());
  EXPECT_FALSE(has_work(ioc));
}

TEST(executor_work_guard, copy_of_a_reset_guard_owns_nothing) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  guard.reset();
  auto copy = guard;
  EXPECT_FALSE(copy.owns_work());
  EXPECT_FALSE(has_work(ioc));
}

TEST(executor_work_guard, move_transfers_the_work) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  {
    auto moved = std::move(guard);
    EXPECT_TRUE(moved.owns_work());
    EXPECT_FALSE(guard.owns_work());  // NOLINT(bugprone-use-after-move): specified
    EXPECT_TRUE(has_work(ioc));
    guard.reset();  // the moved-from guard releases nothing
    EXPECT_TRUE(has_work(ioc));
  }
  EXPECT_FALSE(has_work(ioc));
}

TEST(executor_work_guard, make_work_guard_from_executor_and_context) {
  rill::io_context ioc;
  auto from_ex = rill::make_work_guard(ioc.get_executor());
  static_assert(std::is_same_v<decltype(from_ex), rill::executor_work_guard<io_executor>>);
  auto from_ctx = rill::make_work_guard(ioc);
  static_assert(std::is_same_v<decltype(from_ctx), rill::executor_work_guard<io_executor>>);
  EXPECT_TRUE(from_ex.get_executor() == from_ctx.get_executor());
  EXPECT_EQ(&from_ctx.get_executor().context(), &ioc);
  from_ex.reset();
  EXPECT_TRUE(has_work(ioc));
  from_ctx.reset();
  EXPECT_FALSE(has_work(ioc));
}

TEST(executor_work_guard, make_work_guard_from_a_bound_handler) {
  rill::io_context ioc;
  rill_test::allocation_log log;
  auto handler = rill::bind_allocator(rill_test::counting_allocator<char>(log),
                                      rill::bind_executor(ioc, plain_handler{}));
  auto guard = rill::make_work_guard(handler);
  static_assert(std::is_same_v<decltype(guard), rill::executor_work_guard<io_executor>>);
  EXPECT_TRUE(guard.get_executor() == ioc.get_executor());
  EXPECT_TRUE(has_work(ioc));
  guard.reset();
  EXPECT_FALSE(has_work(ioc));
  EXPECT_EQ(log.allocations.load(), 0);
}

TEST(executor_work_guard, make_work_guard_for_a_plain_handler) {
  rill::io_context ioc;
  // Without an executor of its own, a handler's executor is the system
  // executor, or the one given as fallback.
  auto system_guard = rill::make_work_guard(plain_handler{});
  static_assert(
      std::is_same_v<decltype(system_guard), rill::executor_work_guard<rill::system_executor>>);
  EXPECT_TRUE(system_guard.owns_work());
  auto with_ex = rill::make_work_guard(plain_handler{}, ioc.get_executor());
  static_assert(std::is_same_v<decltype(with_ex), rill::executor_work_guard<io_executor>>);
  auto with_ctx = rill::make_work_guard(plain_handler{}, ioc);
  EXPECT_TRUE(with_ctx.get_executor() == ioc.get_executor());
  EXPECT_TRUE(has_work(ioc));
  with_ex.reset();
  with_ctx.reset();
  EXPECT_FALSE(has_work(ioc));
  // A bound handler keeps its own executor over the fallback.
  rill::io_context other;
  auto bound_guard = rill::make_work_guard(rill::bind_executor(ioc, plain_handler{}), other);
  EXPECT_TRUE(bound_guard.get_executor() == ioc.get_executor());
  EXPECT_TRUE(has_work(ioc));
  EXPECT_FALSE(has_work(other));
}

TEST(executor_work_guard, run_returns_once_the_guard_is_reset) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  std::atomic<int> runs{0};
  std::atomic<bool> returned{false};
  std::size_t ran = 0;
  std::chrono::steady_clock::duration elapsed{};
  std::thread runner([&] {
    const auto start = std::chrono::steady_clock::now();
    ran = ioc.run_for(20s);  // bounded; the guard must end it much sooner
    elapsed = std::chrono::steady_clock::now() - start;
    returned = true;
  });
  rill::post(ioc, [&runs] { ++runs; });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (runs.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(runs.load(), 1);
  std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(returned.load());  // the guard keeps run going with nothing queued
  guard.reset();
  runner.join();
  EXPECT_TRUE(returned.load());
  EXPECT_EQ(ran, 1u);
  EXPECT_LT(elapsed, 15s);
  EXPECT_TRUE(ioc.stopped());
}

}  // namespace
