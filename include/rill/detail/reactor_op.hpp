// rill/detail/reactor_op.hpp - an operation that waits for readiness.
#pragma once

#include <cstddef>
#include <system_error>

#include <rill/cancellation_signal.hpp>
#include <rill/detail/operation.hpp>

namespace rill::detail {

// An asynchronous operation on a descriptor, run by the reactor: perform()
// tries the system call (non-blocking) and reports whether it is finished;
// the reactor retries it each time the descriptor becomes ready. Its result
// is kept in the operation until the scheduler runs its completion.
class reactor_op : public operation {
 public:
  enum class status { not_done, done };
  using perform_func_type = status (*)(reactor_op* op);

  status perform() { return perform_func_(this); }

  std::error_code ec_;
  std::size_t bytes_transferred_ = 0;

  // Per-operation cancellation. The handler-owning operation sets the slot
  // from its handler's associated cancellation slot when it is constructed;
  // epoll_reactor::start_op installs a cancellation handler in a connected
  // slot, and the key (that handler's address) finds this operation among
  // the queued ones when the handler runs.
  cancellation_slot cancellation_slot_;
  void* cancellation_key_ = nullptr;

 protected:
  reactor_op(perform_func_type perform_func, func_type complete_func) noexcept
      : operation(complete_func), perform_func_(perform_func) {}

 private:
  perform_func_type perform_func_;
};

}  // namespace rill::detail
