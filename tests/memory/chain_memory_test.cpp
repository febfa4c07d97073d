// chain_memory: a few slots, each growing once to the largest request and
// then reused; any alignment; heap fallbacks counted and reported; misuse
// (two chains at once, destruction while in use) reported.
#include <rill/memory/chain_memory.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <system_error>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include <rill/as_tuple.hpp>
#include <rill/associated_allocator.hpp>
#include <rill/buffer.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/memory/memory_stats.hpp>
#include <rill/memory/on_heap_allocation.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/use_future.hpp>

#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"
#include "support/memory_error_recorder.hpp"

namespace {

using rill::chain_memory;
using rill_test::memory_error_recorder;

static_assert(!std::is_copy_constructible_v<chain_memory>);
static_assert(!std::is_move_constructible_v<chain_memory>);
static_assert(!std::is_copy_assignable_v<chain_memory>);
static_assert(chain_memory::slot_count >= 3, "a read, a write and a timer in flight");

struct plain_handler {
  void operator()() const {}
};
static_assert(std::is_same_v<decltype(std::declval<chain_memory&>().wrap(plain_handler{})),
                             rill::allocator_binder<plain_handler, rill::chain_allocator<void>>>);
static_assert(
    std::is_same_v<rill::associated_allocator_t<
                       rill::allocator_binder<plain_handler, rill::chain_allocator<void>>>,
                   rill::chain_allocator<void>>);

TEST(chain_memory, allocator_compares_by_memory) {
  chain_memory a;
  chain_memory b;
  EXPECT_TRUE(a.get_allocator() == a.get_allocator());
  EXPECT_FALSE(a.get_allocator() == b.get_allocator());
  rill::chain_allocator<int> ints(a.get_allocator());
  EXPECT_TRUE(ints == a.get_allocator());
  EXPECT_EQ(&ints.memory(), &a);
}

TEST(chain_memory, a_slot_grows_once_and_is_reused) {
  chain_memory mem;
  void* first = mem.allocate(100, 8);
  mem.deallocate(first, 100, 8);
  // Smaller and equal requests reuse the block.
  void* second = mem.allocate(40, 8);
  EXPECT_EQ(second, first);
  mem.deallocate(second, 40, 8);
  // A larger one grows it (once).
  void* third = mem.allocate(1000, 8);
  mem.deallocate(third, 1000, 8);
  void* fourth = mem.allocate(1000, 8);
  EXPECT_EQ(fourth, third);
  mem.deallocate(fourth, 1000, 8);
  const rill::chain_memory_stats s = mem.stats();
  EXPECT_EQ(s.allocations, 4u);
  EXPECT_EQ(s.growths, 2u);
  EXPECT_EQ(s.heap_fallbacks, 0u);
  EXPECT_EQ(s.live, 0u);
  EXPECT_EQ(s.peak_live, 1u);
  EXPECT_GE(s.bytes_held, 1000u);
}

TEST(chain_memory, slots_serve_several_operations_in_flight) {
  chain_memory mem;
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < chain_memory::slot_count; ++i) {
    blocks.push_back(mem.allocate(64 * (i + 1), 16));
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(blocks[i], blocks[j]);
  }
  EXPECT_EQ(mem.stats().live, chain_memory::slot_count);
  EXPECT_EQ(mem.stats().heap_fallbacks, 0u);
  for (std::size_t i = 0; i < blocks.size(); ++i) mem.deallocate(blocks[i], 64 * (i + 1), 16);
  // Next round: the best-fitting slot is chosen, so nothing grows again.
  const std::uint64_t growths = mem.stats().growths;
  for (std::size_t i = chain_memory::slot_count; i > 0; --i) {
    blocks[i - 1] = mem.allocate(64 * i, 16);
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) mem.deallocate(blocks[i], 64 * (i + 1), 16);
  EXPECT_EQ(mem.stats().growths, growths);
}

TEST(chain_memory, over_aligned_requests_are_aligned) {
  chain_memory mem;
  for (std::size_t align : {32u, 64u, 256u, 4096u}) {
    void* p = mem.allocate(24, align);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u) << align;
    mem.deallocate(p, 24, align);
  }
  // Through the allocator, for an over-aligned type.
  struct alignas(128) wide {
    unsigned char bytes[128];
  };
  rill::chain_allocator<wide> alloc(mem.get_allocator());
  wide* w = alloc.allocate(3);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(w) % 128, 0u);
  alloc.deallocate(w, 3);
  EXPECT_EQ(mem.stats().live, 0u);
}

