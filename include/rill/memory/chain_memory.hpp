// rill/memory/chain_memory.hpp - the memory of one chain of asynchronous
// operations: a few blocks, each reused by one operation after another.
//
//   class session {
//     rill::chain_memory memory_;   // lives as long as the session
//     void do_read() {
//       socket_.async_read_some(buffer, memory_.wrap([this](auto ec, auto n) { ... }));
//     }
//   };
//
// A chain (read, then write, then read ...) has at most a few operations in
// flight at once, and the library frees each operation's memory before it
// invokes the handler, so the next operation can take the same block. This
// is the handler_memory of Asio's allocation example, made complete: several
// slots, so that a full-duplex session (a read, a write and a timer in
// flight together) is served; any size (a slot grows once to the largest
// request it has seen, then is reused forever); any alignment; and never a
// silent trip to the heap (every heap allocation is counted in stats() and
// reported to on_heap_allocation callbacks).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include <rill/bind_allocator.hpp>

namespace rill {

template <typename T>
class chain_allocator;

struct chain_memory_stats {
  // Requests served, from slots and from the heap.
  std::uint64_t allocations = 0;
  // Requests served by the heap because every slot was busy: more
  // operations in flight than slots, or a chain_memory shared by two chains.
  std::uint64_t heap_fallbacks = 0;
  // Times a slot took a bigger (or more aligned) block from the heap.
  std::uint64_t growths = 0;
  // Calls made while another call was in progress: the chain_memory is used
  // by two chains on two threads at once (each one is also reported as a
  // memory_error).
  std::uint64_t concurrent_calls = 0;
  // Bytes in the slots' blocks.
  std::size_t bytes_held = 0;
  // Allocations not yet returned, and their highest number.
  std::size_t live = 0;
  std::size_t peak_live = 0;
};

// Owned by whatever owns the chain (a session); it must outlive every
// operation that uses it. Neither copyable nor movable: operations hold its
// address. Meant for one chain at a time; calls from two threads at once
// are served correctly (a short spin) but reported as misuse.
class chain_memory {
 public:
  // Enough for a read, a write, a timer and one posted handler in flight.
  static constexpr std::size_t slot_count = 4;

  chain_memory() noexcept = default;
  // Gives every slot a block of slot_size bytes now, so that the chain never
  // touches the heap later (as long as its operations fit).
  explicit chain_memory(std::size_t slot_size, std::size_t alignment = alignof(std::max_align_t));
  chain_memory(const chain_memory&) = delete;
  chain_memory& operator=(const chain_memory&) = delete;
  // Reports destroyed_in_use if operations still hold its memory.
  ~chain_memory();

  [[nodiscard]] chain_allocator<void> get_allocator() noexcept;

  // bind_allocator(get_allocator(), t): t's operations use this memory. t may
  // be a handler or a completion token (use_awaitable, as_tuple(...), ...).
  template <typename T>
  [[nodiscard]] allocator_binder<std::decay_t<T>, chain_allocator<void>> wrap(T&& t);

  [[nodiscard]] chain_memory_stats stats() const noexcept;

  // Memory for size bytes aligned to alignment (any power of two).
  [[nodiscard]] void* allocate(std::size_t size, std::size_t alignment) {
    if (alignment < min_alignment) alignment = min_alignment;
    lock();
    slot* best = nullptr;
    for (slot& s : slots_) {
      if (!s.in_use && size <= s.size && alignment <= s.alignment &&
          (best == nullptr || s.size < best->size)) {
        best = &s;
      }
    }
    if (best != nullptr) [[likely]] {
      best->in_use = true;
      count_allocation();
      void* p = best->block;
      unlock();
      return p;
    }
    unlock();
    return allocate_slow(size, alignment);
  }

  // Returns memory from allocate(size, alignment).
  void deallocate(void* p, std::size_t size, std::size_t alignment) noexcept {
    if (alignment < min_alignment) alignment = min_alignment;
    lock();
    for (slot& s : slots_) {
      if (s.block == p && s.in_use) {
        s.in_use = false;
        store(live_, live_.load(std::memory_order_relaxed) - 1);
        unlock();
        return;
      }
    }
    unlock();
    deallocate_slow(p, size, alignment);
  }

 private:
  static constexpr std::size_t min_alignment = alignof(std::max_align_t);

  struct slot {
    void* block = nullptr;
    std::size_t size = 0;
    std::size_t alignment = 0;
    bool in_use = false;
  };

  // Each counter has one writer at a time (the holder of busy_) and may be
  // read by stats() on any thread without taking busy_, which would make the
  // chain's own next call look concurrent.
  template <typename T>
  static void store(std::atomic<T>& a, T v) noexcept {
    a.store(v, std::memory_order_relaxed);
  }

  void lock() noexcept {
    if (busy_.exchange(true, std::memory_order_acquire)) [[unlikely]]
      lock_contended();
  }
  void unlock() noexcept { busy_.store(false, std::memory_order_release); }
  void lock_contended() noexcept;

  void count_allocation() noexcept {
    store(allocations_, allocations_.load(std::memory_order_relaxed) + 1);
    const std::size_t live = live_.load(std::memory_order_relaxed) + 1;
    store(live_, live);
    if (live > peak_live_.load(std::memory_order_relaxed)) store(peak_live_, live);
  }

  void* allocate_slow(std::size_t size, std::size_t alignment);
  void deallocate_slow(void* p, std::size_t size, std::size_t alignment) noexcept;

  std::atomic<bool> busy_{false};
  slot slots_[slot_count];
  std::atomic<std::uint64_t> allocations_{0};
  std::atomic<std::uint64_t> heap_fallbacks_{0};
  std::atomic<std::uint64_t> growths_{0};
  std::atomic<std::uint64_t> concurrent_calls_{0};
  std::atomic<std::size_t> bytes_held_{0};
  std::atomic<std::size_t> live_{0};
  std::atomic<std::size_t> peak_live_{0};
};

// The allocator of a chain_memory, for any value type; what get_allocator()
// and wrap() associate with a handler. Copies compare equal when they use
// the same chain_memory.
template <typename T>
class chain_allocator {
 public:
  using value_type = T;

  explicit chain_allocator(chain_memory& memory) noexcept : memory_(&memory) {}
  template <typename U>
  chain_allocator(const chain_allocator<U>& other) noexcept : memory_(&other.memory()) {}

  [[nodiscard]] T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(memory_->allocate(n * sizeof(T), alignof(T)));
  }

  void deallocate(T* p, std::size_t n) noexcept {
    memory_->deallocate(p, n * sizeof(T), alignof(T));
  }

  [[nodiscard]] chain_memory& memory() const noexcept { return *memory_; }

  template <typename U>
  bool operator==(const chain_allocator<U>& other) const noexcept {
    return memory_ == &other.memory();
  }

 private:
  chain_memory* memory_;
};

inline chain_allocator<void> chain_memory::get_allocator() noexcept {
  return chain_allocator<void>(*this);
}

template <typename T>
allocator_binder<std::decay_t<T>, chain_allocator<void>> chain_memory::wrap(T&& t) {
  return bind_allocator(get_allocator(), std::forward<T>(t));
}

}  // namespace rill
