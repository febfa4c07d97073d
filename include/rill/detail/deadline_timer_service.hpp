// rill/detail/deadline_timer_service.hpp - the timers of one clock in one context.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <thread>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/reactor.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/detail/timer_queue.hpp>
#include <rill/detail/wait_handler.hpp>
#include <rill/execution_context.hpp>

namespace rill::detail {

// Owns the timer queue of Clock for one execution context and registers it
// with the context's reactor. A timer object holds an implementation_type.
template <typename Clock, typename WaitTraits>
class deadline_timer_service final
    : public execution_context_service_base<deadline_timer_service<Clock, WaitTraits>> {
 public:
  using time_point = typename Clock::time_point;
  using duration = typename Clock::duration;
  using queue_type = timer_queue<Clock, WaitTraits>;

  struct implementation_type {
    time_point expiry{};
    bool might_have_pending_waits = false;
    typename queue_type::per_timer_data timer_data;
  };

  explicit deadline_timer_service(execution_context& ctx)
      : execution_context_service_base<deadline_timer_service>(ctx),
        scheduler_(use_service<scheduler>(ctx)),
        reactor_(use_service<reactor>(ctx)),
        queue_(ctx) {
    reactor_.add_timer_queue(queue_);
  }

  ~deadline_timer_service() override { reactor_.remove_timer_queue(queue_); }

  // Pending waits are collected and destroyed by the reactor's shutdown.
  void shutdown() override {}

  void construct(implementation_type& impl) {
    impl.expiry = time_point();
    impl.might_have_pending_waits = false;
  }

  void destroy(implementation_type& impl) { cancel(impl); }

  void move_construct(implementation_type& impl, implementation_type& other) {
    std::lock_guard lock(reactor_.timer_mutex());
    impl.expiry = other.expiry;
    impl.might_have_pending_waits = std::exchange(other.might_have_pending_waits, false);
    queue_.move_timer(impl.timer_data, other.timer_data);
  }

  std::size_t cancel(implementation_type& impl) {
    if (!impl.might_have_pending_waits) return 0;
    if (!queue_type::has_waits(impl.timer_data)) {
      impl.might_have_pending_waits = false;
      return 0;
    }
    op_queue<operation> ops;
    std::size_t n = 0;
    {
      std::lock_guard lock(reactor_.timer_mutex());
      n = queue_.cancel_timer(impl.timer_data, ops);
    }
    impl.might_have_pending_waits = false;
    scheduler_.post_deferred_completions(ops);
    return n;
  }

  // Cancels the one wait installed with key (per-operation cancellation).
  std::size_t cancel_by_key(typename queue_type::per_timer_data& timer_data, void* key) {
    op_queue<operation> ops;
    std::size_t n = 0;
    {
      std::lock_guard lock(reactor_.timer_mutex());
      n = queue_.cancel_timer_by_key(timer_data, ops, key);
    }
    scheduler_.post_deferred_completions(ops);
    return n;
  }

  // The cancellation handler of a wait, as Asio's: it refers to the timer
  // object, which must therefore outlive any emit (after the wait completed,
  // the emit finds nothing and does nothing).
  class op_cancellation {
   public:
    op_cancellation(deadline_timer_service* service,
                    typename queue_type::per_timer_data* timer_data) noexcept
        : service_(service), timer_data_(timer_data) {}
    void operator()(cancellation_type type) {
      if ((type & (cancellation_type::terminal | cancellation_type::partial |
                   cancellation_type::total)) != cancellation_type::none) {
        service_->cancel_by_key(*timer_data_, this);
      }
    }

   private:
    deadline_timer_service* service_;
    typename queue_type::per_timer_data* timer_data_;
  };

  std::size_t cancel_one(implementation_type& impl) {
    if (!impl.might_have_pending_waits) return 0;
    op_queue<operation> ops;
    std::size_t n = 0;
    {
      std::lock_guard lock(reactor_.timer_mutex());
      n = queue_.cancel_timer(impl.timer_data, ops, 1);
    }
    if (n == 0) impl.might_have_pending_waits = false;
    scheduler_.post_deferred_completions(ops);
    return n;
  }

  // Sets the expiry, cancelling pending waits; returns how many.
  std::size_t expires_at(implementation_type& impl, const time_point& expiry) {
    const std::size_t n = cancel(impl);
    impl.expiry = expiry;
    return n;
  }

  // Blocks until the expiry.
  void wait(implementation_type& impl) {
    for (;;) {
      const auto remaining = WaitTraits::to_wait_duration(impl.expiry);
      if (remaining <= duration::zero()) return;
      std::this_thread::sleep_for(std::min<duration>(remaining, std::chrono::seconds(1)));
    }
  }

  template <typename Handler, typename IoExecutor>
  void async_wait(implementation_type& impl, Handler&& handler, const IoExecutor& io_ex) {
    using op_type = wait_handler<std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    cancellation_slot slot = handler_cancellation_slot(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex);
    // Installed before the timer lock is taken: emplace destroys the slot's
    // previous handler, whose destructor may do anything.
    if (slot.is_connected()) {
      op->cancellation_key_ = &slot.template emplace<op_cancellation>(this, &impl.timer_data);
    }
    impl.might_have_pending_waits = true;
    scheduler_.work_started_for_operation();
    std::lock_guard lock(reactor_.timer_mutex());
    if (queue_.enqueue_timer(impl.expiry, impl.timer_data, op)) reactor_.update_timeout_locked();
  }

 private:
  scheduler& scheduler_;
  reactor& reactor_;
  queue_type queue_;
};

}  // namespace rill::detail
