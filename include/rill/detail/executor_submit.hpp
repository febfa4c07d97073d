// rill/detail/executor_submit.hpp - submit a function object to any executor
// in post, dispatch or defer fashion.
#pragma once

#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/execution/allocator.hpp>
#include <rill/execution/blocking.hpp>
#include <rill/execution/execute.hpp>
#include <rill/execution/relationship.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/is_executor.hpp>
#include <rill/prefer.hpp>
#include <rill/require.hpp>

namespace rill::detail {

enum class submit_kind { post, dispatch, defer };

// Executors with post/dispatch/defer members receive the allocator that the
// function object's memory must come from. Executors that only have
// execute() are given the properties that make execute() behave as post,
// dispatch or defer, as in Asio: post requires blocking.never and prefers
// relationship.fork, defer requires blocking.never and prefers
// relationship.continuation, dispatch prefers blocking.possibly; all prefer
// the allocator.
template <submit_kind Kind, typename Executor, typename Function, typename Alloc>
void executor_submit(const Executor& ex, Function&& f, const Alloc& a) {
  if constexpr (rill::is_executor<Executor>::value) {
    if constexpr (Kind == submit_kind::post) {
      ex.post(std::forward<Function>(f), a);
    } else if constexpr (Kind == submit_kind::dispatch) {
      ex.dispatch(std::forward<Function>(f), a);
    } else {
      ex.defer(std::forward<Function>(f), a);
    }
  } else if constexpr (Kind == submit_kind::post) {
    execution::execute(rill::prefer(rill::require(ex, execution::blocking.never),
                                    execution::relationship.fork, execution::allocator(a)),
                       std::forward<Function>(f));
  } else if constexpr (Kind == submit_kind::dispatch) {
    execution::execute(rill::prefer(ex, execution::blocking.possibly, execution::allocator(a)),
                       std::forward<Function>(f));
  } else {
    execution::execute(rill::prefer(rill::require(ex, execution::blocking.never),
                                    execution::relationship.continuation, execution::allocator(a)),
                       std::forward<Function>(f));
  }
}

// Runs a handler on its own associated executor after it has been run
// through another one (post(ex, h) where h is bound to a different
// executor), keeping that executor's context busy in between, as Asio's
// work_dispatcher does.
template <typename Handler, typename Executor>
class work_dispatcher {
 public:
  template <typename H>
  work_dispatcher(H&& handler, const Executor& handler_ex)
      : handler_(std::forward<H>(handler)), work_(handler_ex) {}

  work_dispatcher(work_dispatcher&&) = default;
  work_dispatcher(const work_dispatcher&) = default;

  void operator()() {
    auto alloc = get_associated_allocator(handler_);
    executor_submit<submit_kind::dispatch>(work_.get_executor(), std::move(handler_), alloc);
    work_.reset();
  }

 private:
  Handler handler_;
  executor_work_guard<Executor> work_;
};

// The initiation shared by post, dispatch and defer with an explicit executor.
template <submit_kind Kind, typename Executor>
class initiate_submit_with_executor {
 public:
  explicit initiate_submit_with_executor(const Executor& ex) : ex_(ex) {}

  template <typename Handler>
  void operator()(Handler&& handler) const {
    using handler_t = std::decay_t<Handler>;
    using handler_ex_t = associated_executor_t<handler_t, Executor>;
    auto alloc = get_associated_allocator(handler);
    if constexpr (!has_own_executor<handler_t, Executor>) {
      // The handler runs wherever ex_ runs it.
      executor_submit<Kind>(ex_, std::forward<Handler>(handler), alloc);
    } else {
      handler_ex_t handler_ex = get_associated_executor(handler, ex_);
      // The detour through work_dispatcher may be skipped only when the
      // handler's executor is ex_ itself. Equal types are not enough: the
      // executors of two io_contexts have the same type.
      if constexpr (std::is_same_v<handler_ex_t, Executor>) {
        if (handler_ex == ex_) {
          executor_submit<Kind>(ex_, std::forward<Handler>(handler), alloc);
          return;
        }
      }
      executor_submit<Kind>(
          ex_, work_dispatcher<handler_t, handler_ex_t>(std::forward<Handler>(handler), handler_ex),
          alloc);
    }
  }

 private:
  Executor ex_;
};

// The initiation of post, dispatch and defer with no executor: the handler's
// own associated executor (system_executor by default) is used.
template <submit_kind Kind>
class initiate_submit {
 public:
  template <typename Handler>
  void operator()(Handler&& handler) const {
    auto ex = get_associated_executor(handler);
    auto alloc = get_associated_allocator(handler);
    executor_submit<Kind>(ex, std::forward<Handler>(handler), alloc);
  }
};

}  // namespace rill::detail
