// rill/detail/memory_counters.hpp - the per-thread counters behind
// rill::get_memory_stats() and the notification of heap allocations.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_THREAD__)
#define RILL_DETAIL_ATOMIC_COUNTERS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RILL_DETAIL_ATOMIC_COUNTERS 1
#endif
#endif

namespace rill {
// Where memory that came from the global heap was asked for (see
// rill/memory/on_heap_allocation.hpp).
enum class heap_origin : unsigned char {
  // The recycling cache behind the default allocator had no block to reuse
  // (or the request was larger than 16 KiB or over-aligned).
  recycling_cache,
  // A chain_memory slot grew to hold a larger (or more aligned) request.
  chain_memory_growth,
  // Every slot of a chain_memory was busy; the request went to the heap.
  chain_memory_fallback,
};
}  // namespace rill

namespace rill::detail::memory_counters {

// A count with one writer, its thread, that other threads read now and then
// (get_memory_stats). Counting must cost next to nothing (it runs for every
// operation), so the writer uses a plain add, which the compiler turns into
// one instruction on memory; readers load it atomically. An aligned 64-bit
// store is single-copy atomic on every target rill supports (x86-64,
// AArch64), so a reader sees an old or a new value, never a torn one. Under
// ThreadSanitizer, which cannot know that, the count is a real atomic.
template <typename T>
class counter {
 public:
  constexpr counter() noexcept = default;
  counter(const counter&) = delete;
  counter& operator=(const counter&) = delete;

#if defined(RILL_DETAIL_ATOMIC_COUNTERS)
  // The owner thread.
  void add(T n) noexcept { value_.store(value_.load(relaxed) + n, relaxed); }
  [[nodiscard]] T value() const noexcept { return value_.load(relaxed); }
  void set(T n) noexcept { value_.store(n, relaxed); }
  // Any thread.
  [[nodiscard]] T load() const noexcept { return value_.load(relaxed); }
  void store(T n) noexcept { value_.store(n, relaxed); }

 private:
  static constexpr std::memory_order relaxed = std::memory_order_relaxed;
  std::atomic<T> value_{0};
#else
  // The owner thread: plain accesses, which the compiler may combine.
  void add(T n) noexcept { value_ += n; }
  [[nodiscard]] T value() const noexcept { return value_; }
  void set(T n) noexcept { value_ = n; }
  // Any thread.
  [[nodiscard]] T load() const noexcept { return __atomic_load_n(&value_, __ATOMIC_RELAXED); }
  void store(T n) noexcept { __atomic_store_n(&value_, n, __ATOMIC_RELAXED); }

 private:
  T value_ = 0;
#endif
};

// Every thread counts its own events in its own block, with no lock and no
// atomic read-modify-write. The block is linked in a process-wide list under
// a mutex when the thread first counts something, and folded into a global
// total when the thread exits (src/memory_stats.cpp).
enum class phase : unsigned char { fresh, live, dead };

struct thread_block {
  counter<std::uint64_t> handler_allocator;
  // Operations served by the recycling cache, and those of them for which
  // it went to the heap (the rest were hits).
  counter<std::uint64_t> cache_allocations;
  counter<std::uint64_t> cache_misses;
  counter<std::uint64_t> bytes;
  counter<std::uint64_t> heap_allocations;
  counter<std::uint64_t> heap_bytes;
  // Operations allocated minus operations freed by this thread (negative on
  // a thread that frees what others allocated), and its highest value.
  counter<std::int64_t> live;
  counter<std::int64_t> peak;
  // Owner thread only.
  phase state = phase::fresh;
  // The values at the last reset_memory_stats(), and the list links: both
  // guarded by the registry's mutex.
  std::uint64_t base_handler_allocator = 0;
  std::uint64_t base_cache_allocations = 0;
  std::uint64_t base_cache_misses = 0;
  std::uint64_t base_bytes = 0;
  std::uint64_t base_heap_allocations = 0;
  std::uint64_t base_heap_bytes = 0;
  std::int64_t base_live = 0;
  thread_block* prev = nullptr;
  thread_block* next = nullptr;
};

// constinit: every translation unit reaches the block directly, with no
// thread_local wrapper call on the hot path.
extern constinit thread_local thread_block tls_block;

// Links this thread's block and arms its exit hook; idempotent. The
// recycling cache calls it when it registers the thread, which is how the
// cache path below can skip the check (src/memory_stats.cpp).
void register_thread() noexcept;

// Out of line: registers the thread on first use, or counts into the
// global total once the thread's block has been folded.
void note_handler_allocation_slow(std::size_t size) noexcept;
void note_deallocation_slow() noexcept;

inline void count_live(thread_block& b) noexcept {
  const std::int64_t live = b.live.value() + 1;
  b.live.set(live);
  if (live > b.peak.value()) [[unlikely]] {
    b.peak.set(live);
  }
}

// An operation of size bytes was allocated through the handler's allocator.
inline void note_handler_allocation(std::size_t size) noexcept {
  thread_block& b = tls_block;
  if (b.state != phase::live) [[unlikely]] {
    note_handler_allocation_slow(size);
    return;
  }
  b.handler_allocator.add(1);
  b.bytes.add(size);
  count_live(b);
}

// An operation of size bytes was allocated from the recycling cache. No
// registration check: the cache registered the thread (register_thread)
// before it handed out its first block; a miss is counted by the cache's
// slow path (note_heap_allocation with for_operation).
inline void note_cache_allocation(std::size_t size) noexcept {
  thread_block& b = tls_block;
  b.cache_allocations.add(1);
  b.bytes.add(size);
  count_live(b);
}

// An operation was freed. The cache's free path registers the thread too,
// but operations of other allocators never touch the cache, so the check
// stays.
inline void note_deallocation() noexcept {
  thread_block& b = tls_block;
  if (b.state != phase::live) [[unlikely]] {
    note_deallocation_slow();
    return;
  }
  b.live.add(-1);
}

// Memory is about to come from the global heap: counts it (as an operation's
// cache miss too when for_operation) and calls the on_heap_allocation
// callbacks, which may throw to fail the allocation. source_object is the
// chain_memory for the chain origins, else null.
void note_heap_allocation(std::size_t size, std::size_t alignment, heap_origin origin,
                          const void* source_object, bool for_operation = false);

}  // namespace rill::detail::memory_counters
