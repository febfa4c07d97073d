// rill/recycling_allocator.hpp - an allocator backed by the per-thread cache.
#pragma once

#include <cstddef>
#include <new>

#include <rill/detail/thread_cache.hpp>

namespace rill {

// Allocates from the calling thread's recycling cache (see
// detail/thread_cache.hpp): blocks up to 16 KiB are reused instead of going
// back to the heap. It is what rill uses for handlers whose associated
// allocator is std::allocator, and users may name it directly, as in Asio.
// Memory may be freed on any thread, not only the allocating one.
template <typename T>
class recycling_allocator {
 public:
  using value_type = T;

  template <typename U>
  struct rebind {
    using other = recycling_allocator<U>;
  };

  constexpr recycling_allocator() noexcept = default;
  template <typename U>
  constexpr recycling_allocator(const recycling_allocator<U>& /*other*/) noexcept {}

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(detail::cache::allocate(n * sizeof(T), alignof(T)));
  }

  void deallocate(T* p, std::size_t n) noexcept {
    detail::cache::deallocate(p, n * sizeof(T), alignof(T));
  }

  template <typename U>
  constexpr bool operator==(const recycling_allocator<U>& /*other*/) const noexcept {
    return true;
  }
};

template <>
class recycling_allocator<void> {
 public:
  using value_type = void;

  template <typename U>
  struct rebind {
    using other = recycling_allocator<U>;
  };

  constexpr recycling_allocator() noexcept = default;
  template <typename U>
  constexpr recycling_allocator(const recycling_allocator<U>& /*other*/) noexcept {}

  template <typename U>
  constexpr bool operator==(const recycling_allocator<U>& /*other*/) const noexcept {
    return true;
  }
};

}  // namespace rill
