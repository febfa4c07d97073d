// rill/use_awaitable.hpp - the completion token that turns an asynchronous
// operation into something a coroutine can co_await, as Asio's.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/awaitable.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/detail/coro_allocator.hpp>
#include <rill/system_error.hpp>

namespace rill {

// `co_await sock.async_read_some(buf, use_awaitable)`: the operation's
// results become the value of the co_await expression; an error_code that is
// set or an exception_ptr that is not null is thrown instead.
template <typename Executor = any_io_executor>
struct use_awaitable_t {
  constexpr use_awaitable_t() = default;
  // Asio's form that records where the operation was started.
  constexpr use_awaitable_t(const char* /*file*/, int /*line*/, const char* /*function*/) {}

  // An executor whose I/O objects use use_awaitable when no token is given.
  template <typename InnerExecutor>
  struct executor_with_default : InnerExecutor {
    using default_completion_token_type = use_awaitable_t;

    template <typename OtherExecutor>
    requires(!std::is_same_v<OtherExecutor, executor_with_default> &&
             std::is_convertible_v<OtherExecutor, InnerExecutor>)
        executor_with_default(const OtherExecutor& ex)
    noexcept  // NOLINT(google-explicit-constructor)
        : InnerExecutor(ex) {}
  };

  template <typename T>
  using as_default_on_t =
      typename T::template rebind_executor<executor_with_default<typename T::executor_type>>::other;

  template <typename T>
  static as_default_on_t<std::decay_t<T>> as_default_on(T&& object) {
    return as_default_on_t<std::decay_t<T>>(std::forward<T>(object));
  }
};

inline constexpr use_awaitable_t<> use_awaitable;

namespace detail {

// What co_await yields for a completion signature, as in Asio: a leading
// error_code or exception_ptr is thrown rather than returned; no value is
// void, one value is itself, several are a tuple.
template <typename... Values>
struct awaitable_values {
  using type = std::tuple<std::decay_t<Values>...>;
};
template <>
struct awaitable_values<> {
  using type = void;
};
template <typename V>
struct awaitable_values<V> {
  using type = std::decay_t<V>;
};

template <typename Signature>
struct awaitable_signature;
template <typename R, typename... Args>
struct awaitable_signature<R(Args...)> {
  static constexpr bool has_error = false;
  using value_type = typename awaitable_values<Args...>::type;
};
template <typename R, typename... Args>
struct awaitable_signature<R(std::error_code, Args...)> {
  static constexpr bool has_error = true;
  using value_type = typename awaitable_values<Args...>::type;
};
template <typename R, typename... Args>
struct awaitable_signature<R(const std::error_code&, Args...)>
    : awaitable_signature<R(std::error_code, Args...)> {};
template <typename R, typename... Args>
struct awaitable_signature<R(std::exception_ptr, Args...)> {
  static constexpr bool has_error = true;
  using value_type = typename awaitable_values<Args...>::type;
};
template <typename R, typename... Args>
struct awaitable_signature<R(const std::exception_ptr&, Args...)>
    : awaitable_signature<R(std::exception_ptr, Args...)> {};

template <typename T, typename Executor>
class awaitable_handler_base {
 public:
  using executor_type = Executor;
  using allocator_type = coro_op_allocator<void>;

  awaitable_handler_base(awaitable_op_base<T, Executor>* op, std::coroutine_handle<> waiter,
                         awaitable_thread<Executor>* thread) noexcept
      : op_(op), waiter_(waiter), thread_(thread) {}

  awaitable_handler_base(awaitable_handler_base&& other) noexcept
      : op_(other.op_), waiter_(std::exchange(other.waiter_, nullptr)), thread_(other.thread_) {}
  awaitable_handler_base& operator=(awaitable_handler_base&&) = delete;

  // A handler destroyed without being called (its context went away with
  // the operation pending) takes the whole coroutine thread with it.
  ~awaitable_handler_base() {
    if (waiter_) thread_->abandon(thread_);
  }

  [[nodiscard]] executor_type get_executor() const noexcept { return thread_->executor; }
  [[nodiscard]] allocator_type get_allocator() const noexcept {
    return allocator_type(thread_->allocator);
  }
  // The coroutine thread's cancellation reaches the awaited operation.
  using cancellation_slot_type = cancellation_slot;
  [[nodiscard]] cancellation_slot_type get_cancellation_slot() const noexcept {
    return thread_->cancel_state.slot();
  }

