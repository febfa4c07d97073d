// rill/awaitable.hpp - the coroutine type of rill's C++20 coroutine support,
// as Asio's awaitable.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include <rill/any_io_executor.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_state.hpp>
#include <rill/detail/coro_allocator.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>
#include <rill/this_coro.hpp>

namespace rill {

template <typename T, typename Executor = any_io_executor>
class awaitable;

namespace detail {

// The state shared by all frames of one coroutine thread (one co_spawn):
// its executor, its allocator, and what to do when the outermost frame
// finishes or the thread is abandoned. Owned by co_spawn's spawn state.
template <typename Executor>
struct awaitable_thread {
  using finish_fn = void (*)(awaitable_thread* self);

  awaitable_thread(Executor ex, finish_fn on_finish, finish_fn on_abandon) noexcept
      : executor(std::move(ex)), finish(on_finish), abandon(on_abandon) {}

  Executor executor;
  const coro_allocator_ref* allocator = nullptr;
  // Set once the thread has waited for an asynchronous operation; co_spawn
  // then dispatches the completion handler instead of posting it.
  bool has_suspended = false;
  finish_fn finish;
  finish_fn abandon;

  // Cancellation, as in Asio: when co_spawn's completion handler has a
  // connected cancellation slot, co_spawn puts a signal of its own in it
  // (proxy_slot is that signal's slot) and the thread's cancellation state
  // listens to it; awaited operations get the state's slot. Otherwise both
  // stay unconnected and awaited operations get no slot.
  cancellation_slot proxy_slot;
  cancellation_state cancel_state;
  bool throw_if_cancelled = true;

  template <typename... Filters>
  void reset_cancellation_state(Filters... filters) {
    cancel_state = proxy_slot.is_connected() ? cancellation_state(proxy_slot, std::move(filters)...)
                                             : cancellation_state();
  }
};

template <typename T>
using awaitable_value_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// An asynchronous operation started with use_awaitable that has not been
// awaited yet. Its storage comes from the coroutine thread's allocator, as
// frames do, so a loop of co_await allocates nothing once warm.
template <typename T, typename Executor>
class awaitable_op_base {
 public:
  using start_fn = void (*)(awaitable_op_base* self, std::coroutine_handle<> waiter,
                            awaitable_thread<Executor>* thread);
  using destroy_fn = void (*)(awaitable_op_base* self) noexcept;

  void start(std::coroutine_handle<> waiter, awaitable_thread<Executor>* thread) {
    start_(this, waiter, thread);
  }
  void destroy() noexcept { destroy_(this); }

  T take_result() {
    if (error_) std::rethrow_exception(error_);
    if constexpr (!std::is_void_v<T>) return std::move(*value_);
  }

  template <typename... V>
  void set_value(V&&... v) {
    value_.emplace(std::forward<V>(v)...);
  }
  void set_error(std::exception_ptr e) noexcept { error_ = std::move(e); }

 protected:
  awaitable_op_base(start_fn start_func, destroy_fn destroy_func) noexcept
      : start_(start_func), destroy_(destroy_func) {}
  ~awaitable_op_base() = default;

 private:
  start_fn start_;
  destroy_fn destroy_;
  std::exception_ptr error_;
  std::optional<awaitable_value_t<T>> value_;
};

template <typename Executor>
class awaitable_promise_base;

template <typename T, typename Executor>
class awaitable_promise;

}  // namespace detail

// A coroutine (or a not-yet-started asynchronous operation) producing a T
// on an Executor. Lazy: nothing runs until it is awaited by another
// awaitable or launched with co_spawn. Move-only; destroying an awaitable
// that never ran destroys its frame.
template <typename T, typename Executor>
class [[nodiscard]] awaitable {
 public:
  using value_type = T;
  using executor_type = Executor;
  using promise_type = detail::awaitable_promise<T, Executor>;

