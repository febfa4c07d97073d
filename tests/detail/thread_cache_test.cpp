// The per-thread recycling cache: size classes, reuse, large and over-aligned
// requests, the per-thread bound with its depot hand-off, and the
// producer/consumer pattern that the depot exists for.
#include <rill/detail/thread_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include <rill/executor_work_guard.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>

#include "support/heap_counter.hpp"

namespace {

namespace cache = rill::detail::cache;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// Size classes

static_assert(cache::class_count == 9);
static_assert(cache::max_size == 16 * 1024);
static_assert(cache::class_size(0) == 64);
static_assert(cache::class_size(cache::class_count - 1) == cache::max_size);

TEST(thread_cache, class_of_boundaries) {
  EXPECT_EQ(cache::class_of(0), 0u);
  EXPECT_EQ(cache::class_of(1), 0u);
  EXPECT_EQ(cache::class_of(64), 0u);
  EXPECT_EQ(cache::class_of(65), 1u);
  EXPECT_EQ(cache::class_of(128), 1u);
  EXPECT_EQ(cache::class_of(129), 2u);
  EXPECT_EQ(cache::class_of(16 * 1024), 8u);
  // Every class holds exactly (previous size, its size].
  for (std::size_t cls = 0; cls < cache::class_count; ++cls) {
    const std::size_t size = cache::class_size(cls);
    EXPECT_EQ(size, std::size_t{64} << cls);
    EXPECT_EQ(cache::class_of(size), cls) << size;
    EXPECT_EQ(cache::class_of(size - 1), cls) << size;
    if (cls > 0) {
      EXPECT_EQ(cache::class_of(size / 2), cls - 1) << size;
      EXPECT_EQ(cache::class_of(size / 2 + 1), cls) << size;
    }
  }
}

TEST(thread_cache, class_limits) {
  // About 32 KiB per class, clamped to [4, 64] blocks.
  const std::uint32_t expected[cache::class_count] = {64, 64, 64, 64, 32, 16, 8, 4, 4};
  for (std::size_t cls = 0; cls < cache::class_count; ++cls) {
    EXPECT_EQ(cache::class_limit(cls), expected[cls]) << "class " << cls;
  }
}

// ---------------------------------------------------------------------------
// Reuse, large and over-aligned blocks

TEST(thread_cache, freed_block_is_returned_by_next_allocation_of_the_same_class) {
  for (std::size_t cls = 0; cls < cache::class_count; ++cls) {
    const std::size_t big = cache::class_size(cls);
    const std::size_t small = cls == 0 ? 1 : big / 2 + 1;
    // Allocating first guarantees the list is below its limit, so the free
    // below stays on this thread's list.
    void* p = cache::allocate(small, alignof(int));
    std::memset(p, 0xab, small);
    cache::deallocate(p, small, alignof(int));
    rill_test::heap_scope heap;
    void* q = cache::allocate(big, alignof(std::max_align_t));
    const std::uint64_t allocated = heap.count();
    EXPECT_EQ(q, p) << "class " << cls;
    EXPECT_EQ(allocated, 0u) << "class " << cls;
    std::memset(q, 0xcd, big);  // the whole class size is usable
    cache::deallocate(q, big, alignof(std::max_align_t));
  }
}

TEST(thread_cache, blocks_are_aligned_for_max_align_t) {
  for (std::size_t cls = 0; cls < cache::class_count; ++cls) {
    void* p = cache::allocate(cache::class_size(cls), alignof(std::max_align_t));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t), 0u);
    cache::deallocate(p, cache::class_size(cls), alignof(std::max_align_t));
  }
}

