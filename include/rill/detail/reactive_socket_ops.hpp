// rill/detail/reactive_socket_ops.hpp - the socket operations the reactor runs.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include <cstddef>
#include <cstring>
#include <system_error>
#include <type_traits>
#include <utility>

#include <rill/associated_cancellation_slot.hpp>
#include <rill/buffer.hpp>
#include <rill/detail/buffer_sequence_adapter.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/handler_work.hpp>
#include <rill/detail/reactor_op.hpp>
#include <rill/detail/socket_ops.hpp>
#include <rill/error.hpp>

namespace rill::detail {

// Each operation is split in two: a "base" that knows the system call
// (perform, run by the reactor, maybe several times) and the generic
// reactive_handler_op that owns the handler and delivers the result.

// What a completed operation passes to its handler.
enum class completion_kind { ec, ec_bytes };

// The system calls of recv_op_base and send_op_base: recv/send on a socket.
// A descriptor that is not a socket (posix::stream_descriptor: pipes,
// terminals) uses the same operations with descriptor_ops::transfer, which
// calls read/write instead.
struct socket_transfer {
  static bool recv(socket_ops::socket_type s, iovec* bufs, std::size_t count, int flags,
                   bool is_stream, std::error_code& ec, std::size_t& bytes_transferred) {
    return socket_ops::non_blocking_recv(s, bufs, count, flags, is_stream, ec, bytes_transferred);
  }
  static bool send(socket_ops::socket_type s, const iovec* bufs, std::size_t count, int flags,
                   std::error_code& ec, std::size_t& bytes_transferred) {
    return socket_ops::non_blocking_send(s, bufs, count, flags, ec, bytes_transferred);
  }
};

// io_uring: takes a transfer's completion (bytes, or -errno) into op as the
// non-blocking system call would have reported it. not_done: the kernel
// would block (-EAGAIN: no fast poll for this file) or was interrupted; the
// reactor then waits for readiness.
inline reactor_op::status take_ring_transfer(reactor_op* op, int result) {
  if (result == -EAGAIN || result == -EWOULDBLOCK || result == -EINTR) {
    return reactor_op::status::not_done;
  }
  op->bytes_transferred_ = 0;
  op->ec_.clear();
  if (result >= 0) {
    op->bytes_transferred_ = static_cast<std::size_t>(result);
  } else if (result == -ECANCELED) {
    op->ec_ = rill::error::operation_aborted;
  } else {
    op->ec_ = std::error_code(-result, std::system_category());
  }
  return reactor_op::status::done;
}

// io_uring: whether a transfer of buffers with flags can go to the ring
// (exactly one non-empty buffer, no flags: anything else, a zero-length
// read, MSG_PEEK, several buffers, takes the readiness path, which behaves
// exactly as on epoll); if so, its iovec.
template <typename Buffers>
bool one_ring_buffer(const Buffers& buffers, int flags, iovec& iov) {
  if (flags != 0) return false;
  auto it = rill::buffer_sequence_begin(buffers);
  const auto end = rill::buffer_sequence_end(buffers);
  if (it == end) return false;
  const const_buffer b(*it);
  if (++it != end || b.size() == 0) return false;
  iov.iov_base = const_cast<void*>(b.data());
  iov.iov_len = b.size();
  return true;
}

template <typename MutableBuffers, typename Transfer = socket_transfer>
class recv_op_base : public reactor_op {
 public:
  static constexpr completion_kind kind = completion_kind::ec_bytes;

  recv_op_base(func_type complete_func, socket_ops::socket_type s, socket_ops::state_type state,
               const MutableBuffers& buffers, int flags)
      : reactor_op(&recv_op_base::do_perform, complete_func),
        socket_(s),
        state_(state),
        buffers_(buffers),
        flags_(flags) {
    // Receives on sockets may run on the ring (io_uring back end); reads of
    // other descriptors (pipes, terminals) keep to readiness.
    if constexpr (std::is_same_v<Transfer, socket_transfer>) {
      this->ring_prepare_ = &recv_op_base::do_ring_prepare;
      this->ring_complete_ = &recv_op_base::do_ring_complete;
    }
  }

