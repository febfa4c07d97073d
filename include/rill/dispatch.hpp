// rill/dispatch.hpp - submit a completion handler to an executor.
#pragma once

#include <concepts>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/detail/executor_submit.hpp>
#include <rill/execution_context.hpp>
#include <rill/is_executor.hpp>

namespace rill {

// Runs the handler inside this call if the caller is already running in the
// executor's context (io_context: inside run()); otherwise queues it as post does.
// Memory for a queued handler comes from the handler's associated allocator
// and is freed before the handler runs. Completion signature: void().
template <typename CompletionToken>
decltype(auto) dispatch(CompletionToken&& token) {
  return async_initiate<CompletionToken, void()>(
      detail::initiate_submit<detail::submit_kind::dispatch>(), token);
}

// As above, through the executor ex. If the handler has an associated
// executor of another type it is then dispatched there, and that executor's
// context is kept busy meanwhile.
template <typename Executor, typename CompletionToken>
requires detail::any_executor_kind<Executor>
decltype(auto) dispatch(const Executor& ex, CompletionToken&& token) {
  return async_initiate<CompletionToken, void()>(
      detail::initiate_submit_with_executor<detail::submit_kind::dispatch, Executor>(ex), token);
}

// As above, through ctx.get_executor().
template <typename ExecutionContext, typename CompletionToken>
requires std::derived_from<ExecutionContext, execution_context>
decltype(auto) dispatch(ExecutionContext& ctx, CompletionToken&& token) {
  return rill::dispatch(ctx.get_executor(), std::forward<CompletionToken>(token));
}

}  // namespace rill
