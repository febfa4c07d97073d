// bind_executor: a handler that must run on a given executor, wherever it is
// submitted; its associated allocator passes through.
#include <rill/bind_executor.hpp>

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
#include <rill/bind_allocator.hpp>
#include <rill/defer.hpp>
#include <rill/dispatch.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
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

// A handler with its own allocator (the nested form).
struct allocating_handler {
  using allocator_type = counting_allocator<int>;
  allocator_type get_allocator() const noexcept { return allocator_type(*log); }
  allocation_log* log;
  void operator()() const {}
};

// Tells which call operator was chosen: 100 for &, 200 for const&, 300 for
// &&, plus the arguments.
struct qualified_target {
  int operator()(int a, int b) & { return 100 + a * 10 + b; }
  int operator()(int a, int b) const& { return 200 + a * 10 + b; }
  int operator()(int a, int b) && { return 300 + a * 10 + b; }
};

TEST(bind_executor, associated_executor_is_the_bound_one) {
  rill::io_context ioc;
  auto bound = rill::bind_executor(ioc.get_executor(), plain_handler{});
  static_assert(std::is_same_v<decltype(bound), rill::executor_binder<plain_handler, io_executor>>);
  static_assert(std::is_same_v<rill::associated_executor_t<decltype(bound)>, io_executor>);
  EXPECT_TRUE(rill::get_associated_executor(bound) == ioc.get_executor());
  // The bound executor wins over a fallback.
  rill::io_context other;
  EXPECT_TRUE(rill::get_associated_executor(bound, other.get_executor()) == ioc.get_executor());
  EXPECT_TRUE(rill::get_associated_executor(bound, rill::system_executor()) == ioc.get_executor());
}

TEST(bind_executor, context_overload_binds_the_contexts_executor) {
  rill::io_context ioc;
  auto bound = rill::bind_executor(ioc, plain_handler{});
  static_assert(std::is_same_v<decltype(bound)::executor_type, io_executor>);
  EXPECT_TRUE(bound.get_executor() == ioc.get_executor());
  EXPECT_EQ(&bound.get_executor().context(), &ioc);
}

TEST(bind_executor, target_allocator_passes_through) {
  rill::io_context ioc;
  allocation_log log;
  auto bound = rill::bind_executor(ioc, allocating_handler{&log});
  static_assert(
      std::is_same_v<rill::associated_allocator_t<decltype(bound)>, counting_allocator<int>>);
  EXPECT_EQ(&rill::get_associated_allocator(bound).log(), &log);
  // A target without an allocator keeps the default (or the fallback).
  auto plain = rill::bind_executor(ioc, plain_handler{});
  static_assert(
      std::is_same_v<rill::associated_allocator_t<decltype(plain)>, std::allocator<void>>);
  allocation_log fallback;
  EXPECT_EQ(&rill::get_associated_allocator(plain, counting_allocator<char>(fallback)).log(),
            &fallback);
}

TEST(bind_executor, nesting_with_bind_allocator_keeps_both) {
  rill::io_context ioc;
  allocation_log log;
  counting_allocator<char> alloc(log);
  auto outer_ex = rill::bind_executor(ioc, rill::bind_allocator(alloc, plain_handler{}));
  EXPECT_TRUE(rill::get_associated_executor(outer_ex) == ioc.get_executor());
  EXPECT_EQ(&rill::get_associated_allocator(outer_ex).log(), &log);
  auto outer_alloc = rill::bind_allocator(alloc, rill::bind_executor(ioc, plain_handler{}));
  static_assert(std::is_same_v<rill::associated_executor_t<decltype(outer_alloc)>, io_executor>);
  EXPECT_TRUE(rill::get_associated_executor(outer_alloc) == ioc.get_executor());
  EXPECT_EQ(&rill::get_associated_allocator(outer_alloc).log(), &log);
}

