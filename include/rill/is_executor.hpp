// rill/is_executor.hpp - what rill accepts as an executor.
#pragma once

#include <memory>
#include <type_traits>

#include <rill/execution/executor.hpp>
#include <rill/execution/invocable_archetype.hpp>

namespace rill {

namespace detail {
using execution::invocable_archetype;
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

// The executor of the standard-executors model (execution::executor,
// execution::is_executor) is in <rill/execution/executor.hpp>.

namespace detail {
// Either kind: what post, dispatch, defer and bind_executor accept.
template <typename T>
concept any_executor_kind = rill::is_executor<T>::value || execution::executor<T>;
}  // namespace detail

}  // namespace rill
