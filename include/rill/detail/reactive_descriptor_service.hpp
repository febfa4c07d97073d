// rill/detail/reactive_descriptor_service.hpp - POSIX descriptors (pipes,
// terminals) on the epoll reactor.
#pragma once

#include <cstddef>
#include <system_error>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/buffer.hpp>
#include <rill/detail/buffer_sequence_adapter.hpp>
#include <rill/detail/descriptor_ops.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/reactive_socket_ops.hpp>
#include <rill/detail/reactive_socket_service.hpp>
#include <rill/detail/reactor.hpp>
#include <rill/detail/socket_ops.hpp>
#include <rill/execution_context.hpp>

namespace rill::detail {

// To the reactor a socket is just a descriptor, so a descriptor object
// shares the sockets' protocol-independent half: registration, close,
// release, cancel, the non-blocking modes, wait/async_wait and the start
// of operations (which makes the descriptor non-blocking first and goes
// through reactor::start_op, per-operation cancellation included).
// What differs is assign, which leaves the descriptor's flags alone as Asio
// does, and the transfer: read/write instead of recv/send, through the same
// reactor operations (recv_op_base / send_op_base with descriptor_ops).
class reactive_descriptor_service final
    : public execution_context_service_base<reactive_descriptor_service>,
      public reactive_socket_service_base {
 public:
  using native_handle_type = int;
  using implementation_type = base_implementation_type;

  explicit reactive_descriptor_service(execution_context& ctx);

  void shutdown() override { base_shutdown(); }

  void move_construct(implementation_type& impl, implementation_type& other) noexcept {
    base_move_construct(impl, other);
  }
  void move_assign(implementation_type& impl, reactive_descriptor_service& other_service,
                   implementation_type& other) {
    base_move_assign(impl, other_service, other);
  }

  // Takes ownership of native; fails with already_open if impl has one.
  std::error_code assign(implementation_type& impl, native_handle_type native, std::error_code& ec);

  [[nodiscard]] native_handle_type native_handle(const implementation_type& impl) const noexcept {
    return impl.socket_;
  }

  // Gives the descriptor up (-1 if none); pending operations are aborted.
  native_handle_type release(implementation_type& impl) {
    std::error_code ignored;
    return reactive_socket_service_base::release(impl, ignored);
  }

  template <typename IoControl>
  std::error_code io_control(implementation_type& impl, IoControl& command, std::error_code& ec) {
    socket_ops::ioctl(impl.socket_, impl.state_, static_cast<unsigned long>(command.name()),
                      static_cast<void*>(command.data()), ec);
    return ec;
  }

  template <typename MutableBuffers>
  std::size_t read_some(implementation_type& impl, const MutableBuffers& buffers,
                        std::error_code& ec) {
    buffer_sequence_adapter<mutable_buffer, MutableBuffers> bufs(buffers);
    return descriptor_ops::sync_read(impl.socket_, impl.state_, bufs.buffers(), bufs.count(),
                                     bufs.all_empty(), ec);
  }

  template <typename ConstBuffers>
  std::size_t write_some(implementation_type& impl, const ConstBuffers& buffers,
                         std::error_code& ec) {
    buffer_sequence_adapter<const_buffer, ConstBuffers> bufs(buffers);
    return descriptor_ops::sync_write(impl.socket_, impl.state_, bufs.buffers(), bufs.count(),
                                      bufs.all_empty(), ec);
  }

  template <typename MutableBuffers, typename Handler, typename IoExecutor>
  void async_read_some(implementation_type& impl, const MutableBuffers& buffers, Handler&& handler,
                       const IoExecutor& io_ex) {
    using op_type = reactive_handler_op<recv_op_base<MutableBuffers, descriptor_ops::transfer>,
                                        std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex,
                                              impl.socket_, impl.state_, buffers, 0);
    start_op(impl, reactor::read_op, op, false, true);
  }

  template <typename ConstBuffers, typename Handler, typename IoExecutor>
  void async_write_some(implementation_type& impl, const ConstBuffers& buffers, Handler&& handler,
                        const IoExecutor& io_ex) {
    using op_type = reactive_handler_op<send_op_base<ConstBuffers, descriptor_ops::transfer>,
                                        std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex,
                                              impl.socket_, impl.state_, buffers, 0);
    start_op(impl, reactor::write_op, op, false, true);
  }
};

}  // namespace rill::detail
