// rill/basic_waitable_timer.hpp - a timer on a chrono clock.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/deadline_timer_service.hpp>
#include <rill/execution_context.hpp>
#include <rill/io_context.hpp>
#include <rill/wait_traits.hpp>

namespace rill {

// A timer that expires at a time point of Clock, as Asio's. Waits complete
// with no error at expiry, or with error::operation_aborted when the timer is
// cancelled, re-armed (expires_at/expires_after) or destroyed first. The
// memory of each asynchronous wait comes from the handler's associated
// allocator and is freed before the handler runs. Not thread-safe: one
// timer object must not be used from two threads at once.
template <typename Clock, typename WaitTraits = wait_traits<Clock>,
          typename Executor = any_io_executor>
class basic_waitable_timer {
  using service_type = detail::deadline_timer_service<Clock, WaitTraits>;

 public:
  using executor_type = Executor;
  using clock_type = Clock;
  using duration = typename Clock::duration;
  using time_point = typename Clock::time_point;
  using traits_type = WaitTraits;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_waitable_timer<Clock, WaitTraits, OtherExecutor>;
  };

  explicit basic_waitable_timer(const executor_type& ex)
      : executor_(ex), service_(&use_service<service_type>(ex.context())) {
    service_->construct(impl_);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context>
  explicit basic_waitable_timer(ExecutionContext& ctx)
      : basic_waitable_timer(executor_type(ctx.get_executor())) {}

  basic_waitable_timer(const executor_type& ex, const time_point& expiry)
      : basic_waitable_timer(ex) {
    service_->expires_at(impl_, expiry);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_waitable_timer(
      ExecutionContext& ctx, const time_point& expiry)
      : basic_waitable_timer(executor_type(ctx.get_executor()), expiry) {}

  basic_waitable_timer(const executor_type& ex, const duration& expiry) : basic_waitable_timer(ex) {
    expires_after(expiry);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_waitable_timer(
      ExecutionContext& ctx, const duration& expiry)
      : basic_waitable_timer(executor_type(ctx.get_executor()), expiry) {}

  // Moving transfers pending waits to the new object.
  basic_waitable_timer(basic_waitable_timer&& other)
      : executor_(other.executor_), service_(other.service_) {
    service_->construct(impl_);
    service_->move_construct(impl_, other.impl_);
  }

  basic_waitable_timer& operator=(basic_waitable_timer&& other) {
    if (this != &other) {
      service_->destroy(impl_);
      executor_ = other.executor_;
      service_ = other.service_;
      service_->construct(impl_);
      service_->move_construct(impl_, other.impl_);
    }
    return *this;
  }

  // From the same kind of object with another executor type, as in Asio
  // (used by as_default_on).
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_waitable_timer(
      basic_waitable_timer<Clock, WaitTraits, OtherExecutor>&& other)
      : executor_(other.executor_), service_(other.service_) {
    service_->construct(impl_);
    service_->move_construct(impl_, other.impl_);
  }

  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_waitable_timer& operator=(
      basic_waitable_timer<Clock, WaitTraits, OtherExecutor>&& other) {
    service_->destroy(impl_);
    executor_ = other.executor_;
    service_ = other.service_;
    service_->construct(impl_);
    service_->move_construct(impl_, other.impl_);
    return *this;
  }

  basic_waitable_timer(const basic_waitable_timer&) = delete;
  basic_waitable_timer& operator=(const basic_waitable_timer&) = delete;

  // Pending waits complete with operation_aborted.
  ~basic_waitable_timer() { service_->destroy(impl_); }

  [[nodiscard]] executor_type get_executor() noexcept { return executor_; }

  // Cancels every pending wait; returns how many.
  std::size_t cancel() { return service_->cancel(impl_); }
  // Cancels the oldest pending wait; returns 0 or 1.
  std::size_t cancel_one() { return service_->cancel_one(impl_); }

  [[nodiscard]] time_point expiry() const { return impl_.expiry; }

  // Sets the expiry time, cancelling pending waits; returns how many.
  std::size_t expires_at(const time_point& expiry) { return service_->expires_at(impl_, expiry); }

  // Sets the expiry relative to now, cancelling pending waits.
  std::size_t expires_after(const duration& expiry) {
    return service_->expires_at(impl_, add(Clock::now(), expiry));
  }

  // Blocks until the timer expires.
  void wait() { service_->wait(impl_); }
  void wait(std::error_code& ec) {
    ec.clear();
    service_->wait(impl_);
  }

  // Starts a wait. Completion signature: void(std::error_code).
  template <typename WaitToken = default_completion_token_t<executor_type>>
  decltype(auto) async_wait(WaitToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<WaitToken, void(std::error_code)>(initiate_async_wait(this), token);
  }

 private:
  class initiate_async_wait {
   public:
    explicit initiate_async_wait(basic_waitable_timer* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename WaitHandler>
    void operator()(WaitHandler&& handler) const {
      self_->service_->async_wait(self_->impl_, std::forward<WaitHandler>(handler),
                                  self_->executor_);
    }

   private:
    basic_waitable_timer* self_;
  };

  // now + d without overflow, saturating at the clock's limits as Asio does.
  static time_point add(const time_point& t, const duration& d) {
    const time_point epoch;
    if (t >= epoch) {
      if ((time_point::max)() - t < d) return (time_point::max)();
    } else if (-(t - (time_point::min)()) > d) {
      return (time_point::min)();
    }
    return t + d;
  }

  template <typename, typename, typename>
  friend class basic_waitable_timer;

  executor_type executor_;
  service_type* service_;
  typename service_type::implementation_type impl_;
};

}  // namespace rill