// A handler whose operation is over-aligned (the executor op holds it).
struct alignas(64) aligned_handler {
  int* runs;
  std::uintptr_t* address;
  void operator()() {
    ++*runs;
    *address = reinterpret_cast<std::uintptr_t>(this);
  }
};

TEST(chain_memory, over_aligned_operation_through_post) {
  rill::io_context ioc;
  chain_memory mem;
  int runs = 0;
  std::uintptr_t address = 0;
  rill::post(ioc, mem.wrap(aligned_handler{&runs, &address}));
  EXPECT_EQ(mem.stats().live, 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(mem.stats().live, 0u);
  EXPECT_EQ(mem.stats().allocations, 1u);
}

// A chain of posts: memory from the chain, freed before each handler runs,
// and no heap allocation once the slot has grown.
struct post_chain {
  rill::io_context* ioc;
  chain_memory* mem;
  int* left;
  std::size_t* live_inside;
  void operator()() {
    *live_inside += mem->stats().live;
    if (--*left > 0) rill::post(*ioc, mem->wrap(*this));
  }
};

TEST(chain_memory, post_chain_reuses_one_block_without_heap) {
  rill::io_context ioc;
  chain_memory mem;
  int left = 5;
  std::size_t live_inside = 0;
  rill::post(ioc, mem.wrap(post_chain{&ioc, &mem, &left, &live_inside}));
  ioc.run();
  ioc.restart();
  left = 1000;
  rill::reset_memory_stats();
  rill_test::heap_scope heap;
  rill::post(ioc, mem.wrap(post_chain{&ioc, &mem, &left, &live_inside}));
  EXPECT_EQ(ioc.run(), 1000u);
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(live_inside, 0u);  // freed before every invocation
  const rill::chain_memory_stats s = mem.stats();
  EXPECT_EQ(s.allocations, 1005u);
  EXPECT_EQ(s.growths, 1u);
  EXPECT_EQ(s.heap_fallbacks, 0u);
  EXPECT_EQ(s.peak_live, 1u);
  const rill::memory_stats ms = rill::this_thread_memory_stats();
  EXPECT_EQ(ms.handler_allocator, 1000u);
  EXPECT_EQ(ms.heap_allocations, 0u);
}

TEST(chain_memory, full_duplex_session_read_write_and_timer) {
  rill::io_context ioc;
  auto pair = rill_test::make_tcp_pair(ioc);
  chain_memory mem;
  rill::steady_timer timer(ioc);
  std::array<char, 16> in{};
  const std::array<char, 4> out{'p', 'i', 'n', 'g'};
  int done = 0;
  std::size_t live_inside = 0;
  // Round after round: a read, a write and a timer in flight together.
  for (int round = 0; round < 3; ++round) {
    pair.server.async_read_some(rill::buffer(in), mem.wrap([&](std::error_code ec, std::size_t n) {
      EXPECT_FALSE(ec);
      EXPECT_EQ(n, 4u);
      live_inside = std::max(live_inside, mem.stats().live);
      ++done;
    }));
    pair.client.async_write_some(rill::buffer(out), mem.wrap([&](std::error_code ec, std::size_t) {
      EXPECT_FALSE(ec);
      ++done;
    }));
    timer.expires_after(std::chrono::milliseconds(1));
    timer.async_wait(mem.wrap([&](std::error_code ec) {
      EXPECT_FALSE(ec);
      ++done;
    }));
    EXPECT_EQ(mem.stats().live, 3u);
    ASSERT_TRUE(rill_test::run_until(ioc, [&] { return done == 3 * (round + 1); }));
  }
  const rill::chain_memory_stats s = mem.stats();
  EXPECT_EQ(s.heap_fallbacks, 0u);
  EXPECT_EQ(s.allocations, 9u);
  EXPECT_LE(s.growths, 3u);  // one per slot in use, in the first round
  EXPECT_EQ(s.live, 0u);
  EXPECT_LT(live_inside, 3u);
}

TEST(chain_memory, works_as_token_adapter) {
  rill::io_context ioc;
  chain_memory mem;
  rill::steady_timer timer(ioc);
  timer.expires_after(std::chrono::seconds(0));
  std::error_code got = rill::error::operation_aborted;
  timer.async_wait(
      mem.wrap(rill::as_tuple([&](std::tuple<std::error_code> t) { got = std::get<0>(t); })));
  EXPECT_EQ(mem.stats().live, 1u);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_FALSE(got);
  EXPECT_EQ(mem.stats().allocations, 1u);
  EXPECT_EQ(mem.stats().live, 0u);

  // use_future: the token's handler is bound to the chain too.
  ioc.restart();
  timer.expires_after(std::chrono::seconds(0));
  std::future<void> f = timer.async_wait(mem.wrap(rill::use_future));
  EXPECT_EQ(mem.stats().allocations, 2u);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_NO_THROW(f.get());
  EXPECT_EQ(mem.stats().live, 0u);
}

TEST(chain_memory, destroyed_context_frees_pending_operation_without_invoking) {
  chain_memory mem;
  bool invoked = false;
  {
    rill::io_context ioc;
    rill::steady_timer timer(ioc);
    timer.expires_after(std::chrono::hours(1));
    timer.async_wait(mem.wrap([&](std::error_code) { invoked = true; }));
    EXPECT_EQ(mem.stats().live, 1u);
  }
  EXPECT_FALSE(invoked);
  EXPECT_EQ(mem.stats().live, 0u);
}

// Misuse: two sessions' chains, each with a read, a write and a timer in
// flight, share one chain_memory: more live allocations than slots, so the
// surplus goes to the heap, counted and reported to on_heap_allocation.
TEST(chain_memory, shared_by_two_sessions_falls_back_and_is_reported) {
  rill::io_context ioc;
  auto first = rill_test::make_tcp_pair(ioc);
  auto second = rill_test::make_tcp_pair(ioc);
  chain_memory shared;
  std::vector<rill::heap_allocation> reported;
  auto hook = rill::on_heap_allocation([&](const rill::heap_allocation& a) {
    if (a.origin == rill::heap_origin::chain_memory_fallback) reported.push_back(a);
  });
  rill::steady_timer t1(ioc);
  rill::steady_timer t2(ioc);
  std::array<char, 8> in1{};
  std::array<char, 8> in2{};
  const std::array<char, 2> out{'h', 'i'};
  int done = 0;
  auto count = [&](std::error_code, auto...) { ++done; };
  first.server.async_read_some(rill::buffer(in1), shared.wrap(count));
  second.server.async_read_some(rill::buffer(in2), shared.wrap(count));
  first.client.async_write_some(rill::buffer(out), shared.wrap(count));
  second.client.async_write_some(rill::buffer(out), shared.wrap(count));
  t1.expires_after(std::chrono::milliseconds(1));
  t2.expires_after(std::chrono::milliseconds(1));
  t1.async_wait(shared.wrap(count));
  t2.async_wait(shared.wrap(count));
  EXPECT_EQ(shared.stats().live, 6u);
  EXPECT_EQ(shared.stats().heap_fallbacks, 6u - chain_memory::slot_count);
  ASSERT_EQ(reported.size(), 6u - chain_memory::slot_count);
  EXPECT_EQ(reported[0].source, &shared);
  ASSERT_TRUE(rill_test::run_until(ioc, [&] { return done == 6; }));
  EXPECT_EQ(shared.stats().live, 0u);
}

TEST(chain_memory, more_operations_than_slots_fall_back_and_are_counted) {
  rill::io_context ioc;
  chain_memory mem;
  int fallbacks_seen = 0;
  auto hook = rill::on_heap_allocation([&](const rill::heap_allocation& a) {
    if (a.origin == rill::heap_origin::chain_memory_fallback && a.source == &mem) {
      ++fallbacks_seen;
    }
  });
  int runs = 0;
  for (std::size_t i = 0; i < chain_memory::slot_count + 2; ++i) {
    rill::post(ioc, mem.wrap([&runs] { ++runs; }));
  }
  EXPECT_EQ(mem.stats().heap_fallbacks, 2u);
  EXPECT_EQ(fallbacks_seen, 2);
  EXPECT_EQ(mem.stats().live, chain_memory::slot_count + 2);
  EXPECT_EQ(ioc.poll(), chain_memory::slot_count + 2);
  EXPECT_EQ(mem.stats().live, 0u);
  EXPECT_EQ(static_cast<std::size_t>(runs), chain_memory::slot_count + 2);
}

// Misuse: two chains on two threads share one chain_memory. The overlap is
// reported (and counted) and every request is still served correctly.
TEST(chain_memory, shared_by_two_concurrent_chains_is_reported) {
  memory_error_recorder recorder;
  chain_memory mem;
  std::atomic<bool> go{false};
  std::atomic<std::uint64_t> calls{0};
  // Two threads hammering one chain_memory overlap sooner or later (the
  // bound only matters on a machine too loaded to run them at once).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto chain = [&] {
    while (!go.load()) std::this_thread::yield();
    while (mem.stats().concurrent_calls == 0 && std::chrono::steady_clock::now() < deadline) {
      for (int i = 0; i < 1000; ++i) {
        void* p = mem.allocate(64, 16);
        static_cast<unsigned char*>(p)[0] = 1;
        mem.deallocate(p, 64, 16);
      }
      calls += 1000;
    }
  };
  std::thread a(chain);
  std::thread b(chain);
  go = true;
  a.join();
  b.join();
  const rill::chain_memory_stats s = mem.stats();
  EXPECT_EQ(s.allocations, calls.load());
  EXPECT_EQ(s.live, 0u);
  // Each overlap is reported once and counted.
  EXPECT_GT(s.concurrent_calls, 0u);
  EXPECT_EQ(recorder.count(rill::memory_error_kind::concurrent_allocator_call), s.concurrent_calls);
  ASSERT_GT(recorder.size(), 0u);
  EXPECT_NE(recorder.errors()[0].message.find("chain_memory"), std::string::npos);
  EXPECT_EQ(recorder.errors()[0].source, &mem);
}

