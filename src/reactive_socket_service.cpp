#include <rill/detail/reactive_socket_service.hpp>

#include <sys/socket.h>

namespace rill::detail {

reactive_socket_service_base::reactive_socket_service_base(execution_context& ctx)
    : scheduler_(use_service<scheduler>(ctx)), reactor_(use_service<reactor>(ctx)) {}

void reactive_socket_service_base::construct(base_implementation_type& impl) noexcept {
  impl.socket_ = socket_ops::invalid_socket;
  impl.state_ = 0;
  impl.reactor_data_ = nullptr;
}

void reactive_socket_service_base::base_move_construct(base_implementation_type& impl,
                                                       base_implementation_type& other) noexcept {
  impl.socket_ = std::exchange(other.socket_, socket_ops::invalid_socket);
  impl.state_ = std::exchange(other.state_, socket_ops::state_type{0});
  impl.reactor_data_ = std::exchange(other.reactor_data_, nullptr);
}

void reactive_socket_service_base::base_move_assign(base_implementation_type& impl,
                                                    reactive_socket_service_base& /*other_service*/,
                                                    base_implementation_type& other) {
  destroy(impl);
  // The object takes other's executor and service with its descriptor (see
  // basic_socket's move assignment), so the descriptor stays registered
  // with other's reactor, where its pending operations also are, even when
  // that is another context: just take the registration, as Asio does.
  // (Registering it with this service's reactor instead would leave the
  // object's operations started on one reactor for a descriptor watched by
  // another, never to complete.)
  base_move_construct(impl, other);
}

void reactive_socket_service_base::destroy(base_implementation_type& impl) {
  if (impl.socket_ == socket_ops::invalid_socket) return;
  reactor_.deregister_descriptor(impl.socket_, impl.reactor_data_,
                                 (impl.state_ & socket_ops::possible_dup) == 0);
  std::error_code ignored;
  socket_ops::close(impl.socket_, impl.state_, true, ignored);
  construct(impl);
}

std::error_code reactive_socket_service_base::close(base_implementation_type& impl,
                                                    std::error_code& ec) {
  if (is_open(impl)) {
    reactor_.deregister_descriptor(impl.socket_, impl.reactor_data_,
                                   (impl.state_ & socket_ops::possible_dup) == 0);
    socket_ops::close(impl.socket_, impl.state_, false, ec);
  } else {
    ec.clear();
  }
  // Whatever close reported, the object no longer owns a descriptor, as in
  // Asio; a later open() starts afresh.
  construct(impl);
  return ec;
}

socket_ops::socket_type reactive_socket_service_base::release(base_implementation_type& impl,
                                                              std::error_code& ec) {
  if (!is_open(impl)) {
    ec = rill::error::bad_descriptor;
    return socket_ops::invalid_socket;
  }
  // Pending operations complete with operation_aborted; the descriptor
  // survives and belongs to the caller.
  reactor_.cancel_ops(impl.socket_, impl.reactor_data_);
  reactor_.deregister_and_keep(impl.socket_, impl.reactor_data_);
  const socket_ops::socket_type s = impl.socket_;
  construct(impl);
  ec.clear();
  return s;
}

std::error_code reactive_socket_service_base::cancel(base_implementation_type& impl,
                                                     std::error_code& ec) {
  if (!is_open(impl)) {
    ec = rill::error::bad_descriptor;
    return ec;
  }
  reactor_.cancel_ops(impl.socket_, impl.reactor_data_);
  ec.clear();
  return ec;
}

std::error_code reactive_socket_service_base::native_non_blocking(base_implementation_type& impl,
                                                                  bool mode, std::error_code& ec) {
  socket_ops::set_internal_non_blocking(impl.socket_, impl.state_, mode, ec);
  return ec;
}

std::error_code reactive_socket_service_base::wait(base_implementation_type& impl,
                                                   socket_base::wait_type w, std::error_code& ec) {
  switch (w) {
    case socket_base::wait_read:
      socket_ops::poll_read(impl.socket_, impl.state_, -1, ec);
      break;
    case socket_base::wait_write:
      socket_ops::poll_write(impl.socket_, impl.state_, -1, ec);
      break;
    case socket_base::wait_error:
      socket_ops::poll_error(impl.socket_, impl.state_, -1, ec);
      break;
    default:
      ec = rill::error::invalid_argument;
      break;
  }
  return ec;
}

bool reactive_socket_service_base::ensure_internal_non_blocking(base_implementation_type& impl,
                                                                std::error_code& ec) {
  if ((impl.state_ & socket_ops::internal_non_blocking) != 0) return true;
  return socket_ops::set_internal_non_blocking(impl.socket_, impl.state_, true, ec);
}

void reactive_socket_service_base::start_op(base_implementation_type& impl, int op_type,
                                            reactor_op* op, bool is_continuation,
                                            bool allow_speculative) {
  if (!is_open(impl)) {
    op->ec_ = rill::error::bad_descriptor;
    scheduler_.post_immediate(op, is_continuation);
    return;
  }
  // The user may have made the descriptor blocking (native_non_blocking
  // (false)); the reactor's system calls must never block, so make it
  // non-blocking again first, as Asio does.
  if (!ensure_internal_non_blocking(impl, op->ec_)) {
    scheduler_.post_immediate(op, is_continuation);
    return;
  }
  reactor_.start_op(op_type, impl.socket_, impl.reactor_data_, op, is_continuation,
                    allow_speculative);
}

namespace {
// The state bits a socket of this type carries.
socket_ops::state_type type_state(int type) noexcept {
  if (type == SOCK_STREAM) return socket_ops::stream_oriented;
  if (type == SOCK_DGRAM) return socket_ops::datagram_oriented;
  return 0;
}
}  // namespace

std::error_code reactive_socket_service_base::do_open(base_implementation_type& impl, int af,
                                                      int type, int protocol, std::error_code& ec) {
  if (is_open(impl)) {
    ec = rill::error::already_open;
    return ec;
  }
  const socket_ops::socket_type s = socket_ops::socket(af, type, protocol, ec);
  if (s == socket_ops::invalid_socket) return ec;
  if (adopt_fresh_socket(impl, type, s, ec)) {
    socket_ops::state_type state = 0;
    std::error_code ignored;
    socket_ops::close(s, state, true, ignored);
  }
  return ec;
}

std::error_code reactive_socket_service_base::adopt_fresh_socket(base_implementation_type& impl,
                                                                 int type,
                                                                 socket_ops::socket_type native,
                                                                 std::error_code& ec) {
  // Made just now (socket() or accept4()): epoll would take it, so no check
  // on io_uring; non-blocking already; no dup of another descriptor.
  if (std::error_code rec = reactor_.register_descriptor(native, impl.reactor_data_, false, true)) {
    ec = rec;
    return ec;
  }
  impl.socket_ = native;
  impl.state_ =
      static_cast<socket_ops::state_type>(socket_ops::internal_non_blocking | type_state(type));
  ec.clear();
  return ec;
}

std::error_code reactive_socket_service_base::do_assign(base_implementation_type& impl, int type,
                                                        socket_ops::socket_type native,
                                                        std::error_code& ec) {
  if (is_open(impl)) {
    ec = rill::error::already_open;
    return ec;
  }
  if (std::error_code rec = reactor_.register_descriptor(native, impl.reactor_data_)) {
    ec = rec;
    return ec;
  }
  impl.socket_ = native;
  // An assigned descriptor may be a dup of another: never let close()
  // rely on the kernel removing it from epoll.
  impl.state_ = static_cast<socket_ops::state_type>(socket_ops::possible_dup | type_state(type));
  // Keep the descriptor non-blocking inside, as for opened sockets.
  socket_ops::set_internal_non_blocking(native, impl.state_, true, ec);
  if (ec) {
    reactor_.deregister_and_keep(native, impl.reactor_data_);
    construct(impl);
  }
  return ec;
}

std::error_code reactive_socket_service_base::do_assign_accepted(base_implementation_type& impl,
                                                                 int type,
                                                                 socket_ops::socket_type native,
                                                                 std::error_code& ec) {
  if (is_open(impl)) {
    ec = rill::error::already_open;
    return ec;
  }
  return adopt_fresh_socket(impl, type, native, ec);
}

void reactive_socket_service_base::start_connect_op(base_implementation_type& impl,
                                                    connect_op_base* op, const void* addr,
                                                    std::size_t addrlen) {
  if (!is_open(impl)) {
    op->ec_ = rill::error::bad_descriptor;
    scheduler_.post_immediate(op, false);
    return;
  }
  // A blocking descriptor would make connect() block here (see start_op).
  if (!ensure_internal_non_blocking(impl, op->ec_)) {
    scheduler_.post_immediate(op, false);
    return;
  }
  if (reactor_.ring_operations()) {
    // io_uring: the kernel connects and reports the result in one request.
    op->use_ring(addr, addrlen);
    reactor_.start_op(reactor::write_op, impl.socket_, impl.reactor_data_, op, false, false);
    return;
  }
  if (socket_ops::start_connect(impl.socket_, addr, addrlen, op->ec_)) {
    // Connected (or failed) at once; the handler still runs from the queue.
    scheduler_.post_immediate(op, false);
    return;
  }
  op->ec_.clear();
  reactor_.start_op(reactor::write_op, impl.socket_, impl.reactor_data_, op, false, false);
}

}  // namespace rill::detail