  // One non-empty buffer and no flags (one_ring_buffer): IORING_OP_RECV.
  static bool do_ring_prepare(reactor_op* base, ring_io& io) {
    auto* op = static_cast<recv_op_base*>(base);
    iovec iov{};
    if (!one_ring_buffer(op->buffers_, op->flags_, iov)) return false;
    io = ring_io{op->socket_, iov.iov_base, iov.iov_len, 0};
    return true;
  }

  // The result as non_blocking_recv reports it: 0 bytes from a stream is
  // end of file.
  static status do_ring_complete(reactor_op* base, int result) {
    auto* op = static_cast<recv_op_base*>(base);
    const status s = take_ring_transfer(op, result);
    if (result == 0 && (op->state_ & socket_ops::stream_oriented) != 0) op->ec_ = rill::error::eof;
    return s;
  }

  static status do_perform(reactor_op* base) {
    auto* op = static_cast<recv_op_base*>(base);
    buffer_sequence_adapter<mutable_buffer, MutableBuffers> bufs(op->buffers_);
    const bool is_stream = (op->state_ & socket_ops::stream_oriented) != 0;
    // A stream read into no space completes at once with 0 bytes.
    if (is_stream && bufs.all_empty()) {
      op->ec_.clear();
      op->bytes_transferred_ = 0;
      return status::done;
    }
    return Transfer::recv(op->socket_, bufs.buffers(), bufs.count(), op->flags_, is_stream, op->ec_,
                          op->bytes_transferred_)
               ? status::done
               : status::not_done;
  }

 private:
  socket_ops::socket_type socket_;
  socket_ops::state_type state_;
  MutableBuffers buffers_;
  int flags_;
};

template <typename ConstBuffers, typename Transfer = socket_transfer>
class send_op_base : public reactor_op {
 public:
  static constexpr completion_kind kind = completion_kind::ec_bytes;

  send_op_base(func_type complete_func, socket_ops::socket_type s, socket_ops::state_type state,
               const ConstBuffers& buffers, int flags)
      : reactor_op(&send_op_base::do_perform, complete_func),
        socket_(s),
        state_(state),
        buffers_(buffers),
        flags_(flags) {
    if constexpr (std::is_same_v<Transfer, socket_transfer>) {
      this->ring_prepare_ = &send_op_base::do_ring_prepare;
      this->ring_complete_ = &take_ring_transfer;
    }
  }

  // One non-empty buffer and no flags (one_ring_buffer): IORING_OP_SEND
  // (with MSG_NOSIGNAL, as do_send: a closed peer gives EPIPE, not SIGPIPE).
  static bool do_ring_prepare(reactor_op* base, ring_io& io) {
    auto* op = static_cast<send_op_base*>(base);
    iovec iov{};
    if (!one_ring_buffer(op->buffers_, op->flags_, iov)) return false;
    io = ring_io{op->socket_, iov.iov_base, iov.iov_len, MSG_NOSIGNAL};
    return true;
  }

  static status do_perform(reactor_op* base) {
    auto* op = static_cast<send_op_base*>(base);
    buffer_sequence_adapter<const_buffer, ConstBuffers> bufs(op->buffers_);
    if ((op->state_ & socket_ops::stream_oriented) != 0 && bufs.all_empty()) {
      op->ec_.clear();
      op->bytes_transferred_ = 0;
      return status::done;
    }
    return Transfer::send(op->socket_, bufs.buffers(), bufs.count(), op->flags_, op->ec_,
                          op->bytes_transferred_)
               ? status::done
               : status::not_done;
  }

 private:
  socket_ops::socket_type socket_;
  socket_ops::state_type state_;
  ConstBuffers buffers_;
  int flags_;
};

template <typename MutableBuffers, typename Endpoint>
class recvfrom_op_base : public reactor_op {
 public:
  static constexpr completion_kind kind = completion_kind::ec_bytes;

  recvfrom_op_base(func_type complete_func, socket_ops::socket_type s,
                   const MutableBuffers& buffers, Endpoint& sender, int flags)
      : reactor_op(&recvfrom_op_base::do_perform, complete_func),
        socket_(s),
        buffers_(buffers),
        sender_(sender),
        flags_(flags) {
    this->ring_prepare_ = &recvfrom_op_base::do_ring_prepare;
    this->ring_complete_ = &recvfrom_op_base::do_ring_complete;
  }

