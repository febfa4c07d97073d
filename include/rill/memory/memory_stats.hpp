// rill/memory/memory_stats.hpp - where the memory of asynchronous operations
// came from: counts by source, bytes, live operations, peak.
//
//   rill::reset_memory_stats();
//   ... run the server for a while ...
//   rill::memory_stats s = rill::get_memory_stats();
//   std::printf("%llu from the cache, %llu from the heap\n", s.cache_hits, s.cache_misses);
//
// Every operation rill allocates (a posted handler, a socket or timer
// operation, a composed operation's state, a coroutine's spawn state, an
// any_completion_handler) is counted when it is allocated and when it is
// freed. Coroutine frames are not operations: they show only as heap
// allocations when the recycling cache has to go to the heap for them.
// Counting is always on; it costs a few per-thread adds, no lock, no atomic
// read-modify-write. Counts made by a thread's thread_local destructors after
// the thread's counters were folded at its exit are not counted.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rill {

struct memory_stats {
  // Operations allocated through the handler's own associated allocator
  // (bind_allocator, chain_memory, bind_memory_resource, a nested
  // allocator_type, ...).
  std::uint64_t handler_allocator = 0;
  // Operations of handlers with the default allocator that the recycling
  // cache served with a block it already had.
  std::uint64_t cache_hits = 0;
  // Operations of handlers with the default allocator for which the cache
  // had to ask the global heap (warm-up, a burst, a block over 16 KiB).
  std::uint64_t cache_misses = 0;
  // Bytes of operation memory allocated, from every source.
  std::uint64_t bytes = 0;
  // Operations allocated and not yet freed. For the process, all of them;
  // for one thread (this_thread_memory_stats), the operations it allocated
  // minus those it freed since the last reset (negative on a thread that
  // frees what other threads allocated).
  std::int64_t live = 0;
  // The highest live count since the last reset. Each thread tracks its own;
  // the process figure adds up the threads' highest rises to the live count
  // at the reset, so it is exact when operations are allocated and freed on
  // one thread (one thread per io_context) and an upper bound otherwise.
  std::int64_t peak_live = 0;
  // Every time memory for asynchronous work came from the global heap, with
  // its bytes: recycling-cache misses (for operations, coroutine frames and
  // cancellation handlers alike) and chain_memory growth and fallbacks -
  // exactly the events reported to on_heap_allocation callbacks.
  std::uint64_t heap_allocations = 0;
  std::uint64_t heap_bytes = 0;

  // All operations allocated, from every source.
  [[nodiscard]] constexpr std::uint64_t operations() const noexcept {
    return handler_allocator + cache_hits + cache_misses;
  }
};

// The whole process: every thread that is running or has exited since the
// last reset_memory_stats(). Reads the other threads' counters while they
// count, so a figure taken while other threads work is a snapshot of each
// counter, not of all of them at one instant.
[[nodiscard]] memory_stats get_memory_stats();

// The calling thread only, since the last reset.
[[nodiscard]] memory_stats this_thread_memory_stats();

// Starts counting again from zero, for every thread. live is not reset (it
// is a state, not a count); each thread's peak restarts at its live count
// (approximately for a thread that allocates at that very moment).
void reset_memory_stats();

}  // namespace rill
