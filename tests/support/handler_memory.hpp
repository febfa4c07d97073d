// tests/support/handler_memory.hpp - the Asio documentation's custom
// allocation pattern: one block per chain, reused by each operation in turn.
#pragma once

#include <cstddef>
#include <new>
#include <stdexcept>

namespace rill_test {

// A single block, like the documentation's handler_memory, except that it
// never falls back to the heap: asking for it while it is in use (which the
// library's "free before invoke" guarantee must prevent) or for more than it
// holds is an error the test sees.
template <std::size_t Size = 4096>
class handler_memory {
 public:
  handler_memory() = default;
  handler_memory(const handler_memory&) = delete;
  handler_memory& operator=(const handler_memory&) = delete;

  void* allocate(std::size_t size) {
    if (in_use_) throw std::logic_error("handler_memory: block requested while in use");
    if (size > Size) throw std::length_error("handler_memory: request larger than block");
    in_use_ = true;
    ++allocations_;
    return storage_;
  }

  void deallocate(void* p) noexcept {
    if (p == storage_) in_use_ = false;
  }

  [[nodiscard]] bool in_use() const noexcept { return in_use_; }
  [[nodiscard]] int allocations() const noexcept { return allocations_; }
  [[nodiscard]] const void* block() const noexcept { return storage_; }

 private:
  alignas(std::max_align_t) unsigned char storage_[Size];
  bool in_use_ = false;
  int allocations_ = 0;
};

template <typename T, std::size_t Size = 4096>
class handler_allocator {
 public:
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = handler_allocator<U, Size>;
  };

  explicit handler_allocator(handler_memory<Size>& mem) noexcept : memory_(&mem) {}
  template <typename U>
  handler_allocator(const handler_allocator<U, Size>& other) noexcept : memory_(other.memory_) {}

  T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
  void deallocate(T* p, std::size_t /*n*/) noexcept { memory_->deallocate(p); }

  template <typename U>
  bool operator==(const handler_allocator<U, Size>& other) const noexcept {
    return memory_ == other.memory_;
  }

 private:
  template <typename, std::size_t>
  friend class handler_allocator;
  handler_memory<Size>* memory_;
};

}  // namespace rill_test
