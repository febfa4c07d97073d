// rill/memory/bind_checked.hpp - a handler whose operations are checked
// against the allocation contract.
//
//   async_my_operation(stream, rill::bind_checked(handler));
//   co_await async_my_operation(stream, rill::bind_checked(rill::use_awaitable));
//
// The handler's operations get a checking allocator that records every
// allocation made through it (and passes it on to the allocator the handler
// had: its own, or the recycling cache). A broken rule is reported as a
// rill::memory_error - by default a clear message and std::abort, or
// whatever set_memory_error_reporter installed:
//  - live_at_invocation: the handler is invoked while memory allocated for
//    its operation is still live (the operation must free first);
//  - concurrent_allocator_call: the allocator is called while another call
//    to it is in progress (an operation must never do that);
//  - leak: the last copy of the handler and of its allocator is gone while
//    memory allocated through it is still live;
//  - unknown_deallocation: memory is returned that was not allocated through
//    it, or twice (it is then not passed on).
// The handler's associated executor and cancellation slot are the wrapped
// handler's. Meant for tests: each handler costs a small heap allocation
// for the shared record, and each allocation a lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associator.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/token_adapter.hpp>

namespace rill {

namespace detail {

// What every copy of one checked handler, and of its allocator, shares.
class checked_state {
 public:
  static checked_state* create() { return new checked_state; }

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  // The last reference checks for leaks and frees the record.
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

  // Brackets each allocator call; reports a call that overlaps another.
  void enter() noexcept {
    if (!mutex_.try_lock()) enter_contended();
  }
  void leave() noexcept { mutex_.unlock(); }

  // Between enter() and leave().
  void record_allocation(void* p, std::size_t size) noexcept;
  // Returns false (after reporting) if p is not live memory of this record.
  bool record_deallocation(void* p, std::size_t size) noexcept;

  // Called just before the handler runs.
  void check_invocation() noexcept;

  [[nodiscard]] std::size_t allocations() const noexcept {
    return allocations_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t live() const noexcept { return live_.load(std::memory_order_relaxed); }

 private:
  checked_state() = default;
  void destroy() noexcept;
  void enter_contended() noexcept;

  struct record {
    void* p;
    std::size_t size;
  };
  // Live allocations are remembered (to catch double and foreign frees) up
  // to this many; beyond that only counted.
  static constexpr std::size_t tracked = 16;

  std::atomic<std::size_t> refs_{1};
  std::mutex mutex_;
  std::atomic<std::size_t> allocations_{0};
  std::atomic<std::size_t> live_{0};
  std::size_t live_bytes_ = 0;
  std::size_t untracked_ = 0;
  record records_[tracked] = {};
};

// What a checked handler's allocations are passed on to: its own
// allocator, with the default one mapped to the recycling cache as usual.
template <typename Handler>
using checked_inner_allocator_t = operation_allocator_t<associated_allocator_t<Handler>>;

}  // namespace detail

// The checking allocator of a checked handler (see above). Inner is the
// allocator the memory really comes from.
template <typename T, typename Inner>
class checked_allocator {
 public:
  using value_type = T;

  checked_allocator(detail::checked_state* state, const Inner& inner) noexcept
      : state_(state), inner_(inner) {
    acquire(state_);
  }
  checked_allocator(const checked_allocator& other) noexcept
      : state_(other.state_), inner_(other.inner_) {
    acquire(state_);
  }
  template <typename U>
  checked_allocator(const checked_allocator<U, Inner>& other) noexcept
      : state_(other.state_), inner_(other.inner_) {
    acquire(state_);
  }
  checked_allocator& operator=(const checked_allocator& other) noexcept {
    if (this != &other) {
      acquire(other.state_);
      release(state_);
      state_ = other.state_;
      inner_ = other.inner_;
    }
    return *this;
  }
  ~checked_allocator() { release(state_); }

  [[nodiscard]] T* allocate(std::size_t n) {
    rebound inner(inner_);
    state_->enter();
    T* p = nullptr;
    try {
      p = std::to_address(std::allocator_traits<rebound>::allocate(inner, n));
    } catch (...) {
      state_->leave();
      throw;
    }
    state_->record_allocation(p, n * sizeof(T));
    state_->leave();
    return p;
  }

  void deallocate(T* p, std::size_t n) noexcept {
    rebound inner(inner_);
    state_->enter();
    const bool known = state_->record_deallocation(p, n * sizeof(T));
    if (known) std::allocator_traits<rebound>::deallocate(inner, p, n);
    state_->leave();
  }

