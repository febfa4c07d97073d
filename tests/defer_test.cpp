// The allocation contract for defer: always queued, one block from the
// handler's allocator, given back before the handler runs.
#include <rill/defer.hpp>

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/dispatch.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>

#include "support/counting_allocator.hpp"
#include "support/handler_memory.hpp"
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

TEST(defer, from_outside_queues_one_allocation_freed_before_invoke) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  rill::defer(ioc, nested_handler{&log, &runs, &live_when_run});
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

TEST(defer, from_inside_is_queued_not_inline) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  int runs_after_defer = -1;
  int live_after_defer = -1;
  rill::post(ioc, [&] {
    rill::defer(ioc.get_executor(), nested_handler{&log, &runs, &live_when_run});
    runs_after_defer = runs;
    live_after_defer = log.live();
  });
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(runs_after_defer, 0);  // not run inside defer
  EXPECT_EQ(live_after_defer, 1);  // one block while queued
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_when_run, 0);  // freed before the handler ran
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(defer, throwing_allocator_makes_defer_throw_and_queues_nothing) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  EXPECT_THROW(rill::defer(ioc, rill::bind_allocator(counting_allocator<char>(log, true),
                                                     [&runs] { ++runs; })),
               std::bad_alloc);
  bool threw_inside = false;
  rill::post(ioc, [&] {
    try {
      rill::defer(ioc,
                  rill::bind_allocator(counting_allocator<char>(log, true), [&runs] { ++runs; }));
    } catch (const std::bad_alloc&) {
      threw_inside = true;
    }
  });
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_TRUE(threw_inside);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(defer, order_is_fifo_with_post) {
  rill::io_context ioc;
  std::vector<int> order;
  rill::defer(ioc, [&order] { order.push_back(1); });
  rill::post(ioc, [&order] { order.push_back(2); });
  rill::post(ioc, [&] {
    rill::post(ioc, [&order] { order.push_back(4); });
    rill::defer(ioc, [&order] { order.push_back(5); });
    rill::dispatch(ioc, [&order] { order.push_back(3); });
    rill::post(ioc, [&order] { order.push_back(6); });
  });
  EXPECT_EQ(ioc.run(), 6u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5, 6}));
}

TEST(defer, handler_runs_after_the_deferring_handler_returns) {
  rill::io_context ioc;
  std::vector<int> order;
  rill::post(ioc, [&] {
    rill::defer(ioc, [&order] { order.push_back(2); });
    order.push_back(1);
  });
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(order, (std::vector<int>{1}));
  EXPECT_FALSE(ioc.stopped());  // the deferred handler is still work
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_TRUE(ioc.stopped());
}

// A chain of deferred continuations sharing one block.
struct continuation {
  using allocator_type = rill_test::handler_allocator<int>;
  allocator_type get_allocator() const noexcept { return allocator_type(*memory); }
  rill::io_context* ioc;
  rill_test::handler_memory<>* memory;
  int* remaining;
  void operator()() {
    EXPECT_FALSE(memory->in_use());
    if (--*remaining > 0) rill::defer(*ioc, *this);
  }
};

TEST(defer, chain_reuses_its_single_block) {
  rill::io_context ioc;
  rill_test::handler_memory<> memory;
  int remaining = 1000;
  rill::defer(ioc, continuation{&ioc, &memory, &remaining});
  rill_test::heap_scope heap;
  EXPECT_EQ(ioc.run(), 1000u);
  EXPECT_EQ(remaining, 0);
  EXPECT_EQ(memory.allocations(), 1000);
  EXPECT_FALSE(memory.in_use());
  EXPECT_EQ(heap.count(), 0u);
}

struct default_continuation {
  rill::io_context* ioc;
  int* remaining;
  void operator()() {
    if (--*remaining > 0) rill::defer(*ioc, *this);
  }
};

TEST(defer, default_allocator_chain_is_heap_free) {
  rill::io_context ioc;
  int remaining = 100;
  rill::defer(ioc, default_continuation{&ioc, &remaining});
  ioc.run();
  ioc.restart();
  remaining = 10000;
  rill::defer(ioc, default_continuation{&ioc, &remaining});
  rill_test::heap_scope heap;
  EXPECT_EQ(ioc.run(), 10000u);
  EXPECT_EQ(heap.count(), 0u);
}

TEST(defer, queued_handlers_destroyed_with_the_context_free_their_memory) {
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  {
    rill::io_context ioc;
    rill::defer(ioc, nested_handler{&log, &runs, &live_when_run});
    // Deferred from inside, then the context stops before running it.
    rill::post(ioc, [&] {
      rill::defer(ioc, nested_handler{&log, &runs, &live_when_run});
      ioc.stop();
    });
    EXPECT_EQ(ioc.run_one(), 1u);  // the first deferred handler
    EXPECT_EQ(ioc.run(), 1u);      // the stopping handler
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
