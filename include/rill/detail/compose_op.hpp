// rill/detail/compose_op.hpp - the intermediate completion handler behind
// async_compose.
#pragma once

#include <cstddef>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/cancellation_state.hpp>
#include <rill/detail/base_from_cancellation_state.hpp>
#include <rill/detail/composed_op.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/is_executor.hpp>
#include <rill/system_executor.hpp>

namespace rill::detail {

// ---------------------------------------------------------------------------
// Outstanding work on the I/O executors of a composed operation.

// Keeps one I/O executor's context from running out of work while the
// composed operation is pending, as Asio's composed_work_guard. Executors
// with work counting (io_context's, thread_pool's) get a work guard, as do
// executors of the standard model (the guard holds prefer(ex,
// outstanding_work.tracked)); the system executor never runs out of work;
// anything else is just kept.
template <typename Executor>
class composed_work_guard {
 public:
  using executor_type = Executor;
  explicit composed_work_guard(const Executor& ex) noexcept : executor_(ex) {}
  void reset() noexcept {}
  [[nodiscard]] executor_type get_executor() const noexcept { return executor_; }

 private:
  Executor executor_;
};

template <typename Executor>
requires(requires(const Executor& ex) {
  ex.on_work_started();
  ex.on_work_finished();
} || execution::executor<Executor>) class composed_work_guard<Executor>
    : public executor_work_guard<Executor> {
 public:
  explicit composed_work_guard(const Executor& ex) noexcept : executor_work_guard<Executor>(ex) {}
};

template <>
class composed_work_guard<system_executor> {
 public:
  using executor_type = system_executor;
  explicit composed_work_guard(const system_executor& /*ex*/) noexcept {}
  void reset() noexcept {}
  [[nodiscard]] executor_type get_executor() const noexcept { return system_executor(); }
};

// The work of all I/O executors; the first one (system_executor if there is
// none) is the default executor of the composed operation.
template <typename... Executors>
class composed_work {
 public:
  using head_type = std::tuple_element_t<0, std::tuple<Executors..., system_executor>>;

  explicit composed_work(const Executors&... executors) noexcept : guards_(executors...) {}

  // Gives up the work on every executor: the operation is about to complete.
  void reset() noexcept {
    std::apply([](auto&... guard) { (guard.reset(), ...); }, guards_);
  }

  [[nodiscard]] head_type head_executor() const noexcept {
    if constexpr (sizeof...(Executors) == 0) {
      return system_executor();
    } else {
      return std::get<0>(guards_).get_executor();
    }
  }