 protected:
  template <typename... V>
  void resume_with_value(V&&... v) {
    op_->set_value(std::forward<V>(v)...);
    resume();
  }
  void resume_with_error(std::exception_ptr e) {
    op_->set_error(std::move(e));
    resume();
  }

 private:
  void resume() {
    coro_allocator_scope scope(thread_->allocator);
    std::exchange(waiter_, nullptr).resume();
  }

  awaitable_op_base<T, Executor>* op_;
  std::coroutine_handle<> waiter_;
  awaitable_thread<Executor>* thread_;
};

template <typename T, typename Executor, typename Signature>
class awaitable_handler;

template <typename T, typename Executor, typename R, typename... Args>
class awaitable_handler<T, Executor, R(Args...)> : public awaitable_handler_base<T, Executor> {
 public:
  using awaitable_handler_base<T, Executor>::awaitable_handler_base;

  template <typename... A>
  void operator()(A&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      this->resume_with_value();
    } else {
      deliver(std::forward<A>(args)...);
    }
  }

 private:
  template <typename First, typename... Rest>
  void deliver(First&& first, Rest&&... rest) {
    using first_t = std::decay_t<First>;
    if constexpr (std::is_same_v<first_t, std::error_code> &&
                  awaitable_signature<R(Args...)>::has_error) {
      if (first) {
        this->resume_with_error(std::make_exception_ptr(system_error(first)));
        return;
      }
      value(std::forward<Rest>(rest)...);
    } else if constexpr (std::is_same_v<first_t, std::exception_ptr> &&
                         awaitable_signature<R(Args...)>::has_error) {
      if (first) {
        this->resume_with_error(std::forward<First>(first));
        return;
      }
      value(std::forward<Rest>(rest)...);
    } else {
      value(std::forward<First>(first), std::forward<Rest>(rest)...);
    }
  }

  template <typename... V>
  void value(V&&... v) {
    if constexpr (sizeof...(V) <= 1) {
      this->resume_with_value(std::forward<V>(v)...);
    } else {
      this->resume_with_value(T(std::forward<V>(v)...));
    }
  }
};

// The stored initiation of an operation started with use_awaitable.
template <typename T, typename Executor, typename Signature, typename Initiation,
          typename... InitArgs>
class awaitable_op final : public awaitable_op_base<T, Executor> {
 public:
  template <typename I, typename... A>
  explicit awaitable_op(I&& initiation, A&&... args)
      : awaitable_op_base<T, Executor>(&awaitable_op::do_start, &awaitable_op::do_destroy),
        initiation_(std::forward<I>(initiation)),
        args_(std::forward<A>(args)...) {}

  static awaitable_op* create(Initiation&& initiation, InitArgs&&... args) {
    void* p = allocate_frame(sizeof(awaitable_op));
    try {
      return ::new (p) awaitable_op(std::move(initiation), std::move(args)...);
    } catch (...) {
      deallocate_frame(p, sizeof(awaitable_op));
      throw;
    }
  }

 private:
  static void do_start(awaitable_op_base<T, Executor>* base, std::coroutine_handle<> waiter,
                       awaitable_thread<Executor>* thread) {
    auto* self = static_cast<awaitable_op*>(base);
    std::apply(
        [&](InitArgs&... args) {
          std::move(self->initiation_)(
              awaitable_handler<T, Executor, Signature>(self, waiter, thread), std::move(args)...);
        },
        self->args_);
  }

  static void do_destroy(awaitable_op_base<T, Executor>* base) noexcept {
    auto* self = static_cast<awaitable_op*>(base);
    self->~awaitable_op();
    deallocate_frame(self, sizeof(awaitable_op));
  }

  Initiation initiation_;
  std::tuple<InitArgs...> args_;
};

}  // namespace detail

template <typename Executor, typename R, typename... Args>
class async_result<use_awaitable_t<Executor>, R(Args...)> {
 public:
  using value_type = typename detail::awaitable_signature<R(Args...)>::value_type;
  using return_type = awaitable<value_type, Executor>;

  template <typename Initiation, typename... InitArgs>
  static return_type initiate(Initiation&& initiation, const use_awaitable_t<Executor>& /*token*/,
                              InitArgs&&... args) {
    using op_type = detail::awaitable_op<value_type, Executor, R(Args...), std::decay_t<Initiation>,
                                         std::decay_t<InitArgs>...>;
    std::decay_t<Initiation> init(std::forward<Initiation>(initiation));
    return return_type(
        op_type::create(std::move(init), std::decay_t<InitArgs>(std::forward<InitArgs>(args))...));
  }
};

}  // namespace rill
