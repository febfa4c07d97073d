// rill/detail/reactive_socket_service.hpp - sockets on the epoll reactor.
#pragma once

#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/buffer.hpp>
#include <rill/detail/buffer_sequence_adapter.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/reactive_accept_ops.hpp>
#include <rill/detail/reactive_socket_ops.hpp>
#include <rill/detail/reactor.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/detail/socket_access.hpp>
#include <rill/detail/socket_ops.hpp>
#include <rill/error.hpp>
#include <rill/execution_context.hpp>
#include <rill/socket_base.hpp>

namespace rill::detail {

// The protocol-independent half: descriptor bookkeeping, options, and
// starting operations on the reactor (src/reactive_socket_service.cpp).
class reactive_socket_service_base {
 public:
  struct base_implementation_type {
    socket_ops::socket_type socket_ = socket_ops::invalid_socket;
    socket_ops::state_type state_ = 0;
    reactor::per_descriptor_data reactor_data_ = nullptr;
  };

  explicit reactive_socket_service_base(execution_context& ctx);

  void base_shutdown() {}
  void construct(base_implementation_type& impl) noexcept;
  void base_move_construct(base_implementation_type& impl,
                           base_implementation_type& other) noexcept;
  void base_move_assign(base_implementation_type& impl, reactive_socket_service_base& other_service,
                        base_implementation_type& other);
  // Closes the socket; pending operations complete with operation_aborted.
  void destroy(base_implementation_type& impl);

  [[nodiscard]] bool is_open(const base_implementation_type& impl) const noexcept {
    return impl.socket_ != socket_ops::invalid_socket;
  }

  std::error_code close(base_implementation_type& impl, std::error_code& ec);
  socket_ops::socket_type release(base_implementation_type& impl, std::error_code& ec);
  std::error_code cancel(base_implementation_type& impl, std::error_code& ec);

  bool at_mark(const base_implementation_type& impl, std::error_code& ec) const {
    return socket_ops::sockatmark(impl.socket_, ec);
  }
  std::size_t available(const base_implementation_type& impl, std::error_code& ec) const {
    return socket_ops::available(impl.socket_, ec);
  }
  std::error_code listen(base_implementation_type& impl, int backlog, std::error_code& ec) {
    socket_ops::listen(impl.socket_, backlog, ec);
    return ec;
  }
  std::error_code shutdown(base_implementation_type& impl, socket_base::shutdown_type what,
                           std::error_code& ec) {
    socket_ops::shutdown(impl.socket_, static_cast<int>(what), ec);
    return ec;
  }

  [[nodiscard]] bool non_blocking(const base_implementation_type& impl) const noexcept {
    return (impl.state_ & socket_ops::user_set_non_blocking) != 0;
  }
  std::error_code non_blocking(base_implementation_type& impl, bool mode, std::error_code& ec) {
    socket_ops::set_user_non_blocking(impl.socket_, impl.state_, mode, ec);
    return ec;
  }
  // The descriptor's own mode; rill keeps descriptors non-blocking, so this
  // reports true and only the user-visible mode above changes behaviour.
  [[nodiscard]] bool native_non_blocking(const base_implementation_type& impl) const noexcept {
    return (impl.state_ & socket_ops::internal_non_blocking) != 0;
  }
  std::error_code native_non_blocking(base_implementation_type& impl, bool mode,
                                      std::error_code& ec);

  std::error_code wait(base_implementation_type& impl, socket_base::wait_type w,
                       std::error_code& ec);

  template <typename Handler, typename IoExecutor>
  void async_wait(base_implementation_type& impl, socket_base::wait_type w, Handler&& handler,
                  const IoExecutor& io_ex) {
    using op_type = reactive_handler_op<wait_ready_op_base, std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex);
    int op_type_index = reactor::read_op;
    if (w == socket_base::wait_write) {
      op_type_index = reactor::write_op;
    } else if (w == socket_base::wait_error) {
      op_type_index = reactor::except_op;
    }
    start_op(impl, op_type_index, op, false, false);
  }

