// rill/detail/handler_work.hpp - delivering a completion to the handler's executor.
#pragma once

#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/detail/bind_handler.hpp>
#include <rill/detail/executor_submit.hpp>
#include <rill/execution/outstanding_work.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/is_executor.hpp>
#include <rill/prefer.hpp>

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

// One unit of work on an executor, held by a pending operation, and the
// executor to deliver its handler through. Networking TS executors count it
// with on_work_started/on_work_finished, and need none when the operation
// takes the direct path (take_work false). Executors of the standard model
// are kept as prefer(ex, outstanding_work.tracked), as in Asio's
// handler_work; that copy holds the work until it is destroyed.
template <typename Executor, bool = rill::is_executor<Executor>::value>
class executor_work {
 public:
  executor_work(const Executor& ex, bool take_work)
      : executor_(take_work ? ex : kept_copy(ex)), owns_work_(take_work) {
    if (take_work) executor_.on_work_started();
  }

  executor_work(executor_work&& other) noexcept
      : executor_(std::move(other.executor_)), owns_work_(std::exchange(other.owns_work_, false)) {}
  executor_work& operator=(executor_work&&) = delete;

  ~executor_work() {
    if (owns_work_) executor_.on_work_finished();
  }

  [[nodiscard]] bool owns_work() const noexcept { return owns_work_; }

  // Dispatches f through the executor, then gives up the work.
  template <typename Function, typename Alloc>
  void dispatch(Function&& f, const Alloc& a) {
    executor_submit<submit_kind::dispatch>(executor_, std::forward<Function>(f), a);
    owns_work_ = false;
    executor_.on_work_finished();
  }

 private:
  // Without work the executor is not needed: an any_io_executor wrapping a
  // plain io_context executor is then not copied.
  static Executor kept_copy(const Executor& ex) {
    if constexpr (std::is_default_constructible_v<Executor>) {
      return Executor();
    } else {
      return ex;
    }
  }

  Executor executor_;
  bool owns_work_;
};

template <typename Executor>
class executor_work<Executor, false> {
 public:
  executor_work(const Executor& ex, bool /*take_work*/)
      : executor_(rill::prefer(ex, execution::outstanding_work.tracked)) {}

  [[nodiscard]] static constexpr bool owns_work() noexcept { return true; }

  template <typename Function, typename Alloc>
  void dispatch(Function&& f, const Alloc& a) {
    executor_submit<submit_kind::dispatch>(executor_, std::forward<Function>(f), a);
  }

 private:
  std::decay_t<prefer_result_t<const Executor&, const execution::outstanding_work_t::tracked_t&>>
      executor_;
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
      : work_(io_ex, !is_native(io_ex)) {}

  handler_work(handler_work&& other) noexcept = default;
  handler_work& operator=(handler_work&&) = delete;

  template <typename... Args>
  void complete(Handler& handler, Args&&... args) {
    if (!work_.owns_work()) {
      std::move(handler)(std::forward<Args>(args)...);
      return;
    }
    auto alloc = get_associated_allocator(handler);
    work_.dispatch(bind_handler(std::move(handler), std::forward<Args>(args)...), alloc);
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

  // Empty when the direct path is taken.
  executor_work<IoExecutor> work_;
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
      : work_(make_work(get_associated_executor(handler, io_ex), io_ex)) {}

  handler_work(handler_work&& other) noexcept = default;
  handler_work& operator=(handler_work&&) = delete;

  template <typename... Args>
  void complete(Handler& handler, Args&&... args) {
    if (!work_.owns_work()) {
      std::move(handler)(std::forward<Args>(args)...);
      return;
    }
    auto alloc = get_associated_allocator(handler);
    work_.dispatch(bind_handler(std::move(handler), std::forward<Args>(args)...), alloc);
  }

 private:
  static executor_work<executor_type> make_work(const executor_type& ex, const IoExecutor& io_ex) {
    const void* native = native_context_of(ex);
    return executor_work<executor_type>(ex,
                                        native == nullptr || native != native_context_of(io_ex));
  }

  executor_work<executor_type> work_;
};

}  // namespace rill::detail
