// rill/basic_signal_set.hpp - waiting for POSIX signals.
#pragma once

#include <concepts>
#include <system_error>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/signal_set_service.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>
#include <rill/execution_context.hpp>

namespace rill {

// A set of signal numbers to wait for, as Asio's basic_signal_set.
//
// - A signal of the set that arrives while no wait is pending is queued; the
//   next async_wait takes it at once. Queued signals are taken in ascending
//   order of number, one per wait; remove() discards those of its number.
// - The same signal may be in several sets, in one or several contexts:
//   each set gets it. Only signals registered through rill are shared so;
//   the program must not install its own handler (signal, sigaction) for
//   them. The signals must be unblocked in at least one thread.
// - add() installs a process-wide handler; when the last set holding the
//   signal removes it (remove, clear, destruction) its disposition returns
//   to SIG_DFL.
//
// A wait's memory comes from the handler's associated allocator and is
// freed before the handler runs. cancel() and destruction complete pending
// waits with error::operation_aborted; destroying the context first frees
// them without invoking. A pending wait counts as work: run() does not
// return while one is pending. Not thread-safe: one set must not be used
// from two threads at once.
template <typename Executor = any_io_executor>
class basic_signal_set {
  using service_type = detail::signal_set_service;

 public:
  using executor_type = Executor;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_signal_set<OtherExecutor>;
  };

  explicit basic_signal_set(const executor_type& ex)
      : executor_(ex), service_(&use_service<service_type>(ex.context())) {
    service_->construct(impl_);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context>
  explicit basic_signal_set(ExecutionContext& ctx)
      : basic_signal_set(executor_type(ctx.get_executor())) {}

  basic_signal_set(const executor_type& ex, int signal_number_1) : basic_signal_set(ex) {
    add(signal_number_1);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_signal_set(
      ExecutionContext& ctx, int signal_number_1)
      : basic_signal_set(executor_type(ctx.get_executor()), signal_number_1) {}

  basic_signal_set(const executor_type& ex, int signal_number_1, int signal_number_2)
      : basic_signal_set(ex) {
    add(signal_number_1);
    add(signal_number_2);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_signal_set(
      ExecutionContext& ctx, int signal_number_1, int signal_number_2)
      : basic_signal_set(executor_type(ctx.get_executor()), signal_number_1, signal_number_2) {}

  basic_signal_set(const executor_type& ex, int signal_number_1, int signal_number_2,
                   int signal_number_3)
      : basic_signal_set(ex) {
    add(signal_number_1);
    add(signal_number_2);
    add(signal_number_3);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_signal_set(
      ExecutionContext& ctx, int signal_number_1, int signal_number_2, int signal_number_3)
      : basic_signal_set(executor_type(ctx.get_executor()), signal_number_1, signal_number_2,
                         signal_number_3) {}

  // Asio's signal sets are neither copyable nor movable.
  basic_signal_set(const basic_signal_set&) = delete;
  basic_signal_set& operator=(const basic_signal_set&) = delete;

  // Removes every signal and cancels pending waits, as by cancel().
  ~basic_signal_set() { service_->destroy(impl_); }

  [[nodiscard]] executor_type get_executor() noexcept { return executor_; }

  // Adds a signal; adding one already in the set does nothing.
  void add(int signal_number) {
    std::error_code ec;
    service_->add(impl_, signal_number, ec);
    detail::throw_error(ec, "add");
  }
  std::error_code add(int signal_number, std::error_code& ec) {
    return service_->add(impl_, signal_number, ec);
  }

  // Removes a signal, discarding its queued notifications; removing one not
  // in the set does nothing.
  void remove(int signal_number) {
    std::error_code ec;
    service_->remove(impl_, signal_number, ec);
    detail::throw_error(ec, "remove");
  }
  std::error_code remove(int signal_number, std::error_code& ec) {
    return service_->remove(impl_, signal_number, ec);
  }

  // Removes every signal.
  void clear() {
    std::error_code ec;
    service_->clear(impl_, ec);
    detail::throw_error(ec, "clear");
  }
  std::error_code clear(std::error_code& ec) { return service_->clear(impl_, ec); }

  // Completes every pending wait with error::operation_aborted. Signals
  // already queued stay queued.
  void cancel() {
    std::error_code ec;
    service_->cancel(impl_, ec);
    detail::throw_error(ec, "cancel");
  }
  std::error_code cancel(std::error_code& ec) { return service_->cancel(impl_, ec); }

  // Waits for a signal of the set. Completion signature:
  // void(std::error_code, int signal_number).
  template <typename SignalToken>
  decltype(auto) async_wait(SignalToken&& token) {
    return async_initiate<SignalToken, void(std::error_code, int)>(initiate_async_wait(this),
                                                                   token);
  }

 private:
  class initiate_async_wait {
   public:
    using executor_type = Executor;

    explicit initiate_async_wait(basic_signal_set* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename SignalHandler>
    void operator()(SignalHandler&& handler) const {
      self_->service_->async_wait(self_->impl_, std::forward<SignalHandler>(handler),
                                  self_->executor_);
    }

   private:
    basic_signal_set* self_;
  };

  executor_type executor_;
  service_type* service_;
  typename service_type::implementation_type impl_;
};

}  // namespace rill
