// rill/detail/basic_scheduler_executor.hpp - the executor of every context
// that runs on a detail::scheduler (io_context, thread_pool).
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include <rill/detail/blocking_executor_op.hpp>
#include <rill/detail/executor_op.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/execution/allocator.hpp>
#include <rill/execution/blocking.hpp>
#include <rill/execution/context.hpp>
#include <rill/execution/mapping.hpp>
#include <rill/execution/occupancy.hpp>
#include <rill/execution/outstanding_work.hpp>
#include <rill/execution/relationship.hpp>

namespace rill {
class thread_pool;
}  // namespace rill

namespace rill::detail {

// How an executor reaches its context's scheduler. A context grants access by
// befriending this struct and naming its scheduler impl_.
struct scheduler_access {
  template <typename Context>
  static scheduler& get(Context& ctx) noexcept {
    return ctx.impl_;
  }
  // The number of threads of a thread_pool (its occupancy).
  template <typename Context>
  static std::size_t thread_count(const Context& ctx) noexcept {
    return ctx.num_threads_.load(std::memory_order_relaxed);
  }
};

// An executor that submits function objects to the scheduler of a Context.
// io_context::basic_executor_type and thread_pool::basic_executor_type are
// this template, so both contexts share one implementation of the executor
// surface. Bits select properties as Asio's do: blocking.never (or, for a
// thread pool, blocking.always), relationship.continuation and
// outstanding_work.tracked; the allocator is the one require(ex,
// execution::allocator(a)) asked for. Requiring a property returns the
// executor type with other Bits, so every property is known statically.
template <typename Context, typename Allocator, unsigned int Bits>
class basic_scheduler_executor {
 public:
  basic_scheduler_executor(const basic_scheduler_executor& other) noexcept
      : target_(other.target_), allocator_(other.allocator_) {
    if constexpr ((Bits & outstanding_work_tracked) != 0) {
      if (target_ != nullptr) impl().work_started();
    }
  }

  basic_scheduler_executor(basic_scheduler_executor&& other) noexcept
      : target_(other.target_), allocator_(std::move(other.allocator_)) {
    if constexpr ((Bits & outstanding_work_tracked) != 0) other.target_ = nullptr;
  }

  ~basic_scheduler_executor() {
    if constexpr ((Bits & outstanding_work_tracked) != 0) {
      if (target_ != nullptr) impl().work_finished();
    }
  }

  basic_scheduler_executor& operator=(const basic_scheduler_executor& other) noexcept {
    if (this != &other) {
      basic_scheduler_executor tmp(other);
      swap(tmp);
    }
    return *this;
  }

  basic_scheduler_executor& operator=(basic_scheduler_executor&& other) noexcept {
    if (this != &other) {
      basic_scheduler_executor tmp(std::move(other));
      swap(tmp);
    }
    return *this;
  }

  [[nodiscard]] Context& context() const noexcept { return *target_; }

  // Properties, as Asio's io_context and thread_pool executors have them.
  // blocking.always is a thread pool's only: an io_context executor whose
  // caller does not run the context would wait forever.
  [[nodiscard]] constexpr auto require(execution::blocking_t::possibly_t /*p*/) const {
    return rebind<Allocator, Bits & ~blocking_mask>(allocator_);
  }
  [[nodiscard]] constexpr auto require(execution::blocking_t::never_t /*p*/) const {
    return rebind<Allocator, (Bits & ~blocking_mask) | blocking_never>(allocator_);
  }
  [[nodiscard]] constexpr auto require(
      execution::blocking_t::always_t /*p*/) const requires std::is_same_v<Context, thread_pool> {
    return rebind<Allocator, (Bits & ~blocking_mask) | blocking_always>(allocator_);
  }
  [[nodiscard]] constexpr auto require(execution::relationship_t::fork_t /*p*/) const {
    return rebind<Allocator, Bits & ~relationship_continuation>(allocator_);
  }
  [[nodiscard]] constexpr auto require(execution::relationship_t::continuation_t /*p*/) const {
    return rebind<Allocator, Bits | relationship_continuation>(allocator_);
  }
  [[nodiscard]] constexpr auto require(execution::outstanding_work_t::tracked_t /*p*/) const {
    return rebind<Allocator, Bits | outstanding_work_tracked>(allocator_);
  }
  [[nodiscard]] constexpr auto require(execution::outstanding_work_t::untracked_t /*p*/) const {
    return rebind<Allocator, Bits & ~outstanding_work_tracked>(allocator_);
  }
  template <typename OtherAllocator>
  [[nodiscard]] constexpr auto require(execution::allocator_t<OtherAllocator> a) const {
    return rebind<OtherAllocator, Bits>(a.value());
  }
  [[nodiscard]] constexpr auto require(execution::allocator_t<void> /*p*/) const {
    return rebind<std::allocator<void>, Bits>(std::allocator<void>());
  }

