#include <rill/detail/reactive_descriptor_service.hpp>

#include <rill/error.hpp>

namespace rill::detail {

reactive_descriptor_service::reactive_descriptor_service(execution_context& ctx)
    : execution_context_service_base<reactive_descriptor_service>(ctx),
      reactive_socket_service_base(ctx) {}

std::error_code reactive_descriptor_service::assign(implementation_type& impl,
                                                    native_handle_type native,
                                                    std::error_code& ec) {
  if (is_open(impl)) {
    ec = rill::error::already_open;
    return ec;
  }
  // A regular file is accepted though epoll cannot watch it, as in Asio.
  if (std::error_code rec = reactor_.register_descriptor(native, impl.reactor_data_, true)) {
    ec = rec;
    return ec;
  }
  impl.socket_ = native;
  // As Asio: the descriptor's flags stay as they are until the first
  // asynchronous operation makes it non-blocking (start_op), so assigning
  // a shared descriptor such as stdin changes nothing by itself. It may be
  // a dup of another, so close() must not rely on the kernel removing it
  // from epoll. Every descriptor is a stream: 0 bytes read is end of file.
  impl.state_ =
      static_cast<socket_ops::state_type>(socket_ops::possible_dup | socket_ops::stream_oriented);
  ec.clear();
  return ec;
}

}  // namespace rill::detail
