// rill/io_context.hpp - the event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

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
  template <typename Allocator, unsigned int Bits>
  class basic_executor_type;
  using executor_type = basic_executor_type<std::allocator<void>, 0>;
  using count_type = std::size_t;
  class service;

  io_context() : io_context(RILL_CONCURRENCY_HINT_DEFAULT) {}
  explicit io_context(int concurrency_hint)
      : impl_(make_service<detail::scheduler>(*this, concurrency_hint)) {}
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
  detail::scheduler& impl_;
};

// An executor that submits function objects to an io_context. Bits select
// properties as Asio's do: blocking.never, relationship.continuation and
// outstanding_work.tracked.
template <typename Allocator, unsigned int Bits>
class io_context::basic_executor_type {
 public:
  basic_executor_type(const basic_executor_type& other) noexcept
      : target_(other.target_), allocator_(other.allocator_) {
    if constexpr ((Bits & outstanding_work_tracked) != 0) {
      if (target_ != nullptr) target_->impl_.work_started();
    }
  }

  basic_executor_type(basic_executor_type&& other) noexcept
      : target_(other.target_), allocator_(std::move(other.allocator_)) {
    if constexpr ((Bits & outstanding_work_tracked) != 0) other.target_ = nullptr;
  }

  ~basic_executor_type() {
    if constexpr ((Bits & outstanding_work_tracked) != 0) {
      if (target_ != nullptr) target_->impl_.work_finished();
    }
  }

  basic_executor_type& operator=(const basic_executor_type& other) noexcept {
    if (this != &other) {
      basic_executor_type tmp(other);
      swap(tmp);
    }
    return *this;
  }

  basic_executor_type& operator=(basic_executor_type&& other) noexcept {
    if (this != &other) {
      basic_executor_type tmp(std::move(other));
      swap(tmp);
    }
    return *this;
  }

  [[nodiscard]] io_context& context() const noexcept { return *target_; }

  // True when the calling thread is running the executor's io_context.
  [[nodiscard]] bool running_in_this_thread() const noexcept {
    return target_->impl_.running_in_this_thread();
  }

  void on_work_started() const noexcept { target_->impl_.work_started(); }
  void on_work_finished() const noexcept { target_->impl_.work_finished(); }

  // Runs f at once if the caller is inside the context and the executor may
  // block (the default); otherwise queues it. Memory for a queued f comes
  // from the executor's allocator.
  template <typename Function>
  void execute(Function&& f) const {
    if constexpr ((Bits & blocking_never) == 0) {
      if (running_in_this_thread()) {
        std::decay_t<Function> tmp(std::forward<Function>(f));
        std::move(tmp)();
        return;
      }
    }
    target_->impl_.post_immediate(detail::make_executor_op(std::forward<Function>(f), allocator_),
                                  (Bits & relationship_continuation) != 0);
  }

  // Runs f inside this call if the caller is inside the context, otherwise
  // queues it with memory from a.
  template <typename Function, typename OtherAllocator>
  void dispatch(Function&& f, const OtherAllocator& a) const {
    if (running_in_this_thread()) {
      std::decay_t<Function> tmp(std::forward<Function>(f));
      std::move(tmp)();
      return;
    }
    post(std::forward<Function>(f), a);
  }

  // Queues f with memory from a; never runs it inside this call.
  template <typename Function, typename OtherAllocator>
  void post(Function&& f, const OtherAllocator& a) const {
    target_->impl_.post_immediate(detail::make_executor_op(std::forward<Function>(f), a), false);
  }

  // As post, but hints that f continues the caller, so it stays on this thread.
  template <typename Function, typename OtherAllocator>
  void defer(Function&& f, const OtherAllocator& a) const {
    target_->impl_.post_immediate(detail::make_executor_op(std::forward<Function>(f), a), true);
  }

  friend bool operator==(const basic_executor_type& a, const basic_executor_type& b) noexcept {
    return a.target_ == b.target_ && a.allocator_ == b.allocator_;
  }

 private:
  friend class io_context;
  template <typename, unsigned int>
  friend class basic_executor_type;

  enum : unsigned int {
    blocking_never = 1,
    relationship_continuation = 2,
    outstanding_work_tracked = 4,
  };

  explicit basic_executor_type(io_context& ctx, const Allocator& a = Allocator()) noexcept
      : target_(&ctx), allocator_(a) {
    if constexpr ((Bits & outstanding_work_tracked) != 0) target_->impl_.work_started();
  }

  void swap(basic_executor_type& other) noexcept {
    std::swap(target_, other.target_);
    std::swap(allocator_, other.allocator_);
  }

  io_context* target_;
  [[no_unique_address]] Allocator allocator_;
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
