// rill/detail/reactive_accept_ops.hpp - accepting connections.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <optional>
#include <system_error>
#include <utility>

#include <rill/associated_cancellation_slot.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/handler_work.hpp>
#include <rill/detail/reactor_op.hpp>
#include <rill/detail/socket_access.hpp>
#include <rill/detail/socket_ops.hpp>
#include <rill/error.hpp>

namespace rill::detail {

// Accepts one connection. The accepted descriptor is owned by the operation
// until it is handed to a socket object, so an operation destroyed at
// shutdown closes it instead of leaking it.
template <typename Endpoint>
class accept_op_base : public reactor_op {
 public:
  accept_op_base(func_type complete_func, socket_ops::socket_type s, socket_ops::state_type state,
                 Endpoint* peer_endpoint)
      : reactor_op(&accept_op_base::do_perform, complete_func),
        socket_(s),
        state_(state),
        peer_endpoint_(peer_endpoint) {
    this->ring_prepare_ = &accept_op_base::do_ring_prepare;
    this->ring_complete_ = &accept_op_base::do_ring_complete;
  }

  ~accept_op_base() {
    if (new_socket_ != socket_ops::invalid_socket) ::close(new_socket_);
  }
  accept_op_base(const accept_op_base&) = delete;
  accept_op_base& operator=(const accept_op_base&) = delete;

  static status do_perform(reactor_op* base) {
    auto* op = static_cast<accept_op_base*>(base);
    std::size_t addrlen = op->peer_endpoint_ != nullptr ? op->peer_endpoint_->capacity() : 0;
    socket_ops::socket_type s = socket_ops::invalid_socket;
    const bool done = socket_ops::non_blocking_accept(
        op->socket_, op->state_,
        op->peer_endpoint_ != nullptr ? op->peer_endpoint_->data() : nullptr,
        op->peer_endpoint_ != nullptr ? &addrlen : nullptr, op->ec_, s);
    if (done && !op->ec_) {
      op->new_socket_ = s;
      if (op->peer_endpoint_ != nullptr) op->peer_endpoint_->resize(addrlen);
    }
    return done ? status::done : status::not_done;
  }

  // io_uring: IORING_OP_ACCEPT with accept4's flags, the peer's address
  // written straight into the endpoint. One request instead of accept4
  // (EAGAIN), a poll and accept4 again.
  static bool do_ring_prepare(reactor_op* base, ring_io& io) {
    auto* op = static_cast<accept_op_base*>(base);
    io = ring_io{op->socket_, nullptr, 0, SOCK_CLOEXEC | SOCK_NONBLOCK, ring_opcode::accept};
    if (op->peer_endpoint_ != nullptr) {
      op->ring_addrlen_ = static_cast<socklen_t>(op->peer_endpoint_->capacity());
      io.data = op->peer_endpoint_->data();
      io.addrlen = &op->ring_addrlen_;
    }
    return true;
  }

  // The result as non_blocking_accept reports it: would block, or a
  // connection that went away before it was accepted (unless the user asked
  // to hear of those), is not done, and the operation then waits for
  // readiness.
  static status do_ring_complete(reactor_op* base, int result) {
    auto* op = static_cast<accept_op_base*>(base);
    if (result >= 0) {
      op->new_socket_ = result;
      if (op->peer_endpoint_ != nullptr) op->peer_endpoint_->resize(op->ring_addrlen_);
      op->ec_.clear();
      return status::done;
    }
    if (result == -EAGAIN || result == -EWOULDBLOCK || result == -EINTR) return status::not_done;
    if ((result == -ECONNABORTED || result == -EPROTO) &&
        (op->state_ & socket_ops::enable_connection_aborted) == 0) {
      return status::not_done;
    }
    op->ec_ = result == -ECANCELED ? std::error_code(rill::error::operation_aborted)
                                   : std::error_code(-result, std::system_category());
    return status::done;
  }

  // Hands the accepted descriptor to the caller.
  socket_ops::socket_type release_new_socket() noexcept {
    return std::exchange(new_socket_, socket_ops::invalid_socket);
  }

