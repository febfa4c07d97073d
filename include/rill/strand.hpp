// rill/strand.hpp - an executor adapter that runs function objects one at a
// time, in the order they were submitted.
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

#include <rill/detail/basic_scheduler_executor.hpp>
#include <rill/detail/executor_submit.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/detail/strand_executor_service.hpp>
#include <rill/execution/allocator.hpp>
#include <rill/execution/blocking.hpp>
#include <rill/execution/context.hpp>
#include <rill/execution/execute.hpp>
#include <rill/execution_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/prefer.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
#include <rill/system_context.hpp>

namespace rill {

template <typename Executor>
class strand;

namespace detail {
// What strand<Executor>::require(p) and prefer(p) return: the same strand
// on the adapted inner executor.
template <typename Executor, typename Property>
using strand_require_result_t =
    strand<std::decay_t<require_result_t<const Executor&, const Property&>>>;
template <typename Executor, typename Property>
using strand_prefer_result_t =
    strand<std::decay_t<prefer_result_t<const Executor&, const Property&>>>;
template <typename Property>
concept not_blocking_always = !std::is_convertible_v<Property, execution::blocking_t::always_t>;
}  // namespace detail

// Runs the function objects submitted to it on its inner executor, with two
// guarantees, as Asio's strand: no two of them run concurrently, and they run
// in the order in which they were submitted (post, dispatch, defer and
// execute alike). Copies of a strand are the same strand.
//
// Memory: each submitted function lives in an operation allocated through
// the submitter's allocator (the handler's associated allocator, or the
// recycling cache), queued intrusively and freed before the function runs.
// The strand's own state is allocated once, when the strand is made; on an
// io_context or thread_pool the invoker that runs the strand's batches lives
// inside that state, so submitting allocates nothing else.
template <typename Executor>
class strand {
 public:
  using inner_executor_type = Executor;

  // Only for default-constructible inner executors (system_executor).
  strand() requires std::default_initializable<Executor> : strand(Executor{}) {}

  // A new strand on the executor e.
  template <typename Executor1>
  requires(!std::is_same_v<Executor1, strand> &&
           std::is_convertible_v<const Executor1&, Executor>) explicit strand(const Executor1& e)
      : executor_(e), impl_(create_implementation(e)) {}

  strand(const strand& other) noexcept : executor_(other.executor_), impl_(other.impl_) {
    if (impl_ != nullptr) impl_->add_ref();
  }
  strand(strand&& other) noexcept
      : executor_(std::move(other.executor_)), impl_(std::exchange(other.impl_, nullptr)) {}

  // The same strand, seen through another (convertible) inner executor type.
  template <typename OtherExecutor>
  requires std::is_convertible_v<const OtherExecutor&, Executor> strand(
      const strand<OtherExecutor>& other)
  noexcept : executor_(other.executor_), impl_(other.impl_) {
    if (impl_ != nullptr) impl_->add_ref();
  }
  template <typename OtherExecutor>
  requires std::is_convertible_v<OtherExecutor&&, Executor> strand(strand<OtherExecutor>&& other)
  noexcept : executor_(std::move(other.executor_)), impl_(std::exchange(other.impl_, nullptr)) {}

  strand& operator=(const strand& other) noexcept {
    if (this != &other) {
      strand tmp(other);
      *this = std::move(tmp);
    }
    return *this;
  }
  strand& operator=(strand&& other) noexcept {
    if (this != &other) {
      executor_ = std::move(other.executor_);
      reset(std::exchange(other.impl_, nullptr));
    }
    return *this;
  }
  template <typename OtherExecutor>
  requires std::is_convertible_v<const OtherExecutor&, Executor> strand& operator=(
      const strand<OtherExecutor>& other) noexcept {
    return *this = strand(other);
  }
  template <typename OtherExecutor>
  requires std::is_convertible_v<OtherExecutor&&, Executor> strand& operator=(
      strand<OtherExecutor>&& other) noexcept {
    return *this = strand(std::move(other));
  }

  ~strand() { reset(nullptr); }

  [[nodiscard]] inner_executor_type get_inner_executor() const noexcept { return executor_; }

