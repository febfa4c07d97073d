// rill/detail/blocking_executor_op.hpp - a function object submitted with
// blocking.always: queued from the caller's stack, which waits for it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <system_error>
#include <utility>

#include <rill/detail/operation.hpp>

namespace rill::detail {

// Lives on the stack of the thread that calls execute(), so it needs no
// allocation: that thread waits until the operation has completed, or has
// been destroyed without running (its context shut down first).
template <typename Function>
class blocking_executor_op final : public operation {
 public:
  explicit blocking_executor_op(Function& f) noexcept
      : operation(&blocking_executor_op::do_complete), function_(f) {}

  void wait() {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [this] { return done_; });
  }

  static void do_complete(void* owner, operation* base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<blocking_executor_op*>(base);
    // The waiter may return (and pop the op off its stack) as soon as it
    // sees done_: the signal is the last use of op, also when the function
    // throws (the exception then leaves the context's run(), as in Asio).
    struct signal_on_exit {
      blocking_executor_op* op;
      ~signal_on_exit() {
        std::lock_guard lock(op->mutex_);
        op->done_ = true;
        op->done_cv_.notify_all();
      }
    } signal{op};
    if (owner != nullptr) std::move(op->function_)();
  }

 private:
  Function& function_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
};

}  // namespace rill::detail