 private:
  socket_ops::socket_type socket_;
  socket_ops::state_type state_;
  Endpoint* peer_endpoint_;
  socket_ops::socket_type new_socket_ = socket_ops::invalid_socket;
  socklen_t ring_addrlen_ = 0;  // io_uring: the kernel writes the address's length here
};

// async_accept(peer, handler): the connection goes into an existing socket;
// completion signature void(error_code).
template <typename Socket, typename Protocol, typename Handler, typename IoExecutor>
class accept_into_op final : public accept_op_base<typename Protocol::endpoint> {
  using base = accept_op_base<typename Protocol::endpoint>;

 public:
  template <typename H>
  accept_into_op(H&& handler, const IoExecutor& io_ex, socket_ops::socket_type s,
                 socket_ops::state_type state, Socket& peer, const Protocol& protocol,
                 typename Protocol::endpoint* peer_endpoint)
      : base(&accept_into_op::do_complete, s, state, peer_endpoint),
        peer_(peer),
        protocol_(protocol),
        handler_(std::forward<H>(handler)),
        work_(handler_, io_ex) {
    this->cancellation_slot_ = handler_cancellation_slot(handler_);
  }

  static void do_complete(void* owner, operation* op_base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<accept_into_op*>(op_base);
    std::error_code ec = op->ec_;
    // Hand the descriptor to the peer socket before the memory is freed.
    if (owner != nullptr && !ec) {
      const socket_ops::socket_type s = op->release_new_socket();
      socket_access::assign_accepted(op->peer_, op->protocol_, s, ec);
      if (ec) {
        socket_ops::state_type state = 0;
        std::error_code ignored;
        socket_ops::close(s, state, true, ignored);
      }
    }
    auto alloc = get_associated_allocator(op->handler_);
    handler_work<Handler, IoExecutor> work(std::move(op->work_));
    Handler handler(std::move(op->handler_));
    deallocate_operation(alloc, op);
    if (owner != nullptr) work.complete(handler, ec);
  }

 private:
  Socket& peer_;
  Protocol protocol_;
  Handler handler_;
  [[no_unique_address]] handler_work<Handler, IoExecutor> work_;
};

// async_accept(handler): the connection comes back as a new socket object;
// completion signature void(error_code, Socket).
template <typename Socket, typename Protocol, typename Handler, typename IoExecutor>
class move_accept_op final : public accept_op_base<typename Protocol::endpoint> {
  using base = accept_op_base<typename Protocol::endpoint>;

 public:
  template <typename H>
  move_accept_op(H&& handler, const IoExecutor& io_ex, socket_ops::socket_type s,
                 socket_ops::state_type state, const typename Socket::executor_type& peer_ex,
                 const Protocol& protocol, typename Protocol::endpoint* peer_endpoint)
      : base(&move_accept_op::do_complete, s, state, peer_endpoint),
        peer_executor_(peer_ex),
        protocol_(protocol),
        handler_(std::forward<H>(handler)),
        work_(handler_, io_ex) {
    this->cancellation_slot_ = handler_cancellation_slot(handler_);
  }

  static void do_complete(void* owner, operation* op_base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<move_accept_op*>(op_base);
    std::error_code ec = op->ec_;
    std::optional<Socket> peer;
    if (owner != nullptr) {
      peer.emplace(op->peer_executor_);
      if (!ec) {
        const socket_ops::socket_type s = op->release_new_socket();
        socket_access::assign_accepted(*peer, op->protocol_, s, ec);
        if (ec) {
          socket_ops::state_type state = 0;
          std::error_code ignored;
          socket_ops::close(s, state, true, ignored);
        }
      }
    }
    auto alloc = get_associated_allocator(op->handler_);
    handler_work<Handler, IoExecutor> work(std::move(op->work_));
    Handler handler(std::move(op->handler_));
    deallocate_operation(alloc, op);
    if (owner != nullptr) work.complete(handler, ec, std::move(*peer));
  }

 private:
  typename Socket::executor_type peer_executor_;
  Protocol protocol_;
  Handler handler_;
  [[no_unique_address]] handler_work<Handler, IoExecutor> work_;
};

}  // namespace rill::detail
