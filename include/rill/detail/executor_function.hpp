// rill/detail/executor_function.hpp - a move-only, type-erased void() function
// object whose storage comes from a given allocator.
#pragma once

#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/detail/executor_op.hpp>
#include <rill/detail/operation.hpp>

namespace rill::detail {

// What a type-erased executor (any_io_executor) hands to the executor it
// wraps: the function object lives in an executor_op allocated through the
// caller's allocator, so the allocation contract (memory from the handler's
// allocator, freed before the call) holds across the erasure.
class executor_function {
 public:
  template <typename Function, typename Alloc>
  executor_function(Function&& f, const Alloc& a)
      : op_(make_executor_op(std::forward<Function>(f), a)) {}

  executor_function(executor_function&& other) noexcept : op_(std::exchange(other.op_, nullptr)) {}
  executor_function& operator=(executor_function&& other) noexcept {
    if (this != &other) {
      reset();
      op_ = std::exchange(other.op_, nullptr);
    }
    return *this;
  }
  executor_function(const executor_function&) = delete;
  executor_function& operator=(const executor_function&) = delete;

  ~executor_function() { reset(); }

  // Hands over the operation that holds the function (null if empty), for
  // executors that queue operations themselves (a strand): completing it
  // with a non-null owner frees, then calls; destroying it only frees.
  [[nodiscard]] operation* release() noexcept { return std::exchange(op_, nullptr); }

  // Frees the storage, then calls the function object (executor_op's order).
  void operator()() {
    if (operation* op = std::exchange(op_, nullptr)) {
      int invoke_marker = 0;
      op->complete(&invoke_marker, std::error_code(), 0);
    }
  }

 private:
  void reset() noexcept {
    if (operation* op = std::exchange(op_, nullptr)) op->destroy();
  }

  operation* op_;
};

}  // namespace rill::detail
