// rill/detail/basic_scheduler_executor.hpp - the executor of every context
// that runs on a detail::scheduler (io_context, thread_pool).
#pragma once

#include <type_traits>
#include <utility>

#include <rill/detail/executor_op.hpp>
#include <rill/detail/scheduler.hpp>

namespace rill::detail {

// How an executor reaches its context's scheduler. A context grants access by
// befriending this struct and naming its scheduler impl_.
struct scheduler_access {
  template <typename Context>
  static scheduler& get(Context& ctx) noexcept {
    return ctx.impl_;
  }
};

// An executor that submits function objects to the scheduler of a Context.
// io_context::basic_executor_type and thread_pool::basic_executor_type are
// this template, so both contexts share one implementation of the executor
// surface. Bits select properties as Asio's do: blocking.never,
// relationship.continuation and outstanding_work.tracked.
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

  // For type-erased wrappers (any_io_executor) that take a direct path to
  // the scheduler: the property bits this executor carries.
  static constexpr bool rill_blocking_never = (Bits & 1U) != 0;
  static constexpr bool rill_continuation = (Bits & 2U) != 0;
  static constexpr bool rill_tracked = (Bits & 4U) != 0;

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
    if constexpr ((Bits & blocking_never) == 0) {
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
  };

  explicit basic_scheduler_executor(Context& ctx, const Allocator& a = Allocator()) noexcept
      : target_(&ctx), allocator_(a) {
    if constexpr ((Bits & outstanding_work_tracked) != 0) impl().work_started();
  }

  [[nodiscard]] scheduler& impl() const noexcept { return scheduler_access::get(*target_); }

  void swap(basic_scheduler_executor& other) noexcept {
    std::swap(target_, other.target_);
    std::swap(allocator_, other.allocator_);
  }

  Context* target_;
  [[no_unique_address]] Allocator allocator_;
};

}  // namespace rill::detail