TEST(thread_cache, sixteen_kib_is_cached_anything_larger_comes_from_the_heap) {
  // Exactly max_size: recycled.
  void* p = cache::allocate(cache::max_size, 8);
  cache::deallocate(p, cache::max_size, 8);
  {
    rill_test::heap_scope heap;
    void* q = cache::allocate(cache::max_size, 8);
    EXPECT_EQ(heap.count(), 0u);
    EXPECT_EQ(q, p);
    cache::deallocate(q, cache::max_size, 8);
  }
  // One byte more: the heap, every time, and never kept.
  rill_test::heap_scope heap;
  for (int i = 0; i < 3; ++i) {
    void* big = cache::allocate(cache::max_size + 1, 8);
    std::memset(big, 0x5a, cache::max_size + 1);
    cache::deallocate(big, cache::max_size + 1, 8);
  }
  void* huge = cache::allocate(1024 * 1024, 8);
  std::memset(huge, 0x5a, 1024 * 1024);
  cache::deallocate(huge, 1024 * 1024, 8);
  EXPECT_EQ(heap.count(), 4u);
}

struct alignas(64) cache_line {
  unsigned char bytes[64];
};

TEST(thread_cache, over_aligned_requests_are_aligned_and_bypass_the_cache) {
  const std::size_t aligns[] = {32, 64, 128, 4096};
  const std::size_t sizes[] = {1, 64, 200, cache::max_size, cache::max_size + 1};
  rill_test::heap_scope heap;
  std::uint64_t requests = 0;
  for (std::size_t align : aligns) {
    for (std::size_t size : sizes) {
      void* p = cache::allocate(size, align);
      ++requests;
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u)
          << "size " << size << " align " << align;
      std::memset(p, 0x11, size);
      cache::deallocate(p, size, align);
    }
  }
  // Each one went to the aligned heap functions: nothing was recycled.
  EXPECT_EQ(heap.count(), requests);
  // The same through the type's own alignment.
  void* line = cache::allocate(sizeof(cache_line), alignof(cache_line));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(line) % alignof(cache_line), 0u);
  cache::deallocate(line, sizeof(cache_line), alignof(cache_line));
}

// ---------------------------------------------------------------------------
// The per-thread bound and the depot

// Takes every block of class cls that the depot holds (batches left by
// other tests' threads), so that what follows starts from a known state.
// Stops at the first block the heap had to supply, which shows that both the
// calling thread's list and the depot's stack for cls were empty. The blocks
// taken are returned in held; the caller frees them at the end.
void drain_depot(std::size_t cls, std::vector<void*>& held) {
  const std::size_t size = cache::class_size(cls);
  // Warm up first: the thread's first use registers its exit hook.
  cache::deallocate(cache::allocate(size, 8), size, 8);
  // The depot never holds more than 512 KiB of a class.
  const std::size_t bound = (512 * 1024) / size + cache::class_limit(cls) + 2;
  held.reserve(held.size() + bound);
  for (std::size_t i = 0; i < bound; ++i) {
    rill_test::heap_scope heap;
    held.push_back(cache::allocate(size, 8));
    if (heap.count() != 0) return;
  }
  ADD_FAILURE() << "the depot did not run dry";
}

void free_all(std::vector<void*>& blocks, std::size_t size) {
  for (void* p : blocks) cache::deallocate(p, size, 8);
  blocks.clear();
}

// A model of one thread's list for one class: what count it must show after
// each free, and how many batches it must have sent to the depot.
struct list_model {
  std::uint32_t limit;
  std::uint32_t count = 0;
  int batches = 0;
  void free_one() {
    if (count < limit) {
      ++count;
    } else {
      // The freed block plus limit/2 - 1 listed ones leave as one batch.
      count -= limit / 2 - 1;
      ++batches;
    }
  }
};