  constexpr awaitable() noexcept = default;
  awaitable(awaitable&& other) noexcept
      : frame_(std::exchange(other.frame_, nullptr)), op_(std::exchange(other.op_, nullptr)) {}
  awaitable& operator=(awaitable&& other) noexcept {
    if (this != &other) {
      reset();
      frame_ = std::exchange(other.frame_, nullptr);
      op_ = std::exchange(other.op_, nullptr);
    }
    return *this;
  }
  awaitable(const awaitable&) = delete;
  awaitable& operator=(const awaitable&) = delete;
  ~awaitable() { reset(); }

  [[nodiscard]] bool valid() const noexcept { return frame_ || op_ != nullptr; }

  // rill internal: building blocks for the promise, use_awaitable and co_spawn.
  explicit awaitable(std::coroutine_handle<promise_type> frame) noexcept : frame_(frame) {}
  explicit awaitable(detail::awaitable_op_base<T, Executor>* op) noexcept : op_(op) {}
  [[nodiscard]] std::coroutine_handle<promise_type> rill_frame() const noexcept { return frame_; }
  [[nodiscard]] detail::awaitable_op_base<T, Executor>* rill_op() const noexcept { return op_; }

 private:
  void reset() noexcept {
    if (frame_) std::exchange(frame_, nullptr).destroy();
    if (op_ != nullptr) std::exchange(op_, nullptr)->destroy();
  }

  std::coroutine_handle<promise_type> frame_;
  detail::awaitable_op_base<T, Executor>* op_ = nullptr;
};

namespace detail {

// What `co_await awaitable` does inside another awaitable: a coroutine is
// entered by symmetric transfer and returns the same way; an operation is
// started with a handler that resumes the waiting frame.
template <typename T, typename Executor>
class awaitable_awaiter {
 public:
  explicit awaitable_awaiter(awaitable<T, Executor>&& a) noexcept : awaited_(std::move(a)) {}

  bool await_ready() const noexcept { return false; }

  template <typename Promise>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> waiter) {
    awaitable_thread<Executor>* thread = waiter.promise().thread_;
    if (auto frame = awaited_.rill_frame()) {
      frame.promise().continuation_ = waiter;
      frame.promise().thread_ = thread;
      return frame;
    }
    thread->has_suspended = true;
    // The operation's handler may resume `waiter` (and so destroy this
    // awaiter) before start() returns: nothing here is touched afterwards.
    awaited_.rill_op()->start(waiter, thread);
    return std::noop_coroutine();
  }

  T await_resume() {
    if (auto frame = awaited_.rill_frame()) return frame.promise().take_result();
    return awaited_.rill_op()->take_result();
  }

 private:
  awaitable<T, Executor> awaited_;
};

template <typename Executor>
class executor_awaiter {
 public:
  explicit executor_awaiter(const Executor& ex) noexcept : ex_(ex) {}
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) noexcept {}
  Executor await_resume() noexcept { return ex_; }

 private:
  const Executor& ex_;
};

// The this_coro tags that an awaitable's await_transform handles itself.
template <typename T>
struct is_this_coro_tag : std::false_type {};
template <>
struct is_this_coro_tag<this_coro::executor_t> : std::true_type {};
template <>
struct is_this_coro_tag<this_coro::cancellation_state_t> : std::true_type {};
template <>
struct is_this_coro_tag<this_coro::reset_cancellation_state_0_t> : std::true_type {};
template <typename F>
struct is_this_coro_tag<this_coro::reset_cancellation_state_1_t<F>> : std::true_type {};
template <typename In, typename Out>
struct is_this_coro_tag<this_coro::reset_cancellation_state_2_t<In, Out>> : std::true_type {};
template <>
struct is_this_coro_tag<this_coro::throw_if_cancelled_0_t> : std::true_type {};
template <>
struct is_this_coro_tag<this_coro::throw_if_cancelled_1_t> : std::true_type {};

// An awaiter that never suspends and yields a value computed beforehand.
template <typename T>
struct ready_value {
  T value;
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  T await_resume() { return std::move(value); }
};

