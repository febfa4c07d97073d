// rill/bind_executor.hpp - attach an executor to a handler.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>
#include <rill/execution_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/uses_executor.hpp>

namespace rill {

namespace detail {
// The argument types of the target, as Asio's executor_binder reports them
// (argument_type for one argument, first_ and second_argument_type for two).
template <typename T>
struct binder_argument_types {};
template <typename T>
requires requires { typename T::argument_type; }
struct binder_argument_types<T> {
  using argument_type = typename T::argument_type;
};
template <typename T>
requires requires {
  typename T::first_argument_type;
  typename T::second_argument_type;
}
struct binder_argument_types<T> {
  using first_argument_type = typename T::first_argument_type;
  using second_argument_type = typename T::second_argument_type;
};
template <typename R, typename A1>
struct binder_argument_types<R (*)(A1)> {
  using argument_type = A1;
};
template <typename R, typename A1>
struct binder_argument_types<R(A1)> {
  using argument_type = A1;
};
template <typename R, typename A1, typename A2>
struct binder_argument_types<R (*)(A1, A2)> {
  using first_argument_type = A1;
  using second_argument_type = A2;
};
template <typename R, typename A1, typename A2>
struct binder_argument_types<R(A1, A2)> {
  using first_argument_type = A1;
  using second_argument_type = A2;
};
}  // namespace detail

// A handler (target) together with the executor it must be invoked on. Its
// associated executor is that executor; its associated allocator is the
// target's, so binding an executor never loses a custom allocator.
template <typename T, typename Executor>
class executor_binder : public detail::binder_argument_types<T> {
 public:
  using target_type = T;
  using executor_type = Executor;

  template <typename U>
  executor_binder(executor_arg_t /*tag*/, const executor_type& e, U&& u)
      : executor_(e), target_(std::forward<U>(u)) {}

  executor_binder(const executor_binder&) = default;
  executor_binder(executor_binder&&) = default;

  // Rebinds a binder of a convertible target/executor.
  template <typename U, typename OtherExecutor>
  requires std::constructible_from<T, const U&> &&
      std::constructible_from<Executor, const OtherExecutor&>
      executor_binder(const executor_binder<U, OtherExecutor>& other)
      : executor_(other.get_executor()), target_(other.get()) {}

  template <typename U, typename OtherExecutor>
  requires std::constructible_from<T, U&&> &&
      std::constructible_from<Executor, const OtherExecutor&>
      executor_binder(executor_binder<U, OtherExecutor>&& other)
      : executor_(other.get_executor()), target_(std::move(other.get())) {}

  [[nodiscard]] target_type& get() noexcept { return target_; }
  [[nodiscard]] const target_type& get() const noexcept { return target_; }
  [[nodiscard]] executor_type get_executor() const noexcept { return executor_; }

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) & {
    return target_(std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) const& {
    return target_(std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) && {
    return std::move(target_)(std::forward<Args>(args)...);
  }

 private:
  Executor executor_;
  T target_;
};

template <typename Executor, typename T>
requires detail::any_executor_kind<Executor>
[[nodiscard]] executor_binder<std::decay_t<T>, Executor> bind_executor(const Executor& ex, T&& t) {
  return executor_binder<std::decay_t<T>, Executor>(executor_arg, ex, std::forward<T>(t));
}

template <typename ExecutionContext, typename T>
requires std::derived_from<ExecutionContext, execution_context>
[[nodiscard]] executor_binder<std::decay_t<T>, typename ExecutionContext::executor_type>
bind_executor(ExecutionContext& ctx, T&& t) {
  return executor_binder<std::decay_t<T>, typename ExecutionContext::executor_type>(
      executor_arg, ctx.get_executor(), std::forward<T>(t));
}

// The binder's allocator is its target's.
template <typename T, typename Executor, typename Allocator>
struct associated_allocator<executor_binder<T, Executor>, Allocator> {
  using type = associated_allocator_t<T, Allocator>;
  static type get(const executor_binder<T, Executor>& b,
                  const Allocator& a = Allocator()) noexcept {
    return associated_allocator<T, Allocator>::get(b.get(), a);
  }
};

namespace detail {
// Binds the handler that the inner token makes to the executor.
template <typename Executor>
struct executor_binder_wrap {
  Executor executor;

  template <typename Handler>
  executor_binder<std::decay_t<Handler>, Executor> operator()(Handler&& handler) const {
    return executor_binder<std::decay_t<Handler>, Executor>(executor_arg, executor,
                                                            std::forward<Handler>(handler));
  }
};
}  // namespace detail

// bind_executor(ex, token) for a token that is not itself a handler
// (bind_executor(ex, use_future), bind_executor(ex, as_tuple(h))): the token
// makes its handler, which is then bound to ex, as in Asio. A binder of a
// handler is a handler and needs no specialisation.
template <typename T, typename Executor, completion_signature... Signatures>
requires(!detail::token_is_handler<T, Signatures...>) class async_result<
    executor_binder<T, Executor>, Signatures...>
    : public detail::adapted_return_type<async_result<T, Signatures...>> {
 public:
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, T>;
    using wrap_t = detail::executor_binder_wrap<Executor>;
    return async_initiate<inner_t, Signatures...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, wrap_t>(
            std::forward<Initiation>(initiation), wrap_t{token.get_executor()}),
        token.get(), std::forward<Args>(args)...);
  }
};

// The binder's cancellation slot is its target's.
template <typename T, typename Executor, typename CancellationSlot>
struct associator<associated_cancellation_slot, executor_binder<T, Executor>, CancellationSlot>
    : associated_cancellation_slot<T, CancellationSlot> {
  static associated_cancellation_slot_t<T, CancellationSlot> get(
      const executor_binder<T, Executor>& b,
      const CancellationSlot& s = CancellationSlot()) noexcept {
    return associated_cancellation_slot<T, CancellationSlot>::get(b.get(), s);
  }
};

}  // namespace rill
