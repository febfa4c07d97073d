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

  // io_uring: an operation the ring can carry out itself (a receive into
  // one buffer, a receive_from, an accept) describes its system call here, and the reactor submits
  // it instead of polling for readiness and calling perform(). The kernel then writes into the
  // buffer directly: one io_uring_enter per transfer instead of recv (EAGAIN), a wait and recv
  // again.
  enum class ring_opcode : unsigned char {
    transfer,  // a receive (read queue) or a send (write queue) of one buffer
    accept,    // accept4 into data/addrlen (a sockaddr and its socklen_t), flags
    connect,   // connect to data (a sockaddr) of size bytes
    message,   // recvmsg (read queue) or sendmsg (write queue) of data (a msghdr), flags
  };
  struct ring_io {
    int descriptor;
    void* data;
    std::size_t size;
    int flags;
    ring_opcode opcode = ring_opcode::transfer;
    void* addrlen = nullptr;  // accept: a socklen_t in the operation, or null
  };
  // False: this operation cannot go to the ring now (use readiness).
  using ring_prepare_func_type = bool (*)(reactor_op* op, ring_io& io);
  // Takes the completion's result (bytes or -errno). not_done: the kernel
  // said it would block (-EAGAIN); the reactor then falls back to readiness.
  using ring_complete_func_type = status (*)(reactor_op* op, int result);
  ring_prepare_func_type ring_prepare_ = nullptr;
  ring_complete_func_type ring_complete_ = nullptr;

  std::error_code ec_;
  std::size_t bytes_transferred_ = 0;

  // Per-operation cancellation. The handler-owning operation sets the slot
  // from its handler's associated cancellation slot when it is constructed;
  // reactor::start_op installs a cancellation handler in a connected
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
