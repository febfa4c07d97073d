// bind_allocator: a handler whose operations must take their memory from a
// given allocator; its associated executor passes through.
#include <rill/bind_allocator.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <rill/as_tuple.hpp>
#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/bind_executor.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/recycling_allocator.hpp>
#include <rill/steady_timer.hpp>
#include <rill/system_executor.hpp>
#include <rill/use_future.hpp>

#include "support/counting_allocator.hpp"

namespace {

using rill_test::allocation_log;
using rill_test::counting_allocator;
using io_executor = rill::io_context::executor_type;

struct plain_handler {
  void operator()() const {}
};

// A handler with its own executor (the nested form).
struct executor_handler {
  using executor_type = io_executor;
  executor_type get_executor() const noexcept { return ioc->get_executor(); }
  rill::io_context* ioc;
  void operator()() const {}
};

// Tells which call operator was chosen: 100 for &, 200 for const&, 300 for
// &&, plus the arguments.
struct qualified_target {
  int operator()(int a, int b) & { return 100 + a * 10 + b; }
  int operator()(int a, int b) const& { return 200 + a * 10 + b; }
  int operator()(int a, int b) && { return 300 + a * 10 + b; }
};

TEST(bind_allocator, associated_allocator_is_the_bound_one) {
  allocation_log log;
  auto bound = rill::bind_allocator(counting_allocator<char>(log), plain_handler{});
  static_assert(std::is_same_v<decltype(bound),
                               rill::allocator_binder<plain_handler, counting_allocator<char>>>);
  static_assert(
      std::is_same_v<rill::associated_allocator_t<decltype(bound)>, counting_allocator<char>>);
  EXPECT_EQ(&rill::get_associated_allocator(bound).log(), &log);
  // The bound allocator wins over a fallback.
  allocation_log other;
  EXPECT_EQ(&rill::get_associated_allocator(bound, counting_allocator<int>(other)).log(), &log);
}

TEST(bind_allocator, target_executor_passes_through) {
  rill::io_context ioc;
  allocation_log log;
  auto bound = rill::bind_allocator(counting_allocator<char>(log), executor_handler{&ioc});
  static_assert(std::is_same_v<rill::associated_executor_t<decltype(bound)>, io_executor>);
  EXPECT_TRUE(rill::get_associated_executor(bound) == ioc.get_executor());
  // A target without an executor keeps the default (or the fallback).
  auto plain = rill::bind_allocator(counting_allocator<char>(log), plain_handler{});
  static_assert(
      std::is_same_v<rill::associated_executor_t<decltype(plain)>, rill::system_executor>);
  EXPECT_TRUE(rill::get_associated_executor(plain, ioc.get_executor()) == ioc.get_executor());
  EXPECT_TRUE(rill::get_associated_executor(plain, ioc) == ioc.get_executor());
}

TEST(bind_allocator, nesting_with_bind_executor_keeps_both) {
  rill::io_context ioc;
  allocation_log log;
  counting_allocator<char> alloc(log);
  auto a = rill::bind_allocator(alloc, rill::bind_executor(ioc, plain_handler{}));
  EXPECT_TRUE(rill::get_associated_executor(a) == ioc.get_executor());
  EXPECT_EQ(&rill::get_associated_allocator(a).log(), &log);
  auto b = rill::bind_executor(ioc, rill::bind_allocator(alloc, plain_handler{}));
  EXPECT_TRUE(rill::get_associated_executor(b) == ioc.get_executor());
  EXPECT_EQ(&rill::get_associated_allocator(b).log(), &log);
  // The innermost allocator binding is the one that is seen... unless an
  // outer binding replaces it.
  allocation_log outer_log;
  auto c = rill::bind_allocator(counting_allocator<char>(outer_log), a);
  EXPECT_EQ(&rill::get_associated_allocator(c).log(), &outer_log);
  EXPECT_TRUE(rill::get_associated_executor(c) == ioc.get_executor());
}

TEST(bind_allocator, get_and_get_allocator) {
  allocation_log log;
  auto bound = rill::bind_allocator(counting_allocator<char>(log), std::vector<int>{1, 2});
  static_assert(std::is_same_v<decltype(bound)::target_type, std::vector<int>>);
  static_assert(std::is_same_v<decltype(bound)::allocator_type, counting_allocator<char>>);
  bound.get().push_back(3);
  const auto& cref = bound;
  EXPECT_EQ(cref.get().size(), 3u);
  EXPECT_EQ(&cref.get_allocator().log(), &log);
  auto copy = bound;
  auto moved = std::move(copy);
  EXPECT_EQ(moved.get().size(), 3u);
  EXPECT_EQ(&moved.get_allocator().log(), &log);
}

TEST(bind_allocator, stateless_allocator_adds_no_size) {
  auto bound = rill::bind_allocator(rill::recycling_allocator<void>(), std::vector<int>{});
  EXPECT_EQ(sizeof(bound), sizeof(std::vector<int>));
}

TEST(bind_allocator, call_operators_forward_arguments_and_value_category) {
  allocation_log log;
  auto bound = rill::bind_allocator(counting_allocator<char>(log), qualified_target{});
  EXPECT_EQ(bound(1, 2), 112);
  const auto& cref = bound;
  EXPECT_EQ(cref(3, 4), 234);
  EXPECT_EQ(std::move(bound)(5, 6), 356);
  auto sink = rill::bind_allocator(counting_allocator<char>(log),
                                   [](std::unique_ptr<int> p) { return *p + 1; });
  EXPECT_EQ(sink(std::make_unique<int>(41)), 42);
}

TEST(bind_allocator, converting_constructor_rebinds) {
  allocation_log log;
  auto bound = rill::bind_allocator(counting_allocator<char>(log), 5);
  rill::allocator_binder<long, counting_allocator<int>> other(bound);
  EXPECT_EQ(other.get(), 5L);
  EXPECT_EQ(&other.get_allocator().log(), &log);
  rill::allocator_binder<long, counting_allocator<int>> moved(std::move(bound));
  EXPECT_EQ(moved.get(), 5L);
}

TEST(bind_allocator, post_through_an_executor_bound_handler_uses_the_allocator) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  // Executor from the target, allocator from the binder: post with no
  // executor goes to ioc, with memory from log's allocator.
  rill::post(rill::bind_allocator(counting_allocator<char>(log), rill::bind_executor(ioc, [&] {
                                    ++runs;
                                    live_when_run = log.live();
                                  })));
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_when_run, 0);
  EXPECT_EQ(log.live(), 0);
}

// bind_allocator(a, token) where the token is not a handler: the handler the
// token makes takes its operation memory from a.
TEST(bind_allocator, binds_the_handler_a_token_makes) {
  rill::io_context ioc;
  rill::steady_timer t(ioc);
  t.expires_after(std::chrono::milliseconds(0));
  allocation_log log;
  // use_future's own allocator (std::allocator) serves the shared state; the
  // binder's serves the operation.
  std::future<void> f =
      t.async_wait(rill::bind_allocator(counting_allocator<char>(log), rill::use_future));
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(log.live(), 0);
  EXPECT_NO_THROW(f.get());

  int live_inside = -1;
  rill::post(ioc,
             rill::bind_allocator(counting_allocator<char>(log),
                                  rill::as_tuple([&](std::tuple<>) { live_inside = log.live(); })));
  EXPECT_EQ(log.live(), 1);
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