TEST(bind_executor, get_and_get_executor) {
  rill::io_context ioc;
  auto bound = rill::bind_executor(ioc, std::vector<int>{1, 2, 3});
  static_assert(std::is_same_v<decltype(bound)::target_type, std::vector<int>>);
  EXPECT_EQ(bound.get().size(), 3u);
  bound.get().push_back(4);
  const auto& cref = bound;
  EXPECT_EQ(cref.get().back(), 4);
  EXPECT_TRUE(cref.get_executor() == ioc.get_executor());
  // Copies and moves keep target and executor.
  auto copy = bound;
  EXPECT_EQ(copy.get().size(), 4u);
  auto moved = std::move(copy);
  EXPECT_EQ(moved.get().size(), 4u);
  EXPECT_TRUE(moved.get_executor() == ioc.get_executor());
}

TEST(bind_executor, call_operators_forward_arguments_and_value_category) {
  rill::io_context ioc;
  auto bound = rill::bind_executor(ioc, qualified_target{});
  EXPECT_EQ(bound(1, 2), 112);
  const auto& cref = bound;
  EXPECT_EQ(cref(3, 4), 234);
  EXPECT_EQ(std::move(bound)(5, 6), 356);
  // A move-only argument is forwarded, not copied.
  auto sink = rill::bind_executor(ioc, [](std::unique_ptr<int> p) { return *p; });
  EXPECT_EQ(sink(std::make_unique<int>(42)), 42);
}

TEST(bind_executor, converting_constructor_rebinds) {
  rill::io_context ioc;
  auto bound = rill::bind_executor(ioc, 7);
  rill::executor_binder<long, io_executor> wider(bound);
  EXPECT_EQ(wider.get(), 7L);
  EXPECT_TRUE(wider.get_executor() == ioc.get_executor());
}