  // Stream and datagram data transfer without an endpoint.
  template <typename ConstBuffers>
  std::size_t send(base_implementation_type& impl, const ConstBuffers& buffers,
                   socket_base::message_flags flags, std::error_code& ec) {
    buffer_sequence_adapter<const_buffer, ConstBuffers> bufs(buffers);
    return socket_ops::sync_send(impl.socket_, impl.state_, bufs.buffers(), bufs.count(), flags,
                                 bufs.all_empty(), ec);
  }

  template <typename MutableBuffers>
  std::size_t receive(base_implementation_type& impl, const MutableBuffers& buffers,
                      socket_base::message_flags flags, std::error_code& ec) {
    buffer_sequence_adapter<mutable_buffer, MutableBuffers> bufs(buffers);
    return socket_ops::sync_recv(impl.socket_, impl.state_, bufs.buffers(), bufs.count(), flags,
                                 bufs.all_empty(), ec);
  }

  template <typename ConstBuffers, typename Handler, typename IoExecutor>
  void async_send(base_implementation_type& impl, const ConstBuffers& buffers,
                  socket_base::message_flags flags, Handler&& handler, const IoExecutor& io_ex) {
    using op_type =
        reactive_handler_op<send_op_base<ConstBuffers>, std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex,
                                              impl.socket_, impl.state_, buffers, flags);
    start_op(impl, reactor::write_op, op, false, true);
  }

  template <typename MutableBuffers, typename Handler, typename IoExecutor>
  void async_receive(base_implementation_type& impl, const MutableBuffers& buffers,
                     socket_base::message_flags flags, Handler&& handler, const IoExecutor& io_ex) {
    using op_type =
        reactive_handler_op<recv_op_base<MutableBuffers>, std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex,
                                              impl.socket_, impl.state_, buffers, flags);
    const int kind =
        (flags & socket_base::message_out_of_band) != 0 ? reactor::except_op : reactor::read_op;
    start_op(impl, kind, op, false, (flags & socket_base::message_out_of_band) == 0);
  }

 protected:
  // Starts op on the reactor, or completes it with bad_descriptor if the
  // socket is closed. Never invokes the handler inside this call.
  void start_op(base_implementation_type& impl, int op_type, reactor_op* op, bool is_continuation,
                bool allow_speculative);
  // Sets O_NONBLOCK again if the user cleared it; false (with ec) on failure.
  bool ensure_internal_non_blocking(base_implementation_type& impl, std::error_code& ec);
  std::error_code do_open(base_implementation_type& impl, int af, int type, int protocol,
                          std::error_code& ec);
  std::error_code do_assign(base_implementation_type& impl, int type,
                            socket_ops::socket_type native, std::error_code& ec);
  // A descriptor accept4 just returned (non-blocking, close-on-exec): a
  // socket epoll takes, and no dup of another, so unlike do_assign it needs
  // no check and no explicit removal from epoll when closed.
  std::error_code do_assign_accepted(base_implementation_type& impl, int type,
                                     socket_ops::socket_type native, std::error_code& ec);
  // Registers a descriptor made just now and sets impl's state (do_open,
  // do_assign_accepted). On failure impl stays closed; native is not closed.
  std::error_code adopt_fresh_socket(base_implementation_type& impl, int type,
                                     socket_ops::socket_type native, std::error_code& ec);
  void start_connect_op(base_implementation_type& impl, connect_op_base* op, const void* addr,
                        std::size_t addrlen);

  scheduler& scheduler_;
  reactor& reactor_;
};

