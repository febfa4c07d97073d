// chain_memory's slow paths: growing a slot, falling back to the heap, and
// reporting misuse.
#include <rill/memory/chain_memory.hpp>

#include <thread>

#include <rill/detail/memory_counters.hpp>
#include <rill/memory/memory_error.hpp>

namespace rill {

namespace {

// Slots grow in steps of 64 bytes, so that requests of slightly different
// sizes (the same operation with another handler) share a slot.
constexpr std::size_t round_up(std::size_t size) noexcept {
  constexpr std::size_t step = 64;
  return size == 0 ? step : (size + step - 1) / step * step;
}

}  // namespace

chain_memory::chain_memory(std::size_t slot_size, std::size_t alignment) {
  if (alignment < min_alignment) alignment = min_alignment;
  const std::size_t size = round_up(slot_size);
  std::size_t held = 0;
  try {
    for (slot& s : slots_) {
      detail::memory_counters::note_heap_allocation(size, alignment,
                                                    heap_origin::chain_memory_growth, this);
      s.block = ::operator new (size, std::align_val_t{alignment});
      s.size = size;
      s.alignment = alignment;
      held += size;
      store(growths_, growths_.load(std::memory_order_relaxed) + 1);
    }
  } catch (...) {
    for (slot& s : slots_) {
      if (s.block != nullptr) ::operator delete (s.block, std::align_val_t{s.alignment});
    }
    throw;
  }
  store(bytes_held_, held);
}

chain_memory::~chain_memory() {
  const std::size_t live = live_.load(std::memory_order_relaxed);
  if (live != 0) {
    std::size_t live_bytes = 0;
    for (const slot& s : slots_) {
      if (s.in_use) live_bytes += s.size;
    }
    detail::report_memory_error(
        memory_error_kind::destroyed_in_use, this, live, live_bytes,
        "chain_memory %p destroyed while %zu allocation(s) still use it; it must outlive every "
        "operation of its chain",
        static_cast<const void*>(this), live);
  }
  // A block still in use is left to its operation (leaked) rather than
  // freed under it, in case the reporter returned.
  for (slot& s : slots_) {
    if (s.block != nullptr && !s.in_use) {
      ::operator delete (s.block, std::align_val_t{s.alignment});
    }
  }
}

chain_memory_stats chain_memory::stats() const noexcept {
  chain_memory_stats s;
  s.allocations = allocations_.load(std::memory_order_relaxed);
  s.heap_fallbacks = heap_fallbacks_.load(std::memory_order_relaxed);
  s.growths = growths_.load(std::memory_order_relaxed);
  s.concurrent_calls = concurrent_calls_.load(std::memory_order_relaxed);
  s.bytes_held = bytes_held_.load(std::memory_order_relaxed);
  s.live = live_.load(std::memory_order_relaxed);
  s.peak_live = peak_live_.load(std::memory_order_relaxed);
  return s;
}

void chain_memory::lock_contended() noexcept {
  detail::report_memory_error(
      memory_error_kind::concurrent_allocator_call, this, live_.load(std::memory_order_relaxed), 0,
      "chain_memory %p called from two threads at once: it serves one chain, and one chain "
      "never allocates concurrently; give each chain its own chain_memory",
      static_cast<const void*>(this));
  // Serve the call anyway, after the other one.
  while (busy_.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
  store(concurrent_calls_, concurrent_calls_.load(std::memory_order_relaxed) + 1);
}

void* chain_memory::allocate_slow(std::size_t size, std::size_t alignment) {
  // No slot fits. Grow the biggest free one; if none is free, the heap.
  lock();
  slot* victim = nullptr;
  for (slot& s : slots_) {
    if (!s.in_use && (victim == nullptr || s.size > victim->size)) victim = &s;
  }
  if (victim == nullptr) {
    unlock();
    // Reported before the heap is asked: a callback may throw to refuse.
    detail::memory_counters::note_heap_allocation(size, alignment,
                                                  heap_origin::chain_memory_fallback, this);
    void* p = ::operator new (size, std::align_val_t{alignment});
    lock();
    store(heap_fallbacks_, heap_fallbacks_.load(std::memory_order_relaxed) + 1);
    count_allocation();
    unlock();
    return p;
  }
  // Take the slot out of service while its block is replaced, so that the
  // callbacks and the heap run without the lock held.
  victim->in_use = true;
  void* old_block = std::exchange(victim->block, nullptr);
  const std::size_t old_size = std::exchange(victim->size, 0);
  const std::size_t old_alignment = std::exchange(victim->alignment, 0);
  store(bytes_held_, bytes_held_.load(std::memory_order_relaxed) - old_size);
  unlock();
  if (old_block != nullptr) ::operator delete (old_block, std::align_val_t{old_alignment});
  const std::size_t new_size = round_up(size);
  void* block = nullptr;
  try {
    detail::memory_counters::note_heap_allocation(new_size, alignment,
                                                  heap_origin::chain_memory_growth, this);
    block = ::operator new (new_size, std::align_val_t{alignment});
  } catch (...) {
    lock();
    victim->in_use = false;
    unlock();
    throw;
  }
  lock();
  victim->block = block;
  victim->size = new_size;
  victim->alignment = alignment;
  store(bytes_held_, bytes_held_.load(std::memory_order_relaxed) + new_size);
  store(growths_, growths_.load(std::memory_order_relaxed) + 1);
  count_allocation();
  unlock();
  return block;
}

void chain_memory::deallocate_slow(void* p, std::size_t size, std::size_t alignment) noexcept {
  lock();
  for (const slot& s : slots_) {
    if (s.block == p) {
      // A slot's block that is not in use: returned twice.
      unlock();
      detail::report_memory_error(memory_error_kind::unknown_deallocation, this,
                                  live_.load(std::memory_order_relaxed), 0,
                                  "chain_memory %p: %zu bytes at %p returned twice; ignored",
                                  static_cast<const void*>(this), size, p);
      return;
    }
  }
  // Not a slot's block: a fallback from the heap.
  store(live_, live_.load(std::memory_order_relaxed) - 1);
  unlock();
  ::operator delete (p, std::align_val_t{alignment});
}

}  // namespace rill