TEST(thread_cache, per_thread_list_is_bounded_and_overflows_to_the_depot_in_batches) {
  std::vector<void*> held;
  std::vector<void*> blocks;
  blocks.reserve(300);
  std::uint64_t from_heap_first = 0;
  std::uint64_t from_heap_again = 0;
  std::uint64_t from_heap_after = 0;
  std::uint32_t count_after_realloc = 1;
  std::thread owner([&] {
    drain_depot(0, held);
    cache::bucket& b = cache::tls_state.buckets[0];
    ASSERT_EQ(b.count, 0u);
    ASSERT_EQ(b.limit, cache::class_limit(0));

    // 200 blocks with an empty list and an empty depot: all from the heap.
    {
      rill_test::heap_scope heap;
      for (int i = 0; i < 200; ++i) blocks.push_back(cache::allocate(64, 8));
      from_heap_first = heap.count();
    }
    // Free them one by one: the list never holds more than class_limit(0)
    // blocks; each overflow sends class_limit(0)/2 blocks to the depot.
    list_model model{cache::class_limit(0)};
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      cache::deallocate(blocks[i], 64, 8);
      model.free_one();
      ASSERT_EQ(b.count, model.count) << "after free " << i + 1;
      ASSERT_LE(b.count, cache::class_limit(0));
    }
    blocks.clear();
    EXPECT_EQ(b.count, 40u);      // 64, then +31 per 32 frees: 64 -> 33 ... 40
    EXPECT_EQ(model.batches, 5);  // 5 * 32 = 160 blocks in the depot
    // Allocating 200 again: 40 from the list, then 5 batches from the depot,
    // no heap. The 201st finds both empty.
    {
      rill_test::heap_scope heap;
      for (int i = 0; i < 200; ++i) blocks.push_back(cache::allocate(64, 8));
      from_heap_again = heap.count();
      count_after_realloc = b.count;
      blocks.push_back(cache::allocate(64, 8));
      from_heap_after = heap.count();
    }
    free_all(blocks, 64);
    free_all(held, 64);
  });
  owner.join();
  EXPECT_EQ(from_heap_first, 200u);
  EXPECT_EQ(from_heap_again, 0u);
  EXPECT_EQ(count_after_realloc, 0u);
  EXPECT_EQ(from_heap_after, 1u);
}

TEST(thread_cache, blocks_freed_on_one_thread_are_allocated_on_another_without_the_heap) {
  std::vector<void*> held;
  std::vector<void*> blocks;
  blocks.reserve(300);
  std::uint64_t first_from_heap = 0;
  std::thread freer([&] {
    drain_depot(0, held);
    rill_test::heap_scope heap;
    for (int i = 0; i < 201; ++i) blocks.push_back(cache::allocate(64, 8));
    first_from_heap = heap.count();
    free_all(blocks, 64);
    // Everything this thread still lists goes to the depot too: now it holds
    // exactly the 201 blocks (5 full batches, then 32 + 9 from the list).
    cache::release_thread_blocks();
    EXPECT_EQ(cache::tls_state.buckets[0].count, 0u);
    EXPECT_EQ(cache::tls_state.buckets[0].head, nullptr);
  });
  freer.join();
  EXPECT_EQ(first_from_heap, 201u);

  std::uint64_t from_heap_201 = 1;
  std::uint64_t from_heap_202 = 0;
  std::thread taker([&] {
    rill_test::heap_scope heap;
    for (int i = 0; i < 201; ++i) blocks.push_back(cache::allocate(64, 8));
    from_heap_201 = heap.count();
    blocks.push_back(cache::allocate(64, 8));
    from_heap_202 = heap.count();
    free_all(blocks, 64);
    free_all(held, 64);
  });
  taker.join();
  EXPECT_EQ(from_heap_201, 0u);
  EXPECT_EQ(from_heap_202, 1u);
}

