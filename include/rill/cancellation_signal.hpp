// rill/cancellation_signal.hpp - per-operation cancellation: a signal and
// the slot that an asynchronous operation listens on.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include <rill/cancellation_type.hpp>
#include <rill/detail/thread_cache.hpp>

namespace rill {

class cancellation_slot;

namespace detail {

// How the signal calls and destroys the handler installed in it, without
// knowing its type: one table per handler type, no virtual base, so the
// handler object is exactly the user's (or the operation's) type.
struct cancellation_handler_vtable {
  void (*call)(void* handler, cancellation_type type);
  void (*destroy)(void* handler) noexcept;
};

template <typename Handler>
inline constexpr cancellation_handler_vtable cancellation_handler_vtable_for{
    [](void* handler, cancellation_type type) { (*static_cast<Handler*>(handler))(type); },
    [](void* handler) noexcept { static_cast<Handler*>(handler)->~Handler(); }};

struct cancellation_slot_access;

}  // namespace detail

// The sending end of per-operation cancellation, as in Asio. An operation
// started with a handler whose associated cancellation slot is this signal's
// slot() installs a cancellation handler in it; emit() calls that handler,
// which cancels exactly that operation (it completes with
// error::operation_aborted). Emitting with no handler installed, or after the
// operation completed, does nothing.
//
// The memory for the installed handler belongs to the signal and is reused
// by the next one: handlers of up to four pointers (all of rill's own) live
// inside the signal; a larger one gets a block from the recycling cache that
// the signal keeps until it is destroyed. So starting operation after
// operation with the same slot never allocates once warm.
//
// Not thread-safe: emit(), and the slot's emplace/assign/clear, must not run
// concurrently (call them from the operation's executor or strand). As in
// Asio, the handler an operation leaves installed refers to its I/O object's
// service: emit only while the execution context exists (for a timer wait,
// while the timer object exists); a socket's operations may be emitted after
// the socket is closed or destroyed.
class cancellation_signal {
 public:
  cancellation_signal() noexcept {}  // NOLINT: inline_ needs no initialisation
  ~cancellation_signal() {
    reset_handler();
    if (heap_ != nullptr) detail::cache::deallocate(heap_, heap_size_, heap_align_);
  }
  cancellation_signal(const cancellation_signal&) = delete;
  cancellation_signal& operator=(const cancellation_signal&) = delete;

  // Calls the installed handler, if any, with type.
  void emit(cancellation_type type) {
    if (handler_ != nullptr) vtable_->call(handler_, type);
  }

  // The one slot of this signal. It is valid while the signal lives.
  [[nodiscard]] cancellation_slot slot() noexcept;

 private:
  friend class cancellation_slot;
  friend struct detail::cancellation_slot_access;

  static constexpr std::size_t inline_size = 4 * sizeof(void*);
  static constexpr std::size_t inline_align = alignof(std::max_align_t);

  void reset_handler() noexcept {
    if (handler_ != nullptr) {
      const detail::cancellation_handler_vtable* vtable = vtable_;
      void* handler = handler_;
      handler_ = nullptr;
      vtable->destroy(handler);
    }
  }

  // Destroys the installed handler and returns memory for a new one of the
  // given size and alignment: the inline buffer, the kept block, or a new
  // (bigger) block, which is then kept.
  void* prepare_memory(std::size_t size, std::size_t align) {
    reset_handler();
    if (size <= inline_size && align <= inline_align) return inline_;
    if (heap_ != nullptr && size <= heap_size_ && align <= heap_align_) return heap_;
    if (heap_ != nullptr) {
      detail::cache::deallocate(heap_, heap_size_, heap_align_);
      heap_ = nullptr;
    }
    // Round up to the cache's size classes, so that a slightly bigger
    // handler later still fits the kept block.
    const std::size_t rounded = size <= detail::cache::max_size
                                    ? detail::cache::class_size(detail::cache::class_of(size))
                                    : size;
    const std::size_t rounded_align = align < inline_align ? inline_align : align;
    heap_ = detail::cache::allocate(rounded, rounded_align);
    heap_size_ = rounded;
    heap_align_ = rounded_align;
    return heap_;
  }

  void* handler_ = nullptr;
  const detail::cancellation_handler_vtable* vtable_ = nullptr;
  void* heap_ = nullptr;
  std::size_t heap_size_ = 0;
  std::size_t heap_align_ = 0;
  alignas(inline_align) unsigned char inline_[inline_size];
};

// The receiving end: where an operation installs its cancellation handler.
// A default-constructed slot is not connected to any signal; operations
// started with it are not cancellable per operation.
class cancellation_slot {
 public:
  constexpr cancellation_slot() noexcept = default;

  // Destroys the installed handler, if any, and installs a
  // CancellationHandler constructed from args. The handler must be callable
  // as void(cancellation_type); it need not be copyable or movable.
  template <typename CancellationHandler, typename... Args>
  CancellationHandler& emplace(Args&&... args) {
    void* memory =
        signal_->prepare_memory(sizeof(CancellationHandler), alignof(CancellationHandler));
    // If the constructor throws, the slot is left empty; the memory stays
    // with the signal.
    auto* handler = ::new (memory) CancellationHandler(std::forward<Args>(args)...);
    signal_->vtable_ = &detail::cancellation_handler_vtable_for<CancellationHandler>;
    signal_->handler_ = handler;
    return *handler;
  }

  // Installs a decay-copy of handler, as emplace does.
  template <typename CancellationHandler>
  std::decay_t<CancellationHandler>& assign(CancellationHandler&& handler) {
    return emplace<std::decay_t<CancellationHandler>>(std::forward<CancellationHandler>(handler));
  }

  // Destroys the installed handler, if any. Its memory stays with the
  // signal for the next handler.
  void clear() noexcept {
    if (signal_ != nullptr) signal_->reset_handler();
  }

  [[nodiscard]] constexpr bool is_connected() const noexcept { return signal_ != nullptr; }

  [[nodiscard]] bool has_handler() const noexcept {
    return signal_ != nullptr && signal_->handler_ != nullptr;
  }

  friend constexpr bool operator==(const cancellation_slot& lhs,
                                   const cancellation_slot& rhs) noexcept {
    return lhs.signal_ == rhs.signal_;
  }
  friend constexpr bool operator!=(const cancellation_slot& lhs,
                                   const cancellation_slot& rhs) noexcept {
    return lhs.signal_ != rhs.signal_;
  }

 private:
  friend class cancellation_signal;
  friend struct detail::cancellation_slot_access;
  explicit constexpr cancellation_slot(cancellation_signal* signal) noexcept : signal_(signal) {}

  cancellation_signal* signal_ = nullptr;
};

inline cancellation_slot cancellation_signal::slot() noexcept { return cancellation_slot(this); }

namespace detail {
// For the library's own wrappers: which handler object a slot holds now, so
// that one that installed a handler can tell whether it is still there.
struct cancellation_slot_access {
  static const void* installed_handler(const cancellation_slot& slot) noexcept {
    return slot.signal_ != nullptr ? slot.signal_->handler_ : nullptr;
  }
};
}  // namespace detail

}  // namespace rill
