// The allocation contract for posted handlers: memory from the handler's
// associated allocator, freed before the handler runs, reused along a chain.
#include <rill/post.hpp>

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <new>
#include <stdexcept>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/io_context.hpp>

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

struct specialised_handler {
  allocation_log* log;
  int* runs;
  int* live_when_run;
  void operator()() {
    ++*runs;
    *live_when_run = log->live();
  }
};

}  // namespace

namespace rill {
// Exactly the form the Asio documentation shows.
template <typename Allocator>
struct associated_allocator<specialised_handler, Allocator> {
  using type = rill_test::counting_allocator<char>;
  static type get(const specialised_handler& h, const Allocator& /*a*/ = Allocator()) noexcept {
    return type(*h.log);
  }
};
}  // namespace rill

namespace {

TEST(post, nested_allocator_one_live_allocation_while_queued_freed_before_invoke) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  rill::post(ioc, nested_handler{&log, &runs, &live_when_run});
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_when_run, 0);  // freed before the handler ran
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(log.allocations.load(), 1);
}

TEST(post, partial_specialisation_allocator_is_used) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  int live_when_run = -1;
  rill::post(ioc.get_executor(), specialised_handler{&log, &runs, &live_when_run});
  EXPECT_EQ(log.live(), 1);
  EXPECT_GE(log.last_size.load(), sizeof(specialised_handler));
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(live_when_run, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(post, bind_allocator_is_used) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  rill::post(ioc, rill::bind_allocator(counting_allocator<char>(log), [&] {
               ++runs;
               EXPECT_EQ(log.live(), 0);
             }));
  EXPECT_EQ(log.live(), 1);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

// A chain of handlers sharing one block: each handler finds the block free
// and the next post gets the same block back.
struct chain_link {
  using allocator_type = rill_test::handler_allocator<int>;
  allocator_type get_allocator() const noexcept { return allocator_type(*memory); }
  rill::io_context* ioc;
  rill_test::handler_memory<>* memory;
  int* remaining;
  void operator()() {
    EXPECT_FALSE(memory->in_use());
    if (--*remaining > 0) rill::post(*ioc, *this);
  }
};

TEST(post, chain_reuses_its_single_block) {
  rill::io_context ioc;
  rill_test::handler_memory<> memory;
  int remaining = 1000;
  rill::post(ioc, chain_link{&ioc, &memory, &remaining});
  rill_test::heap_scope heap;
  EXPECT_EQ(ioc.run(), 1000u);
  EXPECT_EQ(remaining, 0);
  EXPECT_EQ(memory.allocations(), 1000);
  EXPECT_FALSE(memory.in_use());
  EXPECT_EQ(heap.count(), 0u);
}

TEST(post, throwing_allocator_makes_post_throw_and_leaks_nothing) {
  rill::io_context ioc;
  allocation_log log;
  int runs = 0;
  auto handler =
      rill::bind_allocator(counting_allocator<char>(log, /*throws=*/true), [&runs] { ++runs; });
  EXPECT_THROW(rill::post(ioc, handler), std::bad_alloc);
  EXPECT_EQ(log.allocations.load(), 0);
  EXPECT_EQ(log.live(), 0);
  // The context holds nothing and stays usable.
  EXPECT_EQ(ioc.run(), 0u);
  ioc.restart();
  rill::post(ioc, [&runs] { ++runs; });
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
}

// Copying throws once armed, i.e. when the library copies it into the operation.
struct throwing_copy {
  explicit throwing_copy(const bool* armed) : armed_(armed) {}
  throwing_copy(const throwing_copy& other) : armed_(other.armed_) {
    if (*armed_) throw std::runtime_error("copy");
  }
  void operator()() const {}
  const bool* armed_;
};

TEST(post, throwing_handler_construction_frees_the_memory) {
  rill::io_context ioc;
  allocation_log log;
  bool armed = false;
  auto handler = rill::bind_allocator(counting_allocator<char>(log), throwing_copy(&armed));
  armed = true;
  EXPECT_THROW(rill::post(ioc, handler), std::runtime_error);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(ioc.run(), 0u);
}

struct destruction_probe {
  using allocator_type = counting_allocator<int>;
  allocator_type get_allocator() const noexcept { return allocator_type(*log); }
  allocation_log* log;
  std::shared_ptr<int> token;
  int* runs;
  void operator()() { ++*runs; }
};

TEST(post, destroying_the_context_frees_queued_handlers_without_invoking) {
  allocation_log log;
  int runs = 0;
  auto token = std::make_shared<int>(0);
  {
    rill::io_context ioc;
    for (int i = 0; i < 10; ++i) rill::post(ioc, destruction_probe{&log, token, &runs});
    EXPECT_EQ(log.live(), 10);
    EXPECT_EQ(token.use_count(), 11);
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.allocations.load(), 10);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(token.use_count(), 1);  // every handler was destroyed
}

TEST(post, order_is_fifo) {
  rill::io_context ioc;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) rill::post(ioc, [&order, i] { order.push_back(i); });
  EXPECT_EQ(ioc.run(), 100u);
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(post, handlers_posted_by_handlers_run_in_order) {
  rill::io_context ioc;
  std::vector<int> order;
  rill::post(ioc, [&] {
    for (int i = 0; i < 5; ++i) rill::post(ioc, [&order, i] { order.push_back(i); });
  });
  EXPECT_EQ(ioc.run(), 6u);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

// Default allocator: the per-thread cache must serve steady-state chains
// without the heap, for small and large handlers alike.
template <std::size_t Size>
struct sized_link {
  rill::io_context* ioc;
  int* remaining;
  std::array<unsigned char, Size> payload{};
  void operator()() {
    payload[0] = static_cast<unsigned char>(payload[0] + 1);
    if (--*remaining > 0) rill::post(*ioc, *this);
  }
};

template <std::size_t Size>
void expect_default_chain_allocation_free() {
  rill::io_context ioc;
  int remaining = 100;
  rill::post(ioc, sized_link<Size>{&ioc, &remaining});
  ioc.run();  // warm-up: the cache acquires its blocks
  ioc.restart();
  remaining = 10000;
  rill::post(ioc, sized_link<Size>{&ioc, &remaining});
  rill_test::heap_scope heap;
  EXPECT_EQ(ioc.run(), 10000u);
  EXPECT_EQ(heap.count(), 0u) << "handler size " << Size;
}

TEST(post, default_allocator_chain_is_heap_free_8_bytes) {
  expect_default_chain_allocation_free<8>();
}
TEST(post, default_allocator_chain_is_heap_free_256_bytes) {
  expect_default_chain_allocation_free<256>();
}
TEST(post, default_allocator_chain_is_heap_free_2048_bytes) {
  expect_default_chain_allocation_free<2048>();
}
TEST(post, default_allocator_chain_is_heap_free_4096_bytes) {
  expect_default_chain_allocation_free<4096>();
}
TEST(post, default_allocator_chain_is_heap_free_12000_bytes) {
  expect_default_chain_allocation_free<12000>();
}

TEST(post, default_allocator_mixed_sizes_many_chains_heap_free) {
  rill::io_context ioc;
  int r1 = 0;
  int r2 = 0;
  int r3 = 0;
  int r4 = 0;
  auto start = [&](int n) {
    r1 = r2 = r3 = r4 = n;
    for (int i = 0; i < 16; ++i) {
      rill::post(ioc, sized_link<8>{&ioc, &r1});
      rill::post(ioc, sized_link<300>{&ioc, &r2});
      rill::post(ioc, sized_link<1500>{&ioc, &r3});
      rill::post(ioc, sized_link<4000>{&ioc, &r4});
    }
  };
  start(200);
  ioc.run();
  ioc.restart();
  start(5000);
  rill_test::heap_scope heap;
  ioc.run();
  EXPECT_EQ(heap.count(), 0u);
}

}  // namespace
