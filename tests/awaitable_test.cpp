// Tests for rill/awaitable.hpp and rill/this_coro.hpp: the coroutine type
// itself (laziness, moves, nesting, exceptions, this_coro::executor).
#include <rill/awaitable.hpp>

#include <gtest/gtest.h>

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <rill/co_spawn.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/this_coro.hpp>
#include <rill/use_awaitable.hpp>

#include "support/io_helpers.hpp"

namespace {

rill::awaitable<std::string> text(int* runs) {
  ++*runs;
  co_return "value";
}

rill::awaitable<int> depth(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await depth(n - 1);
}

TEST(awaitable, is_lazy_and_destroys_an_unawaited_frame) {
  int runs = 0;
  auto guard = std::make_shared<int>(0);
  {
    auto a = text(&runs);
    EXPECT_TRUE(a.valid());
    auto holder = [](std::shared_ptr<int> g) -> rill::awaitable<void> {
      (void)g;
      co_return;
    }(guard);
    EXPECT_EQ(guard.use_count(), 2);  // the parameter copy lives in the frame
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(guard.use_count(), 1);
}

TEST(awaitable, moves_transfer_the_frame) {
  int runs = 0;
  auto a = text(&runs);
  rill::awaitable<std::string> b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(b.valid());
  rill::awaitable<std::string> c;
  EXPECT_FALSE(c.valid());
  c = std::move(b);
  EXPECT_TRUE(c.valid());

  rill::io_context ctx;
  std::string got;
  rill::co_spawn(ctx, std::move(c), [&](std::exception_ptr, std::string s) { got = s; });
  ctx.run();
  EXPECT_EQ(got, "value");
  EXPECT_EQ(runs, 1);
}

TEST(awaitable, deep_nesting) {
  rill::io_context ctx;
  int got = -1;
  // Kept moderate: unoptimised and sanitizer builds do not turn symmetric
  // transfer into a tail call, so each level may use some stack there.
  rill::co_spawn(ctx, depth(2000), [&](std::exception_ptr e, int v) {
    EXPECT_FALSE(e);
    got = v;
  });
  ctx.run();
  EXPECT_EQ(got, 2000);
}

TEST(awaitable, exceptions_propagate_through_nested_frames) {
  rill::io_context ctx;
  std::string seen;
  rill::co_spawn(
      ctx,
      []() -> rill::awaitable<void> {
        auto inner = []() -> rill::awaitable<int> {
          co_await rill::post(rill::use_awaitable);
          throw std::out_of_range("inner");
        };
        auto middle = [inner]() -> rill::awaitable<int> { co_return co_await inner(); };
        co_await middle();
      },
      [&](std::exception_ptr e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::out_of_range& ex) {
          seen = ex.what();
        }
      });
  ctx.run();
  EXPECT_EQ(seen, "inner");
}

TEST(this_coro, executor_is_the_executor_of_the_thread) {
  rill::io_context ctx;
  bool same = false;
  rill::co_spawn(
      ctx,
      [&]() -> rill::awaitable<void> {
        rill::any_io_executor ex = co_await rill::this_coro::executor;
        same = ex == rill::any_io_executor(ctx.get_executor());
      },
      [](std::exception_ptr) {});
  ctx.run();
  EXPECT_TRUE(same);
}

}  // namespace
