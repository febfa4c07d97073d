// rill/detail/thread_cache.hpp - the per-thread recycling cache behind
// std::allocator<void> and rill::recycling_allocator.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>

#include <rill/detail/memory_thread_block.hpp>

namespace rill::detail {

// Operation memory for handlers that use the default allocator comes from
// here. Blocks are grouped in power-of-two size classes from 64 bytes to
// 16 KiB; each thread keeps a short free list per class, threaded through the
// free blocks themselves, so the steady-state cost of an allocation is a
// thread-local pop and of a free a thread-local push.
//
// Unlike Asio's cache (two blocks per purpose, only inside run(), at most
// ~1 KiB, dropped when a bigger block is needed) this cache
//  - serves every size up to 16 KiB, mixed sizes included, on any thread;
//  - bounds each class's free list (limit below), so memory per thread is
//    bounded;
//  - moves whole batches to and from a process-wide depot when a list
//    overflows or runs dry. That is what keeps producer/consumer patterns off
//    the heap: a thread that only posts (allocates) refills from the batches
//    that the thread running the handlers (which frees) sent to the depot.
namespace cache {

inline constexpr std::size_t min_shift = 6;    // 64-byte smallest class
inline constexpr std::size_t class_count = 9;  // 64 B ... 16 KiB
inline constexpr std::size_t max_size = std::size_t{1} << (min_shift + class_count - 1);

constexpr std::size_t class_of(std::size_t size) noexcept {
  return size <= (std::size_t{1} << min_shift)
             ? 0
             : static_cast<std::size_t>(std::bit_width(size - 1)) - min_shift;
}
constexpr std::size_t class_size(std::size_t cls) noexcept {
  return std::size_t{1} << (cls + min_shift);
}
// Blocks kept per class per thread: about 32 KiB of each class, at least 4
// and at most 64 blocks, so at most ~260 KiB per thread if every class is hot.
constexpr std::uint32_t class_limit(std::size_t cls) noexcept {
  const std::size_t by_bytes = (std::size_t{32} * 1024) / class_size(cls);
  return static_cast<std::uint32_t>(by_bytes < 4 ? 4 : (by_bytes > 64 ? 64 : by_bytes));
}

struct free_block {
  free_block* next;
};

struct bucket {
  free_block* head = nullptr;
  std::uint32_t count = 0;
  // Zero until the thread has registered its exit hook, and again after the
  // thread's cache has been torn down; zero sends every free to the slow path.
  std::uint32_t limit = 0;
};

struct thread_state {
  bucket buckets[class_count];
  // The thread's operation counters (rill/memory/memory_stats.hpp), here
  // so that the default allocation path reaches both with one address.
  memory_counters::thread_block memory;
};

// constinit lets every translation unit access the variable directly, with
// no thread_local wrapper call on the hot path.
extern constinit thread_local thread_state tls_state;

// Out-of-line slow paths (src/thread_cache.cpp). for_operation: the block
// is an operation's, so going to the heap counts as the operation's cache
// miss in rill::memory_stats.
void* refill(std::size_t cls, bool for_operation = false);
void overflow(std::size_t cls, void* block) noexcept;
void* allocate_large(std::size_t size, std::size_t align, bool for_operation = false);
void deallocate_large(void* p, std::size_t size, std::size_t align) noexcept;

template <bool ForOperation>
inline void* allocate_block(std::size_t size, std::size_t align) {
  if (size <= max_size && align <= alignof(std::max_align_t)) [[likely]] {
    const std::size_t cls = class_of(size);
    bucket& b = tls_state.buckets[cls];
    if (free_block* block = b.head) [[likely]] {
      b.head = block->next;
      --b.count;
      return block;
    }
    return refill(cls, ForOperation);
  }
  return allocate_large(size, align, ForOperation);
}

inline void* allocate(std::size_t size, std::size_t align) {
  return allocate_block<false>(size, align);
}

// allocate() for an operation (detail/handler_alloc.hpp).
inline void* allocate_operation_block(std::size_t size, std::size_t align) {
  return allocate_block<true>(size, align);
}

inline void deallocate(void* p, std::size_t size, std::size_t align) noexcept {
  if (size <= max_size && align <= alignof(std::max_align_t)) [[likely]] {
    const std::size_t cls = class_of(size);
    bucket& b = tls_state.buckets[cls];
    if (b.count < b.limit) [[likely]] {
      auto* block = static_cast<free_block*>(p);
      block->next = b.head;
      b.head = block;
      ++b.count;
      return;
    }
    overflow(cls, p);
    return;
  }
  deallocate_large(p, size, align);
}

// Returns every block this thread holds to the depot (used by tests, and by
// the thread-exit hook).
void release_thread_blocks() noexcept;

}  // namespace cache
}  // namespace rill::detail
