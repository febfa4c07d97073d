// rill/detail/wait_op.hpp - an operation waiting for a timer.
#pragma once

#include <system_error>

#include <rill/detail/operation.hpp>

namespace rill::detail {

// A timer wait: queued on its timer until the timer expires (ec_ stays
// clear) or the wait is cancelled (ec_ = operation_aborted).
class wait_op : public operation {
 public:
  std::error_code ec_;
  // The address of the cancellation handler installed for this wait, which
  // finds it among its timer's waits (per-operation cancellation).
  void* cancellation_key_ = nullptr;

 protected:
  explicit wait_op(func_type complete_func) noexcept : operation(complete_func) {}
};

}  // namespace rill::detail