TEST(thread_cache, a_thread_returns_its_blocks_to_the_depot_when_it_exits) {
  std::vector<void*> held;
  std::uint64_t from_heap = 0;
  std::thread leaver([&] {
    drain_depot(3, held);  // 512-byte class
    std::vector<void*> blocks;
    blocks.reserve(10);
    rill_test::heap_scope heap;
    for (int i = 0; i < 10; ++i) blocks.push_back(cache::allocate(500, 8));
    from_heap = heap.count();
    for (void* p : blocks) cache::deallocate(p, 500, 8);
    EXPECT_EQ(cache::tls_state.buckets[3].count, 10u);
    // The thread ends holding 10 blocks in its list.
  });
  leaver.join();
  EXPECT_EQ(from_heap, 10u);

  std::uint64_t from_heap_10 = 1;
  std::uint64_t from_heap_11 = 0;
  std::thread heir([&] {
    std::vector<void*> blocks;
    blocks.reserve(11);
    rill_test::heap_scope heap;
    for (int i = 0; i < 10; ++i) blocks.push_back(cache::allocate(512, 8));
    from_heap_10 = heap.count();
    blocks.push_back(cache::allocate(512, 8));
    from_heap_11 = heap.count();
    for (void* p : blocks) cache::deallocate(p, 512, 8);
    for (void* p : held) cache::deallocate(p, 512, 8);
  });
  heir.join();
  EXPECT_EQ(from_heap_10, 0u);
  EXPECT_EQ(from_heap_11, 1u);
}

// ---------------------------------------------------------------------------
// Producer/consumer through an io_context

// Waits, boundedly, until pred() holds. Spins with yields: no allocation.
template <typename Pred>
bool wait_until(Pred pred, std::chrono::steady_clock::duration timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(thread_cache, producer_consumer_steady_state_is_heap_free) {
  // Thread A (producer) only posts, so it only allocates operations; thread
  // B (consumer) only runs them, so it only frees. Without the depot A would
  // need the heap for every post and B's list would overflow to the heap.
  constexpr int warm_up = 2048;
  constexpr int rounds = 20;
  constexpr int per_round = 1000;  // at most this many operations in flight

  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  std::atomic<int> processed{0};
  std::atomic<bool> gate_open{false};
  std::atomic<bool> gate_ok{true};

  std::thread consumer([&] { ioc.run(); });

  bool warm_up_ok = false;
  bool rounds_ok = false;
  std::uint64_t heap_during_rounds = ~std::uint64_t{0};
  std::thread producer([&] {
    // Warm-up: the consumer is held at a gate while warm_up operations are
    // allocated, so that at least that many blocks exist; once it runs them
    // they go to its list and the depot.
    rill::post(ioc, [&] {
      if (!wait_until([&] { return gate_open.load(); })) gate_ok = false;
    });
    for (int i = 0; i < warm_up; ++i) {
      rill::post(ioc, [&processed] { processed.fetch_add(1, std::memory_order_relaxed); });
    }
    gate_open = true;
    warm_up_ok = wait_until([&] { return processed.load() == warm_up; });
    if (!warm_up_ok) return;

    // Steady state: every block A needs is in its list or in the depot,
    // since at most per_round are in flight and B keeps at most
    // class_limit(0) in its list.
    const std::uint64_t before = rill_test::heap_allocations();
    rounds_ok = true;
    for (int r = 1; r <= rounds && rounds_ok; ++r) {
      for (int i = 0; i < per_round; ++i) {
        rill::post(ioc, [&processed] { processed.fetch_add(1, std::memory_order_relaxed); });
      }
      const int target = warm_up + r * per_round;
      rounds_ok = wait_until([&] { return processed.load() == target; });
    }
    heap_during_rounds = rill_test::heap_allocations() - before;
  });
  producer.join();
  guard.reset();
  if (!warm_up_ok || !rounds_ok) ioc.stop();  // do not wait for work that may never come
  consumer.join();

  EXPECT_TRUE(gate_ok.load());
  ASSERT_TRUE(warm_up_ok);
  ASSERT_TRUE(rounds_ok);
  EXPECT_EQ(processed.load(), warm_up + rounds * per_round);
  EXPECT_EQ(heap_during_rounds, 0u);
  EXPECT_TRUE(ioc.stopped());
}

}  // namespace
