// The allocation contract for dispatch: a queued handler takes one block
// from its allocator and gives it back before it runs; a handler dispatched
// from inside its context runs inline and takes nothing.
#include <rill/dispatch.hpp>

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/defer.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>

#include "support/counting_allocator.hpp"
#include "support/heap_counter.hpp"

namespace {

using rill_test::allocation_log;
using rill_test::counting_allocator;

struct nested_handler {
  using allocator_type = counting_allocator<int>;
  allocator_type get_allocator() const noexcept { return allocator_type(*log); }
  allocation_log* log;
  int* runs;
  int* live_when_run;
  void operator()() {
    ++*runs;
    *live_when_run = log->live();
  }
};

TEST(dispatch, from_outside_queues_one_allocation_freed_before_invoke) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  rill::dispatch(ioc, nested_handler{&log, &runs, &live_when_run});
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 1);
  EXPECT_GE(log.last_size.load(), sizeof(nested_handler));
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_when_run, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(dispatch, through_an_executor_queues_the_same_way) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  rill::dispatch(ioc.get_executor(), rill::bind_allocator(counting_allocator<char>(log), [&] {
                   ++runs;
                   live_when_run = log.live();
                 }));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_when_run, 0);
  EXPECT_EQ(log.allocations.load(), 1);
}

TEST(dispatch, from_inside_runs_inline_and_allocates_nothing) {
  rill::io_context ioc;
  allocation_log log;
  std::vector<int> order;
  rill::post(ioc, [&] {
    order.push_back(1);
    rill::dispatch(
        ioc, rill::bind_allocator(counting_allocator<char>(log), [&order] { order.push_back(2); }));
    order.push_back(3);
  });
  EXPECT_EQ(ioc.run(), 1u);  // the dispatched handler never went through the queue
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(log.allocations.load(), 0);
}

TEST(dispatch, from_inside_with_a_throwing_allocator_still_runs) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  rill::post(ioc, [&] {
    rill::dispatch(ioc, rill::bind_allocator(counting_allocator<char>(log, /*throws=*/true),
                                             [&runs] { ++runs; }));
  });
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(log.allocations.load(), 0);
}

TEST(dispatch, from_outside_with_a_throwing_allocator_throws_and_queues_nothing) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  EXPECT_THROW(rill::dispatch(ioc, rill::bind_allocator(counting_allocator<char>(log, true),
                                                        [&runs] { ++runs; })),
               std::bad_alloc);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(ioc.run(), 0u);
  EXPECT_EQ(runs, 0);
}

TEST(dispatch, inside_one_context_to_another_queues) {
  rill::io_context ioc1;
  rill::io_context ioc2;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  rill::post(ioc2, [&] {
    rill::dispatch(ioc1, nested_handler{&log, &runs, &live_when_run});
    EXPECT_EQ(runs, 0);  // running ioc2 is not running ioc1
  });
  EXPECT_EQ(ioc2.run(), 1u);
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc1.run(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_when_run, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(dispatch, order_from_outside_is_fifo_with_post) {
  rill::io_context ioc;
  std::vector<int> order;
  rill::post(ioc, [&order] { order.push_back(1); });
  rill::dispatch(ioc, [&order] { order.push_back(2); });
  rill::post(ioc, [&order] { order.push_back(3); });
  rill::dispatch(ioc, [&order] { order.push_back(4); });
  EXPECT_EQ(ioc.run(), 4u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(dispatch, order_inside_runs_before_queued_work) {
  rill::io_context ioc;
  std::vector<int> order;
  rill::post(ioc, [&] {
    rill::post(ioc, [&order] { order.push_back(3); });
    rill::dispatch(ioc, [&] {
      order.push_back(1);
      rill::dispatch(ioc, [&order] { order.push_back(2); });  // nested: inline again
    });
    rill::defer(ioc, [&order] { order.push_back(4); });
  });
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(dispatch, exception_from_an_inline_handler_reaches_the_caller) {
  rill::io_context ioc;
  bool caught = false;
  rill::post(ioc, [&] {
    try {
      rill::dispatch(ioc, [] { throw std::runtime_error("inline"); });
    } catch (const std::runtime_error&) {
      caught = true;
    }
  });
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_TRUE(caught);
}

TEST(dispatch, from_a_nested_run_is_inline) {
  rill::io_context ioc;
  int runs = 0;
  bool inline_run = false;
  rill::post(ioc, [&] {
    rill::post(ioc, [&] {
      rill::dispatch(ioc, [&runs] { ++runs; });
      inline_run = runs == 1;
    });
    ioc.run_one();  // nested run of the same context
  });
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(inline_run);
}

TEST(dispatch, queued_handlers_destroyed_with_the_context_free_their_memory) {
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  {
    rill::io_context ioc;
    for (int i = 0; i < 5; ++i) rill::dispatch(ioc, nested_handler{&log, &runs, &live_when_run});
    EXPECT_EQ(log.live(), 5);
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.allocations.load(), 5);
  EXPECT_EQ(log.live(), 0);
}

TEST(dispatch, default_allocator_from_outside_is_heap_free_in_steady_state) {
  rill::io_context ioc;
  int runs = 0;
  for (int i = 0; i < 100; ++i) rill::dispatch(ioc, [&runs] { ++runs; });
  ioc.run();
  ioc.restart();
  rill_test::heap_scope heap;
  for (int round = 0; round < 100; ++round) {
    for (int i = 0; i < 50; ++i) rill::dispatch(ioc, [&runs] { ++runs; });
    ioc.poll();
    ioc.restart();
  }
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(runs, 100 + 100 * 50);
}

}  // namespace