  // One non-empty buffer and no flags (one_ring_buffer): IORING_OP_RECVMSG, the kernel
  // writing the sender's address into the endpoint. The message header
  // lives in the operation: the kernel reads it when it issues the request
  // and writes the address length back into it when it completes.
  static bool do_ring_prepare(reactor_op* base, ring_io& io) {
    auto* op = static_cast<recvfrom_op_base*>(base);
    if (!one_ring_buffer(op->buffers_, op->flags_, op->iov_)) return false;
    op->msg_ = msghdr{};
    op->msg_.msg_name = op->sender_.data();
    op->msg_.msg_namelen = static_cast<socklen_t>(op->sender_.capacity());
    op->msg_.msg_iov = &op->iov_;
    op->msg_.msg_iovlen = 1;
    io = ring_io{op->socket_, &op->msg_, 0, 0, ring_opcode::message};
    return true;
  }

  // The result as non_blocking_recvfrom reports it.
  static status do_ring_complete(reactor_op* base, int result) {
    auto* op = static_cast<recvfrom_op_base*>(base);
    const status s = take_ring_transfer(op, result);
    if (result >= 0) {
      op->sender_.resize(std::min<std::size_t>(op->msg_.msg_namelen, op->sender_.capacity()));
    }
    return s;
  }

  static status do_perform(reactor_op* base) {
    auto* op = static_cast<recvfrom_op_base*>(base);
    buffer_sequence_adapter<mutable_buffer, MutableBuffers> bufs(op->buffers_);
    std::size_t addrlen = op->sender_.capacity();
    const bool done = socket_ops::non_blocking_recvfrom(op->socket_, bufs.buffers(), bufs.count(),
                                                        op->flags_, op->sender_.data(), &addrlen,
                                                        op->ec_, op->bytes_transferred_);
    if (done && !op->ec_) op->sender_.resize(addrlen);
    return done ? status::done : status::not_done;
  }

 private:
  socket_ops::socket_type socket_;
  MutableBuffers buffers_;
  Endpoint& sender_;
  int flags_;
  msghdr msg_{};  // io_uring only
  iovec iov_{};
};

template <typename ConstBuffers, typename Endpoint>
class sendto_op_base : public reactor_op {
 public:
  static constexpr completion_kind kind = completion_kind::ec_bytes;

  sendto_op_base(func_type complete_func, socket_ops::socket_type s, const ConstBuffers& buffers,
                 const Endpoint& destination, int flags)
      : reactor_op(&sendto_op_base::do_perform, complete_func),
        socket_(s),
        buffers_(buffers),
        destination_(destination),
        flags_(flags) {
    this->ring_prepare_ = &sendto_op_base::do_ring_prepare;
    this->ring_complete_ = &take_ring_transfer;
  }

  // One non-empty buffer and no flags (one_ring_buffer): IORING_OP_SENDMSG to the operation's
  // copy of the destination (with MSG_NOSIGNAL, as do_send).
  static bool do_ring_prepare(reactor_op* base, ring_io& io) {
    auto* op = static_cast<sendto_op_base*>(base);
    if (!one_ring_buffer(op->buffers_, op->flags_, op->iov_)) return false;
    op->msg_ = msghdr{};
    op->msg_.msg_name = const_cast<sockaddr*>(op->destination_.data());
    op->msg_.msg_namelen = static_cast<socklen_t>(op->destination_.size());
    op->msg_.msg_iov = &op->iov_;
    op->msg_.msg_iovlen = 1;
    io = ring_io{op->socket_, &op->msg_, 0, MSG_NOSIGNAL, ring_opcode::message};
    return true;
  }

  static status do_perform(reactor_op* base) {
    auto* op = static_cast<sendto_op_base*>(base);
    buffer_sequence_adapter<const_buffer, ConstBuffers> bufs(op->buffers_);
    return socket_ops::non_blocking_sendto(op->socket_, bufs.buffers(), bufs.count(), op->flags_,
                                           op->destination_.data(), op->destination_.size(),
                                           op->ec_, op->bytes_transferred_)
               ? status::done
               : status::not_done;
  }

 private:
  socket_ops::socket_type socket_;
  ConstBuffers buffers_;
  Endpoint destination_;
  int flags_;
  msghdr msg_{};  // io_uring only
  iovec iov_{};
};

class connect_op_base : public reactor_op {
 public:
  static constexpr completion_kind kind = completion_kind::ec;