// The protocol-specific half: endpoints and protocol objects.
template <typename Protocol>
class reactive_socket_service final
    : public execution_context_service_base<reactive_socket_service<Protocol>>,
      public reactive_socket_service_base {
 public:
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;
  using native_handle_type = socket_ops::socket_type;

  struct implementation_type : base_implementation_type {
    protocol_type protocol_ = endpoint_type().protocol();
  };

  explicit reactive_socket_service(execution_context& ctx)
      : execution_context_service_base<reactive_socket_service<Protocol>>(ctx),
        reactive_socket_service_base(ctx) {}

  void shutdown() override { base_shutdown(); }
  // The service's shutdown() above hides the base's socket shutdown(impl,
  // what, ec), which basic_socket::shutdown calls: bring it back.
  using reactive_socket_service_base::shutdown;

  void move_construct(implementation_type& impl, implementation_type& other) noexcept {
    base_move_construct(impl, other);
    impl.protocol_ = other.protocol_;
    other.protocol_ = endpoint_type().protocol();
  }

  void move_assign(implementation_type& impl, reactive_socket_service& other_service,
                   implementation_type& other) {
    base_move_assign(impl, other_service, other);
    impl.protocol_ = other.protocol_;
    other.protocol_ = endpoint_type().protocol();
  }

  std::error_code open(implementation_type& impl, const protocol_type& protocol,
                       std::error_code& ec) {
    if (!do_open(impl, protocol.family(), protocol.type(), protocol.protocol(), ec)) {
      impl.protocol_ = protocol;
    }
    return ec;
  }

  std::error_code assign(implementation_type& impl, const protocol_type& protocol,
                         native_handle_type native, std::error_code& ec) {
    if (!do_assign(impl, protocol.type(), native, ec)) impl.protocol_ = protocol;
    return ec;
  }

  // For accept operations (detail::socket_access): see do_assign_accepted.
  std::error_code assign_accepted(implementation_type& impl, const protocol_type& protocol,
                                  native_handle_type native, std::error_code& ec) {
    if (!do_assign_accepted(impl, protocol.type(), native, ec)) impl.protocol_ = protocol;
    return ec;
  }

  native_handle_type native_handle(implementation_type& impl) noexcept { return impl.socket_; }

  std::error_code bind(implementation_type& impl, const endpoint_type& endpoint,
                       std::error_code& ec) {
    socket_ops::bind(impl.socket_, endpoint.data(), endpoint.size(), ec);
    return ec;
  }

  template <typename Option>
  std::error_code set_option(implementation_type& impl, const Option& option, std::error_code& ec) {
    socket_ops::setsockopt(impl.socket_, impl.state_, option.level(impl.protocol_),
                           option.name(impl.protocol_), option.data(impl.protocol_),
                           option.size(impl.protocol_), ec);
    return ec;
  }

  template <typename Option>
  std::error_code get_option(const implementation_type& impl, Option& option,
                             std::error_code& ec) const {
    std::size_t size = option.size(impl.protocol_);
    socket_ops::getsockopt(impl.socket_, impl.state_, option.level(impl.protocol_),
                           option.name(impl.protocol_), option.data(impl.protocol_), &size, ec);
    if (!ec) option.resize(impl.protocol_, size);
    return ec;
  }

  template <typename IoControl>
  std::error_code io_control(implementation_type& impl, IoControl& command, std::error_code& ec) {
    socket_ops::ioctl(impl.socket_, impl.state_, static_cast<unsigned long>(command.name()),
                      static_cast<void*>(command.data()), ec);
    return ec;
  }

  endpoint_type local_endpoint(const implementation_type& impl, std::error_code& ec) const {
    endpoint_type endpoint;
    std::size_t size = endpoint.capacity();
    if (socket_ops::getsockname(impl.socket_, endpoint.data(), &size, ec) != 0) {
      return endpoint_type();
    }
    endpoint.resize(size);
    return endpoint;
  }

  endpoint_type remote_endpoint(const implementation_type& impl, std::error_code& ec) const {
    endpoint_type endpoint;
    std::size_t size = endpoint.capacity();
    if (socket_ops::getpeername(impl.socket_, endpoint.data(), &size, ec) != 0) {
      return endpoint_type();
    }
    endpoint.resize(size);
    return endpoint;
  }

  std::error_code connect(implementation_type& impl, const endpoint_type& peer,
                          std::error_code& ec) {
    socket_ops::sync_connect(impl.socket_, peer.data(), peer.size(), ec);
    return ec;
  }

  template <typename Handler, typename IoExecutor>
  void async_connect(implementation_type& impl, const endpoint_type& peer, Handler&& handler,
                     const IoExecutor& io_ex) {
    using op_type = reactive_handler_op<connect_op_base, std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op =
        allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex, impl.socket_);
    start_connect_op(impl, op, peer.data(), peer.size());
  }

  template <typename ConstBuffers>
  std::size_t send_to(implementation_type& impl, const ConstBuffers& buffers,
                      const endpoint_type& destination, socket_base::message_flags flags,
                      std::error_code& ec) {
    buffer_sequence_adapter<const_buffer, ConstBuffers> bufs(buffers);
    return socket_ops::sync_sendto(impl.socket_, impl.state_, bufs.buffers(), bufs.count(), flags,
                                   destination.data(), destination.size(), ec);
  }

  template <typename MutableBuffers>
  std::size_t receive_from(implementation_type& impl, const MutableBuffers& buffers,
                           endpoint_type& sender, socket_base::message_flags flags,
                           std::error_code& ec) {
    buffer_sequence_adapter<mutable_buffer, MutableBuffers> bufs(buffers);
    std::size_t addrlen = sender.capacity();
    const std::size_t n =
        socket_ops::sync_recvfrom(impl.socket_, impl.state_, bufs.buffers(), bufs.count(), flags,
                                  sender.data(), &addrlen, ec);
    if (!ec) sender.resize(addrlen);
    return n;
  }

  template <typename ConstBuffers, typename Handler, typename IoExecutor>
  void async_send_to(implementation_type& impl, const ConstBuffers& buffers,
                     const endpoint_type& destination, socket_base::message_flags flags,
                     Handler&& handler, const IoExecutor& io_ex) {
    using op_type = reactive_handler_op<sendto_op_base<ConstBuffers, endpoint_type>,
                                        std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex,
                                              impl.socket_, buffers, destination, flags);
    start_op(impl, reactor::write_op, op, false, true);
  }

  template <typename MutableBuffers, typename Handler, typename IoExecutor>
  void async_receive_from(implementation_type& impl, const MutableBuffers& buffers,
                          endpoint_type& sender, socket_base::message_flags flags,
                          Handler&& handler, const IoExecutor& io_ex) {
    using op_type = reactive_handler_op<recvfrom_op_base<MutableBuffers, endpoint_type>,
                                        std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex,
                                              impl.socket_, buffers, sender, flags);
    const int kind =
        (flags & socket_base::message_out_of_band) != 0 ? reactor::except_op : reactor::read_op;
    start_op(impl, kind, op, false, true);
  }

  // Accepts into peer (which must not be open).
  template <typename Socket>
  std::error_code accept(implementation_type& impl, Socket& peer, endpoint_type* peer_endpoint,
                         std::error_code& ec) {
    if (peer.is_open()) {
      ec = rill::error::already_open;
      return ec;
    }
    std::size_t addrlen = peer_endpoint != nullptr ? peer_endpoint->capacity() : 0;
    const socket_ops::socket_type s = socket_ops::sync_accept(
        impl.socket_, impl.state_, peer_endpoint != nullptr ? peer_endpoint->data() : nullptr,
        peer_endpoint != nullptr ? &addrlen : nullptr, ec);
    if (s == socket_ops::invalid_socket) return ec;
    if (peer_endpoint != nullptr) peer_endpoint->resize(addrlen);
    socket_access::assign_accepted(peer, impl.protocol_, s, ec);
    if (ec) {
      socket_ops::state_type state = 0;
      std::error_code ignored;
      socket_ops::close(s, state, true, ignored);
    }
    return ec;
  }

  template <typename Socket, typename Handler, typename IoExecutor>
  void async_accept(implementation_type& impl, Socket& peer, endpoint_type* peer_endpoint,
                    Handler&& handler, const IoExecutor& io_ex) {
    using op_type = accept_into_op<Socket, Protocol, std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op =
        allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex, impl.socket_,
                                    impl.state_, peer, impl.protocol_, peer_endpoint);
    if (peer.is_open()) {
      op->ec_ = rill::error::already_open;
      scheduler_.post_immediate(op, false);
      return;
    }
    start_op(impl, reactor::read_op, op, false, true);
  }

  template <typename Socket, typename Handler, typename IoExecutor>
  void async_move_accept(implementation_type& impl, const typename Socket::executor_type& peer_ex,
                         endpoint_type* peer_endpoint, Handler&& handler, const IoExecutor& io_ex) {
    using op_type = move_accept_op<Socket, Protocol, std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op =
        allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex, impl.socket_,
                                    impl.state_, peer_ex, impl.protocol_, peer_endpoint);
    start_op(impl, reactor::read_op, op, false, true);
  }
};

}  // namespace rill::detail
