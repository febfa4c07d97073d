// rill/detail/memory_thread_block.hpp - one thread's memory counters, kept in
// the recycling cache's thread-local state (detail/thread_cache.hpp) so that
// the default allocation path reaches both with one address computation.
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
// operation), so the writer uses plain accesses, which the compiler turns
// into one instruction on memory; readers load it atomically. An aligned
// 64-bit store is single-copy atomic on every target rill supports (x86-64,
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
  // Another thread, atomically: the owner's own update, made at the same
  // moment, then either follows it or overwrites it, but is never lost.
  void fetch_sub(T n) noexcept { value_.fetch_sub(n, relaxed); }

 private:
  static constexpr std::memory_order relaxed = std::memory_order_relaxed;
  std::atomic<T> value_{0};
#else
  // The owner thread.
  void add(T n) noexcept { value_ += n; }
  [[nodiscard]] T value() const noexcept { return value_; }
  void set(T n) noexcept { __atomic_store_n(&value_, n, __ATOMIC_RELAXED); }
  // Any thread.
  [[nodiscard]] T load() const noexcept { return __atomic_load_n(&value_, __ATOMIC_RELAXED); }
  // Another thread, with a locked instruction: the owner's own update, made
  // at the same moment, then either follows it or overwrites it, but is
  // never lost.
  void fetch_sub(T n) noexcept { __atomic_fetch_sub(&value_, n, __ATOMIC_RELAXED); }

 private:
  T value_ = 0;
#endif
};

enum class phase : unsigned char { fresh, live, dead };

// What reset_memory_stats() subtracts from a thread's headroom to make the
// thread's next allocation take the slow path, where the thread applies the
// reset of its peak itself (see src/memory_stats.cpp). Far outside any real
// headroom, so a reader can always tell a poked value and undo it.
inline constexpr std::int64_t reset_poke = std::int64_t{1} << 60;

// Every thread counts its own events in its own block, with no lock, no
// atomic read-modify-write and one branch that is almost never taken. The
// block is linked in a process-wide list under a mutex (registered) when the
// thread first allocates an operation, uses the recycling cache, makes or
// runs an execution context; it is folded into a global total when the
// thread exits (src/memory_stats.cpp).
struct thread_block {
  counter<std::uint64_t> handler_allocator;
  // Operations served by the recycling cache, and those of them for which
  // it went to the heap (the rest were hits).
  counter<std::uint64_t> cache_allocations;
  counter<std::uint64_t> cache_misses;
  counter<std::uint64_t> bytes;
  counter<std::uint64_t> heap_allocations;
  counter<std::uint64_t> heap_bytes;
  // Live operations (allocated minus freed by this thread; negative on a
  // thread that frees what others allocated) are peak - headroom. An
  // allocation takes one from the headroom and a free gives one back, so the
  // hot path has a single count for both live and peak; when the headroom
  // goes negative, a new peak is reached and the slow path moves the peak.
  // A thread that is not registered starts at headroom 0, so its first
  // allocation takes the slow path, which registers it.
  counter<std::int64_t> headroom;
  counter<std::int64_t> peak;
  // A reset of the peak that the owner has yet to apply, and the live count
  // at that reset: written by reset_memory_stats().
  std::atomic<bool> reset_pending{false};
  std::atomic<std::int64_t> reset_live{0};
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

}  // namespace rill::detail::memory_counters