  connect_op_base(func_type complete_func, socket_ops::socket_type s)
      : reactor_op(&connect_op_base::do_perform, complete_func), socket_(s) {}

  static status do_perform(reactor_op* base) {
    auto* op = static_cast<connect_op_base*>(base);
    return socket_ops::non_blocking_connect(op->socket_, op->ec_) ? status::done : status::not_done;
  }

  // io_uring: the connect goes to the ring (IORING_OP_CONNECT), one request
  // instead of connect (EINPROGRESS), a poll, poll and getsockopt. The
  // address is copied: the kernel reads it when it issues the request.
  void use_ring(const void* addr, std::size_t addrlen) noexcept {
    addrlen = std::min(addrlen, sizeof(address_));
    std::memcpy(&address_, addr, addrlen);
    address_size_ = static_cast<socklen_t>(addrlen);
    ring_prepare_ = &connect_op_base::do_ring_prepare;
    ring_complete_ = &connect_op_base::do_ring_complete;
  }

  static bool do_ring_prepare(reactor_op* base, ring_io& io) {
    auto* op = static_cast<connect_op_base*>(base);
    io = ring_io{op->socket_, &op->address_, op->address_size_, 0, ring_opcode::connect};
    return true;
  }

  static status do_ring_complete(reactor_op* base, int result) {
    auto* op = static_cast<connect_op_base*>(base);
    if (result == -EAGAIN) {
      // The ring did not try (a kernel without fast poll): connect here,
      // and if that is in progress, wait for writability as on epoll.
      return socket_ops::start_connect(op->socket_, &op->address_, op->address_size_, op->ec_)
                 ? status::done
                 : status::not_done;
    }
    if (result == -EINPROGRESS || result == -EALREADY || result == -EINTR) {
      // The kernel's connect is under way but the ring did not wait for it
      // (it ran on a worker): wait for writability, then ask for the
      // result (poll, SO_ERROR). Connecting again would report EALREADY.
      return status::not_done;
    }
    if (result >= 0) {
      op->ec_.clear();
    } else if (result == -ECANCELED) {
      op->ec_ = rill::error::operation_aborted;
    } else {
      op->ec_ = std::error_code(-result, std::system_category());
    }
    return status::done;
  }

 private:
  socket_ops::socket_type socket_;
  sockaddr_storage address_{};  // io_uring only
  socklen_t address_size_ = 0;
};

// socket.async_wait(): queued without speculation, done at the first event.
class wait_ready_op_base : public reactor_op {
 public:
  static constexpr completion_kind kind = completion_kind::ec;

  explicit wait_ready_op_base(func_type complete_func)
      : reactor_op(&wait_ready_op_base::do_perform, complete_func) {}

  static status do_perform(reactor_op* /*base*/) { return status::done; }
};

// The handler-owning half, shared by every base above.
template <typename OpBase, typename Handler, typename IoExecutor>
class reactive_handler_op final : public OpBase {
 public:
  template <typename H, typename... Args>
  reactive_handler_op(H&& handler, const IoExecutor& io_ex, Args&&... args)
      : OpBase(&reactive_handler_op::do_complete, std::forward<Args>(args)...),
        handler_(std::forward<H>(handler)),
        work_(handler_, io_ex) {
    // The reactor installs the cancellation handler when it starts the op.
    this->cancellation_slot_ = handler_cancellation_slot(handler_);
  }

  static void do_complete(void* owner, operation* base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<reactive_handler_op*>(base);
    // Copy out the results and the handler, free the operation, then invoke:
    // the handler may reuse the memory for its next operation.
    auto alloc = get_associated_allocator(op->handler_);
    handler_work<Handler, IoExecutor> work(std::move(op->work_));
    Handler handler(std::move(op->handler_));
    const std::error_code ec = op->ec_;
    const std::size_t bytes = op->bytes_transferred_;
    deallocate_operation(alloc, op);
    if (owner == nullptr) return;
    if constexpr (OpBase::kind == completion_kind::ec_bytes) {
      work.complete(handler, ec, bytes);
    } else {
      work.complete(handler, ec);
    }
  }

 private:
  Handler handler_;
  [[no_unique_address]] handler_work<Handler, IoExecutor> work_;
};

}  // namespace rill::detail
