// rill/detail/coro_allocator.hpp - where coroutine frames and the operations
// they await get their memory.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

#include <rill/detail/thread_cache.hpp>

namespace rill::detail {

// A type-erased allocator shared by every frame and awaited operation of one
// coroutine thread (one co_spawn). Asio ignores the completion token's
// allocator for frames; rill takes frames from it, so a coroutine spawned
// with bind_allocator(a, token) lives entirely in a's memory.
struct coro_allocator_ref {
  void* (*allocate)(void* state, std::size_t size);
  void (*deallocate)(void* state, void* p, std::size_t size) noexcept;
  void* state;
};

// Set while a coroutine thread with its own allocator runs on this thread;
// null means the per-thread recycling cache.
inline thread_local const coro_allocator_ref* current_coro_allocator = nullptr;

// Installs a coroutine thread's allocator for the duration of a resumption.
class coro_allocator_scope {
 public:
  explicit coro_allocator_scope(const coro_allocator_ref* a) noexcept
      : saved_(current_coro_allocator) {
    current_coro_allocator = a;
  }
  ~coro_allocator_scope() { current_coro_allocator = saved_; }
  coro_allocator_scope(const coro_allocator_scope&) = delete;
  coro_allocator_scope& operator=(const coro_allocator_scope&) = delete;

 private:
  const coro_allocator_ref* saved_;
};

inline void* coro_allocate(const coro_allocator_ref* a, std::size_t size) {
  return a != nullptr ? a->allocate(a->state, size)
                      : cache::allocate(size, alignof(std::max_align_t));
}

inline void coro_deallocate(const coro_allocator_ref* a, void* p, std::size_t size) noexcept {
  if (a != nullptr) {
    a->deallocate(a->state, p, size);
  } else {
    cache::deallocate(p, size, alignof(std::max_align_t));
  }
}

// Every frame starts with a header naming the allocator it came from, so
// that it is returned there whichever thread or resumption frees it.
struct alignas(std::max_align_t) frame_header {
  const coro_allocator_ref* allocator;
};

inline void* allocate_frame(std::size_t size) {
  const coro_allocator_ref* a = current_coro_allocator;
  void* p = coro_allocate(a, size + sizeof(frame_header));
  auto* header = ::new (p) frame_header{a};
  return header + 1;
}

inline void deallocate_frame(void* frame, std::size_t size) noexcept {
  auto* header = static_cast<frame_header*>(frame) - 1;
  coro_deallocate(header->allocator, header, size + sizeof(frame_header));
}

// The erased form of a user's allocator, stored where the coroutine
// thread's bookkeeping lives.
template <typename Allocator>
class erased_coro_allocator {
  struct alignas(std::max_align_t) unit {
    std::byte bytes[alignof(std::max_align_t)];
  };
  using unit_allocator = typename std::allocator_traits<Allocator>::template rebind_alloc<unit>;

 public:
  explicit erased_coro_allocator(const Allocator& a)
      : alloc_(a),
        ref_{&erased_coro_allocator::do_allocate, &erased_coro_allocator::do_deallocate, this} {}
  erased_coro_allocator(const erased_coro_allocator&) = delete;
  erased_coro_allocator& operator=(const erased_coro_allocator&) = delete;

  [[nodiscard]] const coro_allocator_ref* ref() const noexcept { return &ref_; }

 private:
  static std::size_t units(std::size_t size) noexcept {
    return (size + sizeof(unit) - 1) / sizeof(unit);
  }
  static void* do_allocate(void* state, std::size_t size) {
    auto* self = static_cast<erased_coro_allocator*>(state);
    return std::allocator_traits<unit_allocator>::allocate(self->alloc_, units(size));
  }
  static void do_deallocate(void* state, void* p, std::size_t size) noexcept {
    auto* self = static_cast<erased_coro_allocator*>(state);
    std::allocator_traits<unit_allocator>::deallocate(self->alloc_, static_cast<unit*>(p),
                                                      units(size));
  }

  unit_allocator alloc_;
  coro_allocator_ref ref_;
};

// The associated allocator of the handlers that resume a coroutine: the
// coroutine thread's allocator, or the recycling cache when it has none.
template <typename T>
class coro_op_allocator {
 public:
  using value_type = T;

  explicit coro_op_allocator(const coro_allocator_ref* a) noexcept : ref_(a) {}
  template <typename U>
  coro_op_allocator(const coro_op_allocator<U>& other) noexcept  // NOLINT
      : ref_(other.ref_) {}

  T* allocate(std::size_t n) {
    if (ref_ == nullptr) return static_cast<T*>(cache::allocate(n * sizeof(T), alignof(T)));
    static_assert(alignof(T) <= alignof(std::max_align_t), "over-aligned operation");
    return static_cast<T*>(ref_->allocate(ref_->state, n * sizeof(T)));
  }

  void deallocate(T* p, std::size_t n) noexcept {
    if (ref_ == nullptr) {
      cache::deallocate(p, n * sizeof(T), alignof(T));
    } else {
      ref_->deallocate(ref_->state, p, n * sizeof(T));
    }
  }

  template <typename U>
  friend bool operator==(const coro_op_allocator& a, const coro_op_allocator<U>& b) noexcept {
    return a.ref_ == b.ref_;
  }

 private:
  template <typename>
  friend class coro_op_allocator;
  const coro_allocator_ref* ref_;
};

}  // namespace rill::detail
