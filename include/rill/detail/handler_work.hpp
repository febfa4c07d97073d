// rill/detail/handler_work.hpp - delivering a completion to the handler's executor.
#pragma once

#include <optional>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/detail/bind_handler.hpp>
#include <rill/detail/executor_submit.hpp>
#include <rill/executor_work_guard.hpp>

namespace rill::detail {

// Held by an asynchronous operation from start to completion. A handler
// with no executor of its own is invoked directly by the I/O object's
// context. A handler with its own executor (bind_executor, a strand) keeps
// that executor's context busy while the operation is pending, and is then
// dispatched to it, as Asio's handler_work does.
template <typename Handler, typename IoExecutor>
class handler_work {
 public:
  handler_work(const Handler& /*handler*/, const IoExecutor& /*io_ex*/) noexcept {}

  template <typename... Args>
  void complete(Handler& handler, Args&&... args) {
    std::move(handler)(std::forward<Args>(args)...);
  }
};

template <typename Handler, typename IoExecutor>
requires has_own_executor<Handler, IoExecutor>
class handler_work<Handler, IoExecutor> {
 public:
  using executor_type = associated_executor_t<Handler, IoExecutor>;

  handler_work(const Handler& handler, const IoExecutor& io_ex)
      : work_(get_associated_executor(handler, io_ex)) {}

  template <typename... Args>
  void complete(Handler& handler, Args&&... args) {
    auto alloc = get_associated_allocator(handler);
    executor_submit<submit_kind::dispatch>(
        work_.get_executor(), bind_handler(std::move(handler), std::forward<Args>(args)...), alloc);
    work_.reset();
  }

 private:
  executor_work_guard<executor_type> work_;
};

}  // namespace rill::detail