  static constexpr execution::mapping_t query(execution::mapping_t /*p*/) noexcept {
    return execution::mapping.thread;
  }
  [[nodiscard]] Context& query(execution::context_t /*p*/) const noexcept { return *target_; }
  static constexpr execution::blocking_t query(execution::blocking_t /*p*/) noexcept {
    if constexpr ((Bits & blocking_never) != 0) {
      return execution::blocking.never;
    } else if constexpr ((Bits & blocking_always) != 0) {
      return execution::blocking.always;
    } else {
      return execution::blocking.possibly;
    }
  }
  static constexpr execution::relationship_t query(execution::relationship_t /*p*/) noexcept {
    if constexpr ((Bits & relationship_continuation) != 0) {
      return execution::relationship.continuation;
    } else {
      return execution::relationship.fork;
    }
  }
  static constexpr execution::outstanding_work_t query(
      execution::outstanding_work_t /*p*/) noexcept {
    if constexpr ((Bits & outstanding_work_tracked) != 0) {
      return execution::outstanding_work.tracked;
    } else {
      return execution::outstanding_work.untracked;
    }
  }
  template <typename OtherAllocator>
  [[nodiscard]] constexpr Allocator query(
      execution::allocator_t<OtherAllocator> /*p*/) const noexcept {
    return allocator_;
  }
  [[nodiscard]] constexpr Allocator query(execution::allocator_t<void> /*p*/) const noexcept {
    return allocator_;
  }
  // A thread pool's occupancy is its number of threads.
  [[nodiscard]] std::size_t query(
      execution::occupancy_t /*p*/) const noexcept requires std::is_same_v<Context, thread_pool> {
    return scheduler_access::thread_count(*target_);
  }

  // For type-erased wrappers (any_io_executor) that take a direct path to
  // the scheduler: the property bits this executor carries.
  static constexpr bool rill_blocking_never = (Bits & 1U) != 0;
  static constexpr bool rill_continuation = (Bits & 2U) != 0;
  static constexpr bool rill_tracked = (Bits & 4U) != 0;
  static constexpr bool rill_blocking_always = (Bits & 8U) != 0;

  // True when the calling thread is running the executor's context.
  [[nodiscard]] bool running_in_this_thread() const noexcept {
    return impl().running_in_this_thread();
  }

  void on_work_started() const noexcept { impl().work_started(); }
  void on_work_finished() const noexcept { impl().work_finished(); }

  // Runs f at once if the caller is inside the context and the executor may
  // block (the default); otherwise queues it. Memory for a queued f comes
  // from the executor's allocator.
  template <typename Function>
  void execute(Function&& f) const {
    if constexpr ((Bits & blocking_always) != 0) {
      execute_and_wait(std::forward<Function>(f));
      return;
    } else if constexpr ((Bits & blocking_never) == 0) {
      if (running_in_this_thread()) {
        std::decay_t<Function> tmp(std::forward<Function>(f));
        std::move(tmp)();
        return;
      }
    }
    impl().post_immediate(make_executor_op(std::forward<Function>(f), allocator_),
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
    impl().post_immediate(make_executor_op(std::forward<Function>(f), a), false);
  }

  // As post, but hints that f continues the caller, so it stays on this thread.
  template <typename Function, typename OtherAllocator>
  void defer(Function&& f, const OtherAllocator& a) const {
    impl().post_immediate(make_executor_op(std::forward<Function>(f), a), true);
  }

  friend bool operator==(const basic_scheduler_executor& a,
                         const basic_scheduler_executor& b) noexcept {
    return a.target_ == b.target_ && a.allocator_ == b.allocator_;
  }

 private:
  friend Context;
  template <typename, typename, unsigned int>
  friend class basic_scheduler_executor;

  enum : unsigned int {
    blocking_never = 1,
    relationship_continuation = 2,
    outstanding_work_tracked = 4,
    blocking_always = 8,
    blocking_mask = blocking_never | blocking_always,
  };

  explicit basic_scheduler_executor(Context& ctx, const Allocator& a = Allocator()) noexcept
      : target_(&ctx), allocator_(a) {
    if constexpr ((Bits & outstanding_work_tracked) != 0) impl().work_started();
  }

  [[nodiscard]] scheduler& impl() const noexcept { return scheduler_access::get(*target_); }

  template <typename OtherAllocator, unsigned int OtherBits>
  [[nodiscard]] basic_scheduler_executor<Context, OtherAllocator, OtherBits> rebind(
      const OtherAllocator& a) const {
    return basic_scheduler_executor<Context, OtherAllocator, OtherBits>(*target_, a);
  }

  // blocking.always: inside the pool the function runs at once; otherwise
  // it is queued from this stack (no allocation) and the caller waits.
  template <typename Function>
  void execute_and_wait(Function&& f) const {
    std::decay_t<Function> tmp(std::forward<Function>(f));
    if (running_in_this_thread()) {
      std::move(tmp)();
      return;
    }
    blocking_executor_op<std::decay_t<Function>> op(tmp);
    impl().post_immediate(&op, false);
    op.wait();
  }

  void swap(basic_scheduler_executor& other) noexcept {
    std::swap(target_, other.target_);
    std::swap(allocator_, other.allocator_);
  }

  Context* target_;
  [[no_unique_address]] Allocator allocator_;
};

}  // namespace rill::detail
