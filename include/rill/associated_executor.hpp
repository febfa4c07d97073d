// rill/associated_executor.hpp - where a handler wants to be invoked.
#pragma once

#include <concepts>
#include <type_traits>

#include <rill/associator.hpp>

#include <rill/execution_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/system_executor.hpp>

namespace rill {

namespace detail {

template <typename T>
concept has_nested_executor = requires(const T& t) {
  typename T::executor_type;
  { t.get_executor() } -> std::convertible_to<typename T::executor_type>;
};

template <typename T, typename Executor>
struct associated_executor_default {
  // Marks "T has no executor of its own", so that post/dispatch/defer can
  // skip the work_dispatcher detour at compile time, as Asio does. User
  // specialisations do not have it.
  using rill_unspecialised = void;
  using type = Executor;
  static type get(const T& /*t*/, const Executor& ex = Executor()) noexcept { return ex; }
};

template <typename T, typename Executor>
requires has_nested_executor<T>
struct associated_executor_default<T, Executor> {
  using type = typename T::executor_type;
  static type get(const T& t, const Executor& /*ex*/ = Executor()) noexcept {
    return t.get_executor();
  }
};

}  // namespace detail

// The executor associated with an object of type T, found like the
// associated allocator: T::executor_type and t.get_executor(); otherwise a
// user specialisation; otherwise the Executor argument (system_executor).
template <typename T, typename Executor = system_executor>
struct associated_executor : detail::associated_executor_default<T, Executor> {};

// Wrappers that specialise rill::associator forward their handler's executor
// (and so whether it has one of its own).
template <typename T, typename Executor>
requires(!detail::has_nested_executor<T> &&
         detail::has_associator<associated_executor, T,
                                Executor>) struct associated_executor<T, Executor>
    : associator<associated_executor, T, Executor> {
};

template <typename T, typename Executor = system_executor>
using associated_executor_t = typename associated_executor<T, Executor>::type;

namespace detail {
// True when T names an executor of its own (nested type, specialisation,
// binder), false when its associated executor is just the default.
template <typename T, typename Executor>
concept has_own_executor = !requires {
  typename associated_executor<T, Executor>::rill_unspecialised;
};
}  // namespace detail

template <typename T>
[[nodiscard]] associated_executor_t<T> get_associated_executor(const T& t) noexcept {
  return associated_executor<T>::get(t);
}

template <typename T, typename Executor>
requires detail::any_executor_kind<Executor>
[[nodiscard]] associated_executor_t<T, Executor> get_associated_executor(
    const T& t, const Executor& ex) noexcept {
  return associated_executor<T, Executor>::get(t, ex);
}

template <typename T, typename ExecutionContext>
requires std::derived_from<ExecutionContext, execution_context>
[[nodiscard]] associated_executor_t<T, typename ExecutionContext::executor_type>
get_associated_executor(const T& t, ExecutionContext& ctx) noexcept {
  return associated_executor<T, typename ExecutionContext::executor_type>::get(t,
                                                                               ctx.get_executor());
}

}  // namespace rill
