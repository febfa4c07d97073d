// Handler-based custom allocation for the benchmarks, in the style of Asio's
// documented example (examples/cpp11/allocation/server.cpp).
//
// Nothing in here names Asio or rill: it is a plain minimal allocator, so the
// very same class is associated with the handlers of both libraries and the
// comparison measures the libraries, not two different allocators.
#ifndef RILL_BENCH_HANDLER_MEMORY_HPP
#define RILL_BENCH_HANDLER_MEMORY_HPP

#include <cstddef>
#include <new>

namespace bench {

// One block of memory that is handed out to a single allocation at a time.
// If the block is busy or too small the request goes to the global heap, which
// the benchmark's counting operator new then reports: a row that shows heap
// allocations with this allocator means the library allocated more than one
// operation per chain, or an operation larger than the block.
// NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): storage_ is raw memory.
class handler_memory {
 public:
  // Large enough for the biggest operation in the benchmark (a 2048-byte
  // handler plus the library's operation header), unlike the 1024 bytes of
  // the Asio example, so that no row falls back to the heap by design.
  static constexpr std::size_t block_size = 4096;

  handler_memory() = default;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  handler_memory(const handler_memory&) = delete;
  handler_memory& operator=(const handler_memory&) = delete;

  // The Asio example ignores alignment; we honour it so that a library whose
  // operation type is over-aligned still gets correctly aligned memory.
  void* allocate(std::size_t size, std::size_t align) {
    if (!in_use_ && size <= sizeof(storage_) && align <= block_align) {
      in_use_ = true;
      return storage_;
    }
    ++fallbacks_;
    if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
      return ::operator new (size, std::align_val_t{align});
    }
    return ::operator new(size);
  }

  void deallocate(void* pointer, std::size_t align) noexcept {
    if (pointer == storage_) {
      in_use_ = false;
    } else if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
      ::operator delete (pointer, std::align_val_t{align});
    } else {
      ::operator delete(pointer);
    }
  }

  // How often the block could not be used; lets the harness tell "the
  // arena was too small or busy" apart from allocations made elsewhere.
  std::size_t fallbacks() const noexcept { return fallbacks_; }

 private:
  // Cache-line aligned: more than ::operator new(size) guarantees, so an
  // operation type with alignas(64) members still fits the block.
  static constexpr std::size_t block_align = 64;

  // Left uninitialised on purpose: it is raw memory for the libraries.
  alignas(block_align) std::byte storage_[block_size];
  bool in_use_ = false;
  std::size_t fallbacks_ = 0;
};

// The allocator associated with the handlers. Only the minimal C++11
// allocator requirements are needed: libraries rebind it to their operation
// types through std::allocator_traits.
template <typename T>
class handler_allocator {
 public:
  using value_type = T;

  explicit handler_allocator(handler_memory& memory) noexcept : memory_(&memory) {}

  template <typename U>
  handler_allocator(const handler_allocator<U>& other) noexcept  // NOLINT: implicit rebind
      : memory_(other.memory_) {}

  T* allocate(std::size_t n) const {
    return static_cast<T*>(memory_->allocate(sizeof(T) * n, alignof(T)));
  }

  void deallocate(T* pointer, std::size_t /*n*/) const noexcept {
    memory_->deallocate(pointer, alignof(T));
  }

  template <typename U>
  bool operator==(const handler_allocator<U>& other) const noexcept {
    return memory_ == other.memory_;
  }

 private:
  template <typename>
  friend class handler_allocator;

  // A pointer rather than the example's reference keeps the allocator
  // copy-assignable, which some allocator-aware code paths expect.
  handler_memory* memory_;
};

// A base class for the benchmarks' handlers that supplies the nested
// allocator_type only when the row asks for the custom allocator. Without it
// the associated allocator is std::allocator<void>, i.e. the plain-handler
// path of each library; with it, the handler must also have a
// get_allocator() returning a handler_allocator<char> for its arena.
template <bool CustomAlloc>
struct allocator_hook {};

template <>
struct allocator_hook<true> {
  using allocator_type = handler_allocator<char>;
};

}  // namespace bench

#endif  // RILL_BENCH_HANDLER_MEMORY_HPP
