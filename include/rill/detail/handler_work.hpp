// rill/detail/handler_work.hpp - delivering a completion to the handler's executor.
#pragma once

#include <type_traits>
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
class handler_work;

// An executor whose handlers may be invoked directly by the thread that runs
// its scheduler: a plain io_context (or thread pool) executor.
template <typename Executor>
concept scheduler_executor = requires {
  Executor::rill_tracked;
};

template <typename Handler, typename IoExecutor>
requires(!has_own_executor<Handler, IoExecutor> &&
         scheduler_executor<IoExecutor>) class handler_work<Handler, IoExecutor> {
 public:
  handler_work(const Handler& /*handler*/, const IoExecutor& /*io_ex*/) noexcept {}

  template <typename... Args>
  void complete(Handler& handler, Args&&... args) {
    std::move(handler)(std::forward<Args>(args)...);
  }
};

// A handler without an executor of its own, on an I/O object whose
// executor is something else (any_io_executor, a strand): the handler is
// dispatched through the I/O executor, as in Asio, and that executor's
// context is kept busy meanwhile. An any_io_executor that wraps a plain
// io_context executor takes the direct path at run time.
template <typename Handler, typename IoExecutor>
requires(!has_own_executor<Handler, IoExecutor> &&
         !scheduler_executor<IoExecutor>) class handler_work<Handler, IoExecutor> {
 public:
  handler_work(const Handler& /*handler*/, const IoExecutor& io_ex)
      : executor_(kept_copy(io_ex)), owns_work_(!is_native(io_ex)) {
    if (owns_work_) executor_.on_work_started();
  }

  handler_work(handler_work&& other) noexcept
      : executor_(std::move(other.executor_)), owns_work_(std::exchange(other.owns_work_, false)) {}
  handler_work& operator=(handler_work&&) = delete;

  ~handler_work() {
    if (owns_work_) executor_.on_work_finished();
  }

  template <typename... Args>
  void complete(Handler& handler, Args&&... args) {
    if (!owns_work_) {
      std::move(handler)(std::forward<Args>(args)...);
      return;
    }
    auto alloc = get_associated_allocator(handler);
    executor_submit<submit_kind::dispatch>(
        executor_, bind_handler(std::move(handler), std::forward<Args>(args)...), alloc);
    owns_work_ = false;
    executor_.on_work_finished();
  }

 private:
  // A plain io_context executor inside an any_io_executor: no copy is kept.
  static bool is_native(const IoExecutor& io_ex) noexcept {
    if constexpr (requires { io_ex.rill_native_context(); }) {
      return io_ex.rill_native_context() != nullptr;
    } else {
      return false;
    }
  }

  static IoExecutor kept_copy(const IoExecutor& io_ex) {
    if constexpr (std::is_default_constructible_v<IoExecutor>) {
      if (is_native(io_ex)) return IoExecutor();
    }
    return io_ex;
  }

  // Empty when the direct path is taken.
  IoExecutor executor_;
  bool owns_work_;
};

// The io_context whose own thread may invoke a handler bound to ex without
// going through ex: a plain io_context executor, or an any_io_executor
// wrapping one. Null for everything else (strands, pools, user executors).
template <typename Executor>
const void* native_context_of(const Executor& ex) noexcept {
  if constexpr (requires { ex.rill_native_context(); }) {
    return ex.rill_native_context();
  } else if constexpr (scheduler_executor<Executor>) {
    return &ex.context();
  } else {
    return nullptr;
  }
}

template <typename Handler, typename IoExecutor>
requires has_own_executor<Handler, IoExecutor>
class handler_work<Handler, IoExecutor> {
 public:
  using executor_type = associated_executor_t<Handler, IoExecutor>;

  // A handler whose executor is the very io_context that completes the
  // operation (a coroutine on its own context, bind_executor(ctx, h)) is
  // invoked directly: dispatching would run it inline anyway. Otherwise the
  // handler's executor is kept busy until the handler has been handed to it.
  handler_work(const Handler& handler, const IoExecutor& io_ex)
      : executor_(get_associated_executor(handler, io_ex)) {
    const void* native = native_context_of(executor_);
    if (native == nullptr || native != native_context_of(io_ex)) {
      executor_.on_work_started();
      owns_work_ = true;
    }
  }

  handler_work(handler_work&& other) noexcept
      : executor_(std::move(other.executor_)), owns_work_(std::exchange(other.owns_work_, false)) {}
  handler_work& operator=(handler_work&&) = delete;

  ~handler_work() {
    if (owns_work_) executor_.on_work_finished();
  }

  template <typename... Args>
  void complete(Handler& handler, Args&&... args) {
    if (!owns_work_) {
      std::move(handler)(std::forward<Args>(args)...);
      return;
    }
    auto alloc = get_associated_allocator(handler);
    executor_submit<submit_kind::dispatch>(
        executor_, bind_handler(std::move(handler), std::forward<Args>(args)...), alloc);
    owns_work_ = false;
    executor_.on_work_finished();
  }

 private:
  executor_type executor_;
  bool owns_work_ = false;
};

}  // namespace rill::detail