template <typename Executor>
class awaitable_promise_base {
 public:
  // Frames come from the coroutine thread's allocator when it has one,
  // otherwise from the per-thread recycling cache: no heap once warm.
  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* p, std::size_t size) noexcept { deallocate_frame(p, size); }

  std::suspend_always initial_suspend() const noexcept { return {}; }

  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  // Awaiting after a cancellation was requested throws instead (unless the
  // coroutine turned that off with this_coro::throw_if_cancelled(false)), as
  // in Asio; the awaitable is destroyed unstarted.
  template <typename T>
  awaitable_awaiter<T, Executor> await_transform(awaitable<T, Executor> a) {
    if (thread_->throw_if_cancelled &&
        thread_->cancel_state.cancelled() != cancellation_type::none) {
      throw_error(rill::error::operation_aborted, "co_await");
    }
    return awaitable_awaiter<T, Executor>(std::move(a));
  }

  executor_awaiter<Executor> await_transform(this_coro::executor_t) const noexcept {
    return executor_awaiter<Executor>(thread_->executor);
  }

  ready_value<cancellation_state> await_transform(this_coro::cancellation_state_t) const noexcept {
    return {thread_->cancel_state};
  }

  std::suspend_never await_transform(this_coro::reset_cancellation_state_0_t) const {
    thread_->reset_cancellation_state();
    return {};
  }
  template <typename Filter>
  std::suspend_never await_transform(this_coro::reset_cancellation_state_1_t<Filter> r) const {
    thread_->reset_cancellation_state(std::move(r.filter));
    return {};
  }
  template <typename InFilter, typename OutFilter>
  std::suspend_never await_transform(
      this_coro::reset_cancellation_state_2_t<InFilter, OutFilter> r) const {
    thread_->reset_cancellation_state(std::move(r.in_filter), std::move(r.out_filter));
    return {};
  }

  ready_value<bool> await_transform(this_coro::throw_if_cancelled_0_t) const noexcept {
    return {thread_->throw_if_cancelled};
  }
  std::suspend_never await_transform(this_coro::throw_if_cancelled_1_t t) const noexcept {
    thread_->throw_if_cancelled = t.value;
    return {};
  }

  // Other awaitables (a user's own awaiter types) pass through unchanged.
  template <typename Awaitable>
  requires(!is_this_coro_tag<std::decay_t<Awaitable>>::value) Awaitable &&
      await_transform(Awaitable&& a)
  const noexcept { return std::forward<Awaitable>(a); }

  std::coroutine_handle<> continuation_;
  awaitable_thread<Executor>* thread_ = nullptr;
  std::exception_ptr exception_;

 protected:
  // At the end of a frame, control returns to the frame that awaited it, or,
  // for the outermost frame, to co_spawn's completion (which destroys the
  // frame and delivers the result to the completion handler).
  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <typename Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
      auto& promise = self.promise();
      if (promise.continuation_) return promise.continuation_;
      promise.thread_->finish(promise.thread_);
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
};

template <typename T, typename Executor>
class awaitable_promise : public awaitable_promise_base<Executor> {
 public:
  awaitable<T, Executor> get_return_object() noexcept {
    return awaitable<T, Executor>(std::coroutine_handle<awaitable_promise>::from_promise(*this));
  }

  auto final_suspend() const noexcept { return typename awaitable_promise::final_awaiter{}; }

  template <typename U = T>
  requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) { value_.emplace(std::forward<U>(v)); }

  T take_result() {
    if (this->exception_) std::rethrow_exception(this->exception_);
    return std::move(*value_);
  }

  [[nodiscard]] std::exception_ptr exception() const noexcept { return this->exception_; }
  std::optional<T>& value() noexcept { return value_; }

 private:
  std::optional<T> value_;
};

template <typename Executor>
class awaitable_promise<void, Executor> : public awaitable_promise_base<Executor> {
 public:
  awaitable<void, Executor> get_return_object() noexcept {
    return awaitable<void, Executor>(std::coroutine_handle<awaitable_promise>::from_promise(*this));
  }

  auto final_suspend() const noexcept { return typename awaitable_promise::final_awaiter{}; }

  void return_void() const noexcept {}

  void take_result() {
    if (this->exception_) std::rethrow_exception(this->exception_);
  }

  [[nodiscard]] std::exception_ptr exception() const noexcept { return this->exception_; }
};

}  // namespace detail
}  // namespace rill
