// rill/detail/memory_counters.hpp - counting operations as they are allocated
// and freed (rill::get_memory_stats) and reporting heap allocations
// (rill::on_heap_allocation).
#pragma once

#include <cstddef>
#include <cstdint>

#include <rill/detail/memory_thread_block.hpp>
#include <rill/detail/thread_cache.hpp>

namespace rill::detail::memory_counters {

// The calling thread's counters, next to its recycling cache.
inline thread_block& this_thread() noexcept { return cache::tls_state.memory; }

// Links this thread's block and arms its exit hook (src/memory_stats.cpp).
void register_thread() noexcept;

// Registers the calling thread if it is not yet: for the places where a
// thread may free operations without having allocated one (running or
// destroying a context).
inline void ensure_registered() noexcept {
  if (this_thread().state == phase::fresh) [[unlikely]]
    register_thread();
}

// The headroom went negative: a new peak, the first allocation of a thread
// that is not registered, or a reset to apply (src/memory_stats.cpp).
void note_headroom_exhausted(thread_block& b) noexcept;

// An operation of size bytes was allocated; source is the block's counter
// for where it came from. A miss of the recycling cache is counted by the
// cache's slow path (note_heap_allocation with for_operation).
inline void note_allocation(counter<std::uint64_t> thread_block::*source,
                            std::size_t size) noexcept {
  thread_block& b = this_thread();
  (b.*source).add(1);
  b.bytes.add(size);
  b.headroom.add(-1);
  if (b.headroom.value() < 0) [[unlikely]]
    note_headroom_exhausted(b);
}

inline void note_handler_allocation(std::size_t size) noexcept {
  note_allocation(&thread_block::handler_allocator, size);
}
inline void note_cache_allocation(std::size_t size) noexcept {
  note_allocation(&thread_block::cache_allocations, size);
}

// An operation was freed. Not checked for registration: a thread that frees
// operations has allocated one, or runs or destroys a context, all of which
// register it.
inline void note_deallocation() noexcept { this_thread().headroom.add(1); }

// Memory is about to come from the global heap: counts it (as an operation's
// cache miss too when for_operation) and calls the on_heap_allocation
// callbacks, which may throw to fail the allocation. source_object is the
// chain_memory for the chain origins, else null.
void note_heap_allocation(std::size_t size, std::size_t alignment, heap_origin origin,
                          const void* source_object, bool for_operation = false);

}  // namespace rill::detail::memory_counters
