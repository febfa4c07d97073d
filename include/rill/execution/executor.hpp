// rill/execution/executor.hpp - the executor concept of the standard-executors
// model, as Asio's execution::executor.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/execution/execute.hpp>
#include <rill/execution/invocable_archetype.hpp>

namespace rill::execution {

// Able to execute a function object of type F, copyable without throwing,
// and comparable. The execute check comes first: it stops the check early
// for I/O objects, whose constructors from an executor would otherwise be
// examined for the copy check.
template <typename T, typename F>
concept executor_of = requires(const T& t, F&& f) {
  execution::execute(t, std::forward<F>(f));
}
&&std::invocable<std::decay_t<F>&>&& std::constructible_from<std::decay_t<F>, F>&&
    std::move_constructible<std::decay_t<F>>&& std::is_nothrow_copy_constructible_v<T>&&
        std::is_nothrow_destructible_v<T>&& std::equality_comparable<T>;

namespace detail {
// What the execution properties apply to: types that can execute a function
// object. Shallower than executor (no copy or equality checks) on purpose:
// a polymorphic executor's converting constructor asks about properties,
// and a wrapper constructible from that polymorphic executor (a strand)
// would otherwise make its own copy check depend on itself.
template <typename T>
concept executes_functions = requires(const T& t, invocable_archetype f) {
  execution::execute(t, f);
};
}  // namespace detail

template <typename T>
concept executor = executor_of<T, invocable_archetype>;

template <typename T>
struct is_executor : std::bool_constant<executor<T>> {};
template <typename T>
inline constexpr bool is_executor_v = is_executor<T>::value;

template <typename T, typename F>
struct is_executor_of : std::bool_constant<executor_of<T, F>> {};
template <typename T, typename F>
inline constexpr bool is_executor_of_v = is_executor_of<T, F>::value;

}  // namespace rill::execution
