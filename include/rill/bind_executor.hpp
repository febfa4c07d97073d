// rill/bind_executor.hpp - attach an executor to a handler.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/execution_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/uses_executor.hpp>

namespace rill {

// A handler (target) together with the executor it must be invoked on. Its
// associated executor is that executor; its associated allocator is the
// target's, so binding an executor never loses a custom allocator.
template <typename T, typename Executor>
class executor_binder {
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

}  // namespace rill