 private:
  std::tuple<composed_work_guard<Executors>...> guards_;
};

// ---------------------------------------------------------------------------
// The operation.

template <typename... Signatures>
struct compose_signatures {};

template <typename Signature>
struct signature_args;
template <typename R, typename... Args>
struct signature_args<R(Args...)> {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct signature_args<R(Args...)&> : signature_args<R(Args...)> {};
template <typename R, typename... Args>
struct signature_args<R(Args...) &&> : signature_args<R(Args...)> {};
template <typename R, typename... Args>
struct signature_args<R(Args...) noexcept> : signature_args<R(Args...)> {};
template <typename R, typename... Args>
struct signature_args<R(Args...)& noexcept> : signature_args<R(Args...)> {};
template <typename R, typename... Args>
struct signature_args<R(Args...)&& noexcept> : signature_args<R(Args...)> {};

struct compose_access {
  template <typename Op, typename... Args>
  static void complete(Op& op, Args&&... args) {
    op.do_complete(std::forward<Args>(args)...);
  }
};

// One complete() overload per completion signature, taking the signature's
// argument types by value as Asio's does, so that self.complete(ec, 0)
// converts its arguments exactly as a call of the handler would.
template <typename Op, typename Signature>
class compose_completion;

template <typename Op, typename R, typename... Args>
class compose_completion<Op, R(Args...)> {
 public:
  void complete(Args... args) {
    compose_access::complete(static_cast<Op&>(*this), static_cast<Args&&>(args)...);
  }
};

template <typename Impl, typename Work, typename Handler, typename Signatures>
class compose_op;

// The `self` object of async_compose: the user's implementation, the work on
// the I/O executors and the final handler. The implementation resumes with
// self(args...) (self moved into an intermediate operation as its handler)
// and finishes with self.complete(args...).
//
// Its associated allocator is the final handler's, so each intermediate
// operation allocates through it; each of those frees its memory before it
// invokes self, so a composed operation of any number of steps holds one
// block at a time, and none when the final handler runs. Its associated
// executor is the handler's, defaulting to the first I/O executor, so every
// step runs where the handler would.
template <typename Impl, typename Work, typename Handler, typename... Signatures>
class compose_op<Impl, Work, Handler, compose_signatures<Signatures...>>
    : public composed_op_base<Handler>,
      public compose_completion<compose_op<Impl, Work, Handler, compose_signatures<Signatures...>>,
                                typename signature_args<Signatures>::type>... {
 public:
  using executor_type = associated_executor_t<Handler, typename Work::head_type>;
  using allocator_type = associated_allocator_t<Handler, std::allocator<void>>;

  template <typename I, typename W, typename H>
  compose_op(I&& impl, W&& work, H&& handler)
      : composed_op_base<Handler>(std::forward<H>(handler), enable_terminal_cancellation()),
        impl_(std::forward<I>(impl)),
        work_(std::forward<W>(work)) {}

  [[nodiscard]] executor_type get_executor() const noexcept {
    return get_associated_executor(this->handler_, work_.head_executor());
  }

  [[nodiscard]] allocator_type get_allocator() const noexcept {
    return get_associated_allocator(this->handler_, std::allocator<void>());
  }

  // Resumes the implementation, as impl(self, args...). The step that just
  // completed no longer listens for cancellation.
  template <typename... T>
  void operator()(T&&... t) {
    this->get_cancellation_state().slot().clear();
    impl_(*this, std::forward<T>(t)...);
  }

  // get_cancellation_state() (from the base) tells the implementation which
  // cancellation the handler's slot has requested; these re-attach to that
  // slot with other filters (by default terminal cancellation only), as in
  // Asio. Without a slot on the handler they do nothing.
  void reset_cancellation_state() {
    base_from_cancellation_state<Handler>::reset_cancellation_state(this->handler_);
  }

  template <typename Filter>
  void reset_cancellation_state(Filter&& filter) {
    base_from_cancellation_state<Handler>::reset_cancellation_state(this->handler_,
                                                                    std::forward<Filter>(filter));
  }

  template <typename InFilter, typename OutFilter>
  void reset_cancellation_state(InFilter&& in_filter, OutFilter&& out_filter) {
    base_from_cancellation_state<Handler>::reset_cancellation_state(
        this->handler_, std::forward<InFilter>(in_filter), std::forward<OutFilter>(out_filter));
  }

  using compose_completion<compose_op, typename signature_args<Signatures>::type>::complete...;

 private:
  friend struct compose_access;

  // Gives up the work on the I/O executors and invokes the handler, in the
  // calling thread, as Asio's does. When called from an intermediate
  // completion that thread is already the handler's executor's.
  template <typename... Args>
  void do_complete(Args&&... args) {
    work_.reset();
    composed_op_base<Handler>::complete(std::forward<Args>(args)...);
  }

  Impl impl_;
  Work work_;
};

// ---------------------------------------------------------------------------
// The initiation.

template <typename T>
decltype(auto) get_composed_io_executor(T&& io_object_or_executor) {
  if constexpr (any_executor_kind<std::decay_t<T>>) {
    return std::forward<T>(io_object_or_executor);
  } else {
    return io_object_or_executor.get_executor();
  }
}

template <typename Signatures, typename... Executors>
class initiate_compose {
 public:
  using executor_type = typename composed_work<Executors...>::head_type;

  template <typename... E>
  explicit initiate_compose(int /*tag*/, E&&... executors)
      : executors_(std::forward<E>(executors)...) {}

  [[nodiscard]] executor_type get_executor() const noexcept {
    if constexpr (sizeof...(Executors) == 0) {
      return system_executor();
    } else {
      return std::get<0>(executors_);
    }
  }

  template <typename Handler, typename Impl>
  void operator()(Handler&& handler, Impl&& impl) const {
    using work_type = composed_work<Executors...>;
    compose_op<std::decay_t<Impl>, work_type, std::decay_t<Handler>, Signatures>(
        std::forward<Impl>(impl), std::make_from_tuple<work_type>(executors_),
        std::forward<Handler>(handler))();
  }

 private:
  std::tuple<Executors...> executors_;
};

}  // namespace rill::detail