  // Properties are the inner executor's, as in Asio: query forwards (a
  // blocking.always inner executor is reported as blocking.possibly, since
  // a busy strand queues), and require/prefer return this same strand on
  // the adapted inner executor. blocking.always cannot be required.
  template <typename Property>
  requires can_query_v<const Executor&, const Property&>
  [[nodiscard]] decltype(auto) query(const Property& p) const
      noexcept(is_nothrow_query_v<const Executor&, const Property&>) {
    if constexpr (std::is_convertible_v<Property, execution::blocking_t>) {
      const execution::blocking_t result = rill::query(executor_, p);
      return result == execution::blocking.always
                 ? execution::blocking_t(execution::blocking.possibly)
                 : result;
    } else {
      return rill::query(executor_, p);
    }
  }

  template <typename Property>
  requires can_require_v<const Executor&, const Property&> && detail::not_blocking_always<Property>
  [[nodiscard]] auto require(const Property& p) const
      noexcept(is_nothrow_require_v<const Executor&, const Property&>)
          -> detail::strand_require_result_t<Executor, Property> {
    return detail::strand_require_result_t<Executor, Property>(rill::require(executor_, p), impl_);
  }

  template <typename Property>
  requires can_prefer_v<const Executor&, const Property&> && detail::not_blocking_always<Property>
  [[nodiscard]] auto prefer(const Property& p) const
      noexcept(is_nothrow_prefer_v<const Executor&, const Property&>)
          -> detail::strand_prefer_result_t<Executor, Property> {
    return detail::strand_prefer_result_t<Executor, Property>(rill::prefer(executor_, p), impl_);
  }

  // The inner executor's context.
  [[nodiscard]] execution_context& context() const noexcept { return executor_.context(); }

  // Work is counted by the inner executor.
  void on_work_started() const noexcept { executor_.on_work_started(); }
  void on_work_finished() const noexcept { executor_.on_work_finished(); }

  // Runs f at once if the caller is running in this strand and the inner
  // executor may block; otherwise queues it (memory from the inner
  // executor's allocator), and the strand, when idle, is executed by the
  // inner executor (so it may run inside this call when that executor would
  // run it at once, as Asio's does).
  template <typename Function>
  void execute(Function&& f) const {
    if (inner_may_block()) {
      if (running_in_this_thread()) {
        std::decay_t<Function> tmp(std::forward<Function>(f));
        std::move(tmp)();
        return;
      }
      // Not consumed when it returns false.
      if (try_run_inline(std::forward<Function>(f))) return;
    }
    submit<launch_kind::execute>(std::forward<Function>(f), inner_allocator());
  }

  // Runs f inside this call if the caller is running in this strand. Else f
  // is queued with memory from a, and an idle strand is dispatched to the
  // inner executor: on a thread running an io_context or thread_pool, f then
  // also runs inside this call, as in Asio.
  template <typename Function, typename Allocator>
  void dispatch(Function&& f, const Allocator& a) const {
    if (running_in_this_thread()) {
      std::decay_t<Function> tmp(std::forward<Function>(f));
      std::move(tmp)();
      return;
    }
    // Not consumed when it returns false.
    if (try_run_inline(std::forward<Function>(f))) return;
    submit<launch_kind::dispatch>(std::forward<Function>(f), a);
  }

  // Queues f with memory from a; never runs it inside this call.
  template <typename Function, typename Allocator>
  void post(Function&& f, const Allocator& a) const {
    submit<launch_kind::post>(std::forward<Function>(f), a);
  }

  // As post, hinting that f continues the caller: an idle strand is deferred
  // to the inner executor, which keeps it on this thread.
  template <typename Function, typename Allocator>
  void defer(Function&& f, const Allocator& a) const {
    submit<launch_kind::defer>(std::forward<Function>(f), a);
  }

  // True if the calling thread is running a function submitted to this
  // strand (or a copy of it).
  [[nodiscard]] bool running_in_this_thread() const noexcept {
    return impl_ != nullptr && impl_->running_in_this_thread();
  }

  // Two strands are equal when they are copies of one strand.
  friend bool operator==(const strand& a, const strand& b) noexcept { return a.impl_ == b.impl_; }

 private:
  template <typename>
  friend class strand;

  enum class launch_kind { post, dispatch, defer, execute };

  static constexpr bool inner_is_scheduler_executor =
      detail::is_scheduler_executor<Executor>::value;

  // The same strand state on another inner executor (require, prefer).
  strand(const Executor& ex, detail::strand_impl* impl) noexcept : executor_(ex), impl_(impl) {
    impl_->add_ref();
  }

  static detail::strand_impl* create_implementation(const Executor& ex) {
    if constexpr (requires { ex.context(); }) {
      execution_context& ctx = ex.context();
      return use_service<detail::strand_executor_service>(ctx).create_implementation();
    } else {
      execution_context& ctx = rill::query(ex, execution::context);
      return use_service<detail::strand_executor_service>(ctx).create_implementation();
    }
  }

