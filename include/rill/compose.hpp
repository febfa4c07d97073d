// rill/compose.hpp - write an asynchronous operation as a state machine.
#pragma once

#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/detail/compose_op.hpp>

namespace rill {

// Launches an asynchronous operation written as a function object, as
// Asio's async_compose. The implementation is called as impl(self) at once,
// inside this call, and then as impl(self, args...) each time an
// intermediate operation started with std::move(self) as its handler
// completes; it finishes with self.complete(args...), which must match one
// of the Signatures. self offers:
//   get_executor()   the handler's associated executor, by default the
//                    executor of the first I/O object or executor given
//                    (system_executor if none);
//   get_allocator()  the handler's associated allocator.
// self is itself the handler of every intermediate operation, so each of
// them allocates through the final handler's allocator (freeing before it
// resumes self) and resumes self on the handler's executor.
//
// While the operation is pending, the executors of io_objects_or_executors
// (an I/O object contributes its get_executor()) count outstanding work, so
// their contexts' run() does not return; the work is given up just before
// the handler is invoked. complete() invokes the handler directly in the
// calling thread, as in Asio: an implementation that may complete at once
// (before any intermediate operation has started) should post first if its
// handler must not run inside the initiating function.
template <typename CompletionToken, completion_signature... Signatures, typename Implementation,
          typename... IoObjectsOrExecutors>
decltype(auto) async_compose(
    Implementation&& implementation, std::type_identity_t<CompletionToken>& token,
    IoObjectsOrExecutors&&... io_objects_or_executors) requires(sizeof...(Signatures) > 0) {
  using initiation = detail::initiate_compose<
      detail::compose_signatures<Signatures...>,
      std::decay_t<decltype(detail::get_composed_io_executor(
          std::forward<IoObjectsOrExecutors>(io_objects_or_executors)))>...>;
  return async_initiate<CompletionToken, Signatures...>(
      initiation(0, detail::get_composed_io_executor(
                        std::forward<IoObjectsOrExecutors>(io_objects_or_executors))...),
      token, std::forward<Implementation>(implementation));
}

}  // namespace rill
