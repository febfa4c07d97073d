// rill/detail/socket_access.hpp - what rill's own operations may do to a
// socket object that its public interface (Asio's) does not offer.
#pragma once

#include <system_error>

namespace rill::detail {

struct socket_access {
  // Gives socket the descriptor an accept operation just took (see
  // reactive_socket_service_base::do_assign_accepted): as assign(), without
  // the checks a descriptor of unknown origin needs.
  template <typename Socket>
  static std::error_code assign_accepted(Socket& socket,
                                         const typename Socket::protocol_type& protocol,
                                         typename Socket::native_handle_type native,
                                         std::error_code& ec) {
    return socket.service_->assign_accepted(socket.impl_, protocol, native, ec);
  }
};

}  // namespace rill::detail