TEST(chain_memory, destroyed_while_in_use_is_reported) {
  memory_error_recorder recorder;
  void* p = nullptr;
  {
    chain_memory mem;
    p = mem.allocate(32, 8);
  }
  ASSERT_EQ(recorder.size(), 1u);
  EXPECT_EQ(recorder.errors()[0].kind, rill::memory_error_kind::destroyed_in_use);
  EXPECT_EQ(recorder.errors()[0].live_allocations, 1u);
  // The block in use was left to its user rather than freed under it.
  ::operator delete (p, std::align_val_t{alignof(std::max_align_t)});
}

TEST(chain_memory, double_free_is_reported_and_ignored) {
  memory_error_recorder recorder;
  chain_memory mem;
  void* p = mem.allocate(64, 16);
  mem.deallocate(p, 64, 16);
  mem.deallocate(p, 64, 16);
  ASSERT_EQ(recorder.size(), 1u);
  EXPECT_EQ(recorder.errors()[0].kind, rill::memory_error_kind::unknown_deallocation);
  EXPECT_EQ(mem.stats().live, 0u);
  // Still usable: the slot is reused.
  EXPECT_EQ(mem.allocate(64, 16), p);
  mem.deallocate(p, 64, 16);
}

TEST(chain_memory, reserved_slots_never_touch_the_heap) {
  int heap_calls = 0;
  auto hook = rill::on_heap_allocation([&](const rill::heap_allocation&) { ++heap_calls; });
  chain_memory mem(256);
  EXPECT_EQ(heap_calls, static_cast<int>(chain_memory::slot_count));
  EXPECT_EQ(mem.stats().bytes_held, chain_memory::slot_count * 256);
  heap_calls = 0;
  rill::io_context ioc;
  int runs = 0;
  for (int i = 0; i < 3; ++i) rill::post(ioc, mem.wrap([&runs] { ++runs; }));
  EXPECT_EQ(ioc.poll(), 3u);
  EXPECT_EQ(heap_calls, 0);
  EXPECT_EQ(mem.stats().growths, chain_memory::slot_count);
}

TEST(chain_memory, stats_from_another_thread_do_not_look_concurrent) {
  memory_error_recorder recorder;
  chain_memory mem;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) (void)mem.stats();
  });
  for (int i = 0; i < 20000; ++i) mem.deallocate(mem.allocate(64, 16), 64, 16);
  stop = true;
  reader.join();
  EXPECT_EQ(recorder.size(), 0u);
  EXPECT_EQ(mem.stats().concurrent_calls, 0u);
}

}  // namespace
