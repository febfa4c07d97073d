// rill/io_context.hpp - the event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include <rill/backend.hpp>
#include <rill/detail/basic_scheduler_executor.hpp>
#include <rill/detail/executor_op.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/execution_context.hpp>

// Concurrency hints, with Asio's values. rill's scheduler is always
// thread-safe; the hint is recorded and reported but does not disable locking.
#define RILL_CONCURRENCY_HINT_DEFAULT -1
#define RILL_CONCURRENCY_HINT_SAFE 0x70000u
#define RILL_CONCURRENCY_HINT_UNSAFE 0x70001u
#define RILL_CONCURRENCY_HINT_UNSAFE_IO 0x70002u
#define RILL_CONCURRENCY_HINT_1 1

namespace rill {

// Runs handlers: the threads that call run(), run_one(), poll() ... are the
// threads in which the handlers posted to it are invoked. As in Asio, run()
// returns when there is no more work (no queued handler, no outstanding work
// such as an executor_work_guard) or when stop() is called; an exception
// thrown by a handler propagates out of run(), which may then be called again.
class io_context : public execution_context {
 public:
  // The executor type is shared with thread_pool (one implementation of the
  // executor surface over detail::scheduler).
  template <typename Allocator, unsigned int Bits>
  using basic_executor_type = detail::basic_scheduler_executor<io_context, Allocator, Bits>;
  using executor_type = basic_executor_type<std::allocator<void>, 0>;
  using count_type = std::size_t;
  class service;
  // The legacy strand (rill/io_context_strand.hpp, also included by rill/strand.hpp).
  class strand;

  io_context() : io_context(RILL_CONCURRENCY_HINT_DEFAULT) {}
  explicit io_context(int concurrency_hint)
      : impl_(make_service<detail::scheduler>(*this, concurrency_hint)) {}
  // Chooses the I/O back end (rill/backend.hpp); the other constructors
  // leave it automatic.
  explicit io_context(rill::backend b, int concurrency_hint = RILL_CONCURRENCY_HINT_DEFAULT)
      : impl_(make_service<detail::scheduler>(*this, concurrency_hint)) {
    impl_.set_requested_backend(b);
  }
  // As in Asio 1.35: the context's own state (services, the scheduler, the
  // reactor and its descriptor states, timer queues, signal registrations)
  // is allocated with a instead of the global heap. Operations still use
  // their handlers' allocators. See execution_context for what remains.
  template <typename Allocator>
  io_context(allocator_arg_t tag, const Allocator& a)
      : io_context(tag, a, RILL_CONCURRENCY_HINT_DEFAULT) {}
  template <typename Allocator>
  io_context(allocator_arg_t tag, const Allocator& a, int concurrency_hint)
      : execution_context(tag, a),
        impl_(make_service<detail::scheduler>(*this, concurrency_hint)) {}
  template <typename Allocator>
  io_context(allocator_arg_t tag, const Allocator& a, rill::backend b,
             int concurrency_hint = RILL_CONCURRENCY_HINT_DEFAULT)
      : execution_context(tag, a), impl_(make_service<detail::scheduler>(*this, concurrency_hint)) {
    impl_.set_requested_backend(b);
  }
  // Destroys, without invoking, every handler that is still queued.
  ~io_context() = default;

  [[nodiscard]] executor_type get_executor() noexcept;

  // Runs handlers until there is no more work or the context is stopped.
  // Returns the number of handlers run.
  count_type run() { return impl_.run(); }
  // Runs at most one handler, blocking until one is ready.
  count_type run_one() { return impl_.run_one(); }

  template <typename Rep, typename Period>
  count_type run_for(const std::chrono::duration<Rep, Period>& rel_time) {
    return run_until(std::chrono::steady_clock::now() + rel_time);
  }

  template <typename Clock, typename Duration>
  count_type run_until(const std::chrono::time_point<Clock, Duration>& abs_time) {
    if constexpr (std::is_same_v<Clock, std::chrono::steady_clock>) {
      // One scheduler call for the whole run, not one per handler.
      return impl_.run_until(
          std::chrono::time_point_cast<std::chrono::steady_clock::duration>(abs_time));
    }
    count_type n = 0;
    while (run_one_until(abs_time) != 0) {
      if (n != static_cast<count_type>(-1)) ++n;
    }
    return n;
  }

  template <typename Rep, typename Period>
  count_type run_one_for(const std::chrono::duration<Rep, Period>& rel_time) {
    return run_one_until(std::chrono::steady_clock::now() + rel_time);
  }

  template <typename Clock, typename Duration>
  count_type run_one_until(const std::chrono::time_point<Clock, Duration>& abs_time) {
    // As in Asio, the deadline is checked before each handler, so a context
    // that always has work ready still returns on time. Waits are made on the
    // steady clock; other clocks are converted for each wait.
    auto now = Clock::now();
    while (now < abs_time) {
      const auto wait = std::chrono::ceil<std::chrono::steady_clock::duration>(abs_time - now);
      if (impl_.run_one_until(std::chrono::steady_clock::now() + wait) != 0) return 1;
      // Stopped (by stop() or for lack of work): return now, as Asio does,
      // instead of spinning until the deadline.
      if (impl_.stopped()) return 0;
      now = Clock::now();
    }
    return 0;
  }

  // Runs the handlers that are ready, without blocking.
  count_type poll() { return impl_.poll(); }
  count_type poll_one() { return impl_.poll_one(); }

  // Makes run() and friends return as soon as possible; queued handlers stay
  // queued until restart() and another run().
  void stop() { impl_.stop(); }
  [[nodiscard]] bool stopped() const noexcept { return impl_.stopped(); }
  void restart() { impl_.restart(); }

 private:
  friend struct detail::scheduler_access;

  detail::scheduler& impl_;
};

inline io_context::executor_type io_context::get_executor() noexcept {
  return executor_type(*this);
}

// Base for services that belong to an io_context, as Asio's.
class io_context::service : public execution_context::service {
 public:
  [[nodiscard]] io_context& get_io_context() noexcept {
    return static_cast<io_context&>(context());
  }

 protected:
  explicit service(io_context& owner) : execution_context::service(owner) {}
};

}  // namespace rill
