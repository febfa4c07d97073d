// rill/is_executor.hpp - what rill accepts as an executor.
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>

namespace rill {

namespace detail {
struct invocable_archetype {
  void operator()() const {}
};
}  // namespace detail

// An executor in the Networking TS sense, as Asio's is_executor: it has a
// context, work counting and post/dispatch/defer members.
template <typename T>
    struct is_executor : std::bool_constant < requires(const T& t, detail::invocable_archetype f) {
  t.context();
  t.on_work_started();
  t.on_work_finished();
  t.post(f, std::allocator<void>());
  t.dispatch(f, std::allocator<void>());
  t.defer(f, std::allocator<void>());
} > {};

namespace execution {

// An executor in the standard-executors sense (Asio's execution::executor):
// copyable, comparable, and able to execute a function object.
template <typename T>
concept executor = std::is_nothrow_copy_constructible_v<T> && std::equality_comparable<T> &&
    requires(const T& t, detail::invocable_archetype f) {
  t.execute(f);
};

template <typename T>
struct is_executor : std::bool_constant<executor<T>> {};

template <typename T>
inline constexpr bool is_executor_v = is_executor<T>::value;

}  // namespace execution

namespace detail {
// Either kind: what post, dispatch, defer and bind_executor accept.
template <typename T>
concept any_executor_kind = rill::is_executor<T>::value || execution::executor<T>;
}  // namespace detail

}  // namespace rill
