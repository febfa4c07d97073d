// rill/executor_work_guard.hpp - keeps an executor's context from running out of work.
#pragma once

#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>

#include <rill/associated_executor.hpp>
#include <rill/execution/executor.hpp>
#include <rill/execution/outstanding_work.hpp>
#include <rill/execution_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/prefer.hpp>

namespace rill {

// While a guard owns work, the executor's context counts one unit of
// outstanding work, so io_context::run() does not return for lack of work.
// Networking TS executors count it with on_work_started/on_work_finished.
template <typename Executor>
class executor_work_guard {
 public:
  using executor_type = Executor;

  explicit executor_work_guard(const executor_type& e) noexcept : executor_(e), owns_(true) {
    executor_.on_work_started();
  }

  executor_work_guard(const executor_work_guard& other) noexcept
      : executor_(other.executor_), owns_(other.owns_) {
    if (owns_) executor_.on_work_started();
  }

  executor_work_guard(executor_work_guard&& other) noexcept
      : executor_(std::move(other.executor_)), owns_(std::exchange(other.owns_, false)) {}

  executor_work_guard& operator=(const executor_work_guard&) = delete;

  ~executor_work_guard() {
    if (owns_) executor_.on_work_finished();
  }

  [[nodiscard]] executor_type get_executor() const noexcept { return executor_; }
  [[nodiscard]] bool owns_work() const noexcept { return owns_; }

  // Gives up the work; run() may then return once everything else is done.
  void reset() noexcept {
    if (owns_) {
      executor_.on_work_finished();
      owns_ = false;
    }
  }

 private:
  executor_type executor_;
  bool owns_;
};

// Executors of the standard-executors model hold the work in a copy
// obtained with prefer(ex, outstanding_work.tracked), as in Asio; one that
// cannot track work is just kept.
template <typename Executor>
requires(!is_executor<Executor>::value &&
         execution::executor<Executor>) class executor_work_guard<Executor> {
  using work_type = std::decay_t<
      prefer_result_t<const Executor&, const execution::outstanding_work_t::tracked_t&>>;

 public:
  using executor_type = Executor;

  explicit executor_work_guard(const executor_type& e) noexcept
      : executor_(e),
        work_(std::in_place, rill::prefer(executor_, execution::outstanding_work.tracked)) {}

  executor_work_guard(const executor_work_guard& other) noexcept
      : executor_(other.executor_), work_(other.work_) {}

  executor_work_guard(executor_work_guard&& other) noexcept
      : executor_(std::move(other.executor_)), work_(std::move(other.work_)) {
    other.work_.reset();
  }

  executor_work_guard& operator=(const executor_work_guard&) = delete;

  ~executor_work_guard() = default;

  [[nodiscard]] executor_type get_executor() const noexcept { return executor_; }
  [[nodiscard]] bool owns_work() const noexcept { return work_.has_value(); }

  void reset() noexcept { work_.reset(); }

 private:
  executor_type executor_;
  std::optional<work_type> work_;
};

template <typename Executor>
requires detail::any_executor_kind<Executor>
[[nodiscard]] executor_work_guard<Executor> make_work_guard(const Executor& ex) {
  return executor_work_guard<Executor>(ex);
}

template <typename ExecutionContext>
requires std::derived_from<ExecutionContext, execution_context>
[[nodiscard]] executor_work_guard<typename ExecutionContext::executor_type> make_work_guard(
    ExecutionContext& ctx) {
  return executor_work_guard<typename ExecutionContext::executor_type>(ctx.get_executor());
}

// The guard for the executor associated with t.
template <typename T>
requires(!detail::any_executor_kind<T> && !std::derived_from<T, execution_context>)
    [[nodiscard]] executor_work_guard<associated_executor_t<T>> make_work_guard(const T& t) {
  return executor_work_guard<associated_executor_t<T>>(get_associated_executor(t));
}

template <typename T, typename Executor>
requires detail::any_executor_kind<Executor>
[[nodiscard]] executor_work_guard<associated_executor_t<T, Executor>> make_work_guard(
    const T& t, const Executor& ex) {
  return executor_work_guard<associated_executor_t<T, Executor>>(get_associated_executor(t, ex));
}

template <typename T, typename ExecutionContext>
requires std::derived_from<ExecutionContext, execution_context>
[[nodiscard]] executor_work_guard<
    associated_executor_t<T, typename ExecutionContext::executor_type>>
make_work_guard(const T& t, ExecutionContext& ctx) {
  return executor_work_guard<associated_executor_t<T, typename ExecutionContext::executor_type>>(
      get_associated_executor(t, ctx));
}

}  // namespace rill