// The heart of it: post(ioc1, bind_executor(ioc2, h)) goes through ioc1 but
// runs h on ioc2, and ioc2 counts the handler as work all along.
TEST(bind_executor, post_to_one_context_runs_on_the_bound_context) {
  rill::io_context ioc1;
  rill::io_context ioc2;
  int runs = 0;
  bool on_ioc1 = true;
  bool on_ioc2 = false;
  rill::post(ioc1, rill::bind_executor(ioc2.get_executor(), [&] {
               ++runs;
               on_ioc1 = ioc1.get_executor().running_in_this_thread();
               on_ioc2 = ioc2.get_executor().running_in_this_thread();
             }));
  // ioc2 has outstanding work although nothing is queued there yet: poll
  // runs nothing and does not stop it (run() would not return).
  EXPECT_EQ(ioc2.poll(), 0u);
  EXPECT_FALSE(ioc2.stopped());
  EXPECT_EQ(runs, 0);
  // ioc1 runs the forwarding step only.
  EXPECT_EQ(ioc1.poll(), 1u);
  EXPECT_EQ(runs, 0);
  EXPECT_TRUE(ioc1.stopped());  // ioc1 ran out of work
  EXPECT_FALSE(ioc2.stopped());
  // Now ioc2 runs the handler itself, then runs out of work.
  EXPECT_EQ(ioc2.poll(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(on_ioc1);
  EXPECT_TRUE(on_ioc2);
  EXPECT_TRUE(ioc2.stopped());
  ioc2.restart();
  EXPECT_EQ(ioc2.poll(), 0u);
}

TEST(bind_executor, dispatch_and_defer_also_run_on_the_bound_context) {
  rill::io_context ioc1;
  rill::io_context ioc2;
  // Which handler ran, and whether it ran inside ioc2.
  std::vector<std::pair<std::string, bool>> order;
  auto on2 = [&](const char* name) {
    return rill::bind_executor(ioc2, [&order, &ioc2, name] {
      order.emplace_back(name, ioc2.get_executor().running_in_this_thread());
    });
  };
  rill::dispatch(ioc1, on2("dispatch"));
  rill::defer(ioc1, on2("defer"));
  EXPECT_EQ(ioc2.poll(), 0u);
  EXPECT_FALSE(ioc2.stopped());
  EXPECT_EQ(ioc1.poll(), 2u);
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(ioc2.poll(), 2u);
  using entry = std::pair<std::string, bool>;
  EXPECT_EQ(order, (std::vector<entry>{{"dispatch", true}, {"defer", true}}));
  EXPECT_TRUE(ioc2.stopped());
}

TEST(bind_executor, forwarding_uses_the_handlers_allocator_and_frees_before_each_step) {
  rill::io_context ioc1;
  rill::io_context ioc2;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  rill::post(ioc1,
             rill::bind_executor(ioc2, rill::bind_allocator(counting_allocator<char>(log), [&] {
                                   ++runs;
                                   live_when_run = log.live();
                                 })));
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc1.poll(), 1u);
  // The first operation was freed, then the handler was queued on ioc2 in a
  // second one: never more than one live at a time.
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc2.poll(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_when_run, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(bind_executor, bound_to_the_same_context_runs_there_directly) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  rill::post(ioc, rill::bind_executor(ioc, allocating_handler{&log}));
  rill::post(ioc, rill::bind_executor(ioc, [&runs] { ++runs; }));
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(bind_executor, post_without_executor_uses_the_bound_one) {
  rill::io_context ioc;
  int runs = 0;
  bool inside = false;
  rill::post(rill::bind_executor(ioc, [&] {
    ++runs;
    inside = ioc.get_executor().running_in_this_thread();
  }));
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(inside);
}

TEST(bind_executor, destroyed_undelivered_handler_releases_the_bound_contexts_work) {
  rill::io_context ioc2;
  allocation_log log;
  {
    rill::io_context ioc1;
    rill::post(ioc1, rill::bind_executor(ioc2, allocating_handler{&log}));
    EXPECT_EQ(ioc2.poll(), 0u);
    EXPECT_FALSE(ioc2.stopped());
  }  // ioc1 destroyed with the forwarding step still queued
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(ioc2.run(), 0u);  // the work it held on ioc2 is gone
  EXPECT_TRUE(ioc2.stopped());
}

// bind_executor(ex, token) where the token is not a handler: the token makes
// the handler, which is bound to ex.
TEST(bind_executor, binds_the_handler_a_token_makes) {
  using token_t = rill::executor_binder<rill::use_future_t<>, io_executor>;
  static_assert(
      std::is_same_v<rill::async_result<token_t, void()>::return_type, std::future<void>>);
  rill::io_context ioc;
  rill::io_context other;
  rill::steady_timer t(ioc);
  t.expires_after(std::chrono::milliseconds(0));
  std::future<void> f = t.async_wait(rill::bind_executor(other, rill::use_future));
  ioc.run();
  EXPECT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(other.run(), 1u);
  ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_NO_THROW(f.get());

  // Through post, and with an adapter as the token.
  bool ran_on_other = false;
  rill::post(ioc, rill::bind_executor(other, rill::as_tuple([&](std::tuple<>) {
                                        ran_on_other =
                                            other.get_executor().running_in_this_thread();
                                      })));
  ioc.restart();
  ioc.run();
  EXPECT_FALSE(ran_on_other);
  other.restart();
  EXPECT_EQ(other.run(), 1u);
  EXPECT_TRUE(ran_on_other);
}

TEST(bind_executor, token_binder_lvalue_is_copied) {
  rill::io_context ioc;
  rill::io_context other;
  const auto token = rill::bind_executor(other, rill::use_future);
  auto a = rill::post(ioc, token);
  auto b = rill::post(ioc, token);
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(other.run(), 2u);
  EXPECT_NO_THROW(a.get());
  EXPECT_NO_THROW(b.get());
}

TEST(bind_executor, token_binder_keeps_the_allocator_contract) {
  rill::io_context ioc;
  rill::io_context other;
  allocation_log log;
  int live_inside = -1;
  rill::steady_timer t(ioc);
  t.expires_after(std::chrono::milliseconds(0));
  t.async_wait(rill::bind_executor(
      other, rill::as_tuple(rill::bind_allocator(
                 counting_allocator<char>(log),
                 [&](std::tuple<std::error_code>) { live_inside = log.live(); }))));
  EXPECT_EQ(log.live(), 1);
  ioc.run();
  EXPECT_EQ(other.run(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