  template <typename U>
  bool operator==(const checked_allocator<U, Inner>& other) const noexcept {
    return state_ == other.state_ && inner_ == other.inner_;
  }

 private:
  template <typename, typename>
  friend class checked_allocator;
  using rebound = typename std::allocator_traits<Inner>::template rebind_alloc<T>;

  // Null only for the allocator of a moved-from handler, which no operation
  // uses.
  static void acquire(detail::checked_state* s) noexcept {
    if (s != nullptr) s->add_ref();
  }
  static void release(detail::checked_state* s) noexcept {
    if (s != nullptr) s->release();
  }

  detail::checked_state* state_;
  [[no_unique_address]] Inner inner_;
};

// A handler (or token) whose operations are checked; made by bind_checked.
// Copies share one record, which is what lets the check follow the handler
// as operations move it around: use one checked handler for one operation
// (or chain of operations) at a time, and bind_checked each handler.
template <typename Handler>
class checked_handler {
 public:
  using target_type = Handler;
  using allocator_type = checked_allocator<void, detail::checked_inner_allocator_t<Handler>>;

  template <typename H>
  requires(!std::same_as<std::decay_t<H>, checked_handler>) explicit checked_handler(H&& handler)
      : handler_(std::forward<H>(handler)), state_(detail::checked_state::create()) {}

  checked_handler(const checked_handler& other) : handler_(other.handler_), state_(other.state_) {
    if (state_ != nullptr) state_->add_ref();
  }
  checked_handler(checked_handler&& other) noexcept(std::is_nothrow_move_constructible_v<Handler>)
      : handler_(std::move(other.handler_)), state_(std::exchange(other.state_, nullptr)) {}
  checked_handler& operator=(const checked_handler&) = delete;
  checked_handler& operator=(checked_handler&&) = delete;
  ~checked_handler() {
    if (state_ != nullptr) state_->release();
  }

  [[nodiscard]] target_type& get() noexcept { return handler_; }
  [[nodiscard]] const target_type& get() const noexcept { return handler_; }

  // The checking allocator, over the wrapped handler's own.
  [[nodiscard]] allocator_type get_allocator() const noexcept {
    return allocator_type(state_, detail::operation_allocator(get_associated_allocator(handler_)));
  }

  // Allocations made through the allocator so far, and those still live
  // (zero for a moved-from handler).
  [[nodiscard]] std::size_t allocations() const noexcept {
    return state_ != nullptr ? state_->allocations() : 0;
  }
  [[nodiscard]] std::size_t live_allocations() const noexcept {
    return state_ != nullptr ? state_->live() : 0;
  }

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) && {
    check();
    return std::move(handler_)(std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) & {
    check();
    return handler_(std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) const& {
    check();
    return handler_(std::forward<Args>(args)...);
  }

 private:
  void check() const noexcept {
    if (state_ != nullptr) state_->check_invocation();
  }

  Handler handler_;
  detail::checked_state* state_;
};

// Wraps handler_or_token: see the top of this file.
template <typename T>
[[nodiscard]] checked_handler<std::decay_t<T>> bind_checked(T&& handler_or_token) {
  return checked_handler<std::decay_t<T>>(std::forward<T>(handler_or_token));
}

// The executor, cancellation slot (and any other association but the
// allocator, which is the checking one) are the wrapped handler's.
template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct associator<Associator, checked_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const checked_handler<Handler>& h, const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.get(), c);
  }
};

namespace detail {
struct checked_wrap {
  template <typename Handler>
  checked_handler<std::decay_t<Handler>> operator()(Handler&& handler) const {
    return checked_handler<std::decay_t<Handler>>(std::forward<Handler>(handler));
  }
};
}  // namespace detail

// bind_checked(token) for a token that is not itself a handler
// (use_awaitable, as_tuple(...), detached): the token makes its handler,
// which is then checked.
template <typename T, completion_signature... Signatures>
requires(!detail::token_is_handler<T, Signatures...>) class async_result<checked_handler<T>,
                                                                         Signatures...>
    : public detail::adapted_return_type<async_result<T, Signatures...>> {
 public:
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, T>;
    return async_initiate<inner_t, Signatures...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, detail::checked_wrap>(
            std::forward<Initiation>(initiation), detail::checked_wrap()),
        token.get(), std::forward<Args>(args)...);
  }
};

}  // namespace rill
