// The custom allocation pattern of Asio's allocation example, shared by the
// server and the demo: one block per chain of operations.
#pragma once

#include <cstddef>
#include <new>

namespace example {

// Manages the memory used for one chain's operations: a single block that
// is handed out when free and large enough, with the global heap as the
// fallback (which the demo counts, and which never happens in steady state
// because rill frees each operation before invoking its handler).
class handler_memory {
 public:
  handler_memory() = default;
  handler_memory(const handler_memory&) = delete;
  handler_memory& operator=(const handler_memory&) = delete;

  void* allocate(std::size_t size) {
    if (!in_use_ && size <= sizeof(storage_)) {
      in_use_ = true;
      return storage_;
    }
    return ::operator new(size);
  }

  void deallocate(void* pointer) {
    if (pointer == storage_) {
      in_use_ = false;
    } else {
      ::operator delete(pointer);
    }
  }

 private:
  alignas(std::max_align_t) unsigned char storage_[1024];
  bool in_use_ = false;
};

// The allocator associated with the handlers (minimal Allocator requirements).
template <typename T>
class handler_allocator {
 public:
  using value_type = T;

  explicit handler_allocator(handler_memory& mem) : memory_(mem) {}
  template <typename U>
  handler_allocator(const handler_allocator<U>& other) noexcept : memory_(other.memory_) {}

  bool operator==(const handler_allocator& other) const noexcept {
    return &memory_ == &other.memory_;
  }

  T* allocate(std::size_t n) const { return static_cast<T*>(memory_.allocate(sizeof(T) * n)); }
  void deallocate(T* p, std::size_t /*n*/) const { memory_.deallocate(p); }

 private:
  template <typename>
  friend class handler_allocator;
  handler_memory& memory_;
};

}  // namespace example