  // Whether the inner executor may run a function inside execute(): unless
  // it says blocking.never, as in Asio.
  [[nodiscard]] bool inner_may_block() const noexcept {
    if constexpr (can_query_v<const Executor&, const execution::blocking_t&>) {
      return rill::query(executor_, execution::blocking) != execution::blocking.never;
    } else {
      return true;
    }
  }

  // What execute() allocates with: the inner executor's allocator.
  [[nodiscard]] auto inner_allocator() const noexcept {
    if constexpr (can_query_v<const Executor&, const execution::allocator_t<void>&>) {
      return rill::query(executor_, execution::allocator);
    } else {
      return std::allocator<void>();
    }
  }

  void reset(detail::strand_impl* impl) noexcept {
    if (impl_ != nullptr) impl_->release();
    impl_ = impl;
  }

  // On a thread running the inner io_context or thread_pool, an idle strand
  // runs f at once, without queuing it: an I/O completion dispatched to its
  // strand costs no allocation. (Asio queues f first and then dispatches
  // the strand, which runs it inline just the same.)
  template <typename Function>
  bool try_run_inline(Function&& f) const {
    if constexpr (inner_is_scheduler_executor) {
      detail::scheduler& sched = detail::scheduler_access::get(executor_.context());
      if (!sched.running_in_this_thread() || !impl_->try_acquire()) return false;
      // From here on *this may be destroyed by what runs.
      impl_->run_acquired_on_scheduler(std::forward<Function>(f), sched);
      return true;
    } else {
      return false;
    }
  }

  template <launch_kind Kind, typename Function, typename Allocator>
  void submit(Function&& f, const Allocator& a) const {
    // Allocated before the strand is touched: an allocator that throws
    // leaves the strand as it was.
    detail::operation* op = detail::make_strand_op(std::forward<Function>(f), a);
    if (op != nullptr && impl_->enqueue(op)) launch<Kind>(impl_);
  }

  // Starts a batch for the caller, which holds the idle strand impl (and one
  // reference to it, which the invoker takes over). Touches no member but
  // executor_ before the batch: a function run inline may destroy *this.
  template <launch_kind Kind>
  void launch(detail::strand_impl* impl) const {
    if constexpr (inner_is_scheduler_executor) {
      detail::scheduler& sched = detail::scheduler_access::get(executor_.context());
      if constexpr (Kind == launch_kind::dispatch || Kind == launch_kind::execute) {
        if ((Kind == launch_kind::dispatch || inner_may_block()) &&
            sched.running_in_this_thread()) {
          impl->run_on_scheduler(sched, false);
          return;
        }
      }
      constexpr bool continuation = Kind == launch_kind::defer ||
                                    (Kind == launch_kind::execute && Executor::rill_continuation);
      impl->schedule_on(sched, continuation);
    } else {
      detail::strand_invoker<Executor> invoker(impl, executor_);
      if constexpr (Kind == launch_kind::execute) {
        execution::execute(executor_, std::move(invoker));
      } else if constexpr (Kind == launch_kind::post) {
        detail::executor_submit<detail::submit_kind::post>(executor_, std::move(invoker),
                                                           std::allocator<void>());
      } else if constexpr (Kind == launch_kind::dispatch) {
        detail::executor_submit<detail::submit_kind::dispatch>(executor_, std::move(invoker),
                                                               std::allocator<void>());
      } else {
        detail::executor_submit<detail::submit_kind::defer>(executor_, std::move(invoker),
                                                            std::allocator<void>());
      }
    }
  }

  Executor executor_;
  detail::strand_impl* impl_;
};

// A new strand on the executor ex.
template <typename Executor>
requires detail::any_executor_kind<Executor>
[[nodiscard]] strand<Executor> make_strand(const Executor& ex) { return strand<Executor>(ex); }

// A new strand on ctx.get_executor().
template <typename ExecutionContext>
requires std::derived_from<ExecutionContext, execution_context>
[[nodiscard]] strand<typename ExecutionContext::executor_type> make_strand(ExecutionContext& ctx) {
  return strand<typename ExecutionContext::executor_type>(ctx.get_executor());
}

}  // namespace rill

// As in Asio, including both io_context.hpp and strand.hpp makes the legacy
// io_context::strand available; rill simply always provides it here.
#include <rill/io_context_strand.hpp>
