// rill/local/connect_pair.hpp - a connected pair of Unix domain sockets.
#pragma once

#include <sys/socket.h>

#include <system_error>

#include <rill/basic_socket.hpp>
#include <rill/detail/socket_ops.hpp>
#include <rill/detail/throw_error.hpp>

namespace rill::local {

// Creates two connected sockets (socketpair(2)) and gives one to each of
// socket1 and socket2, which must be closed.
template <typename Protocol, typename Executor1, typename Executor2>
std::error_code connect_pair(basic_socket<Protocol, Executor1>& socket1,
                             basic_socket<Protocol, Executor2>& socket2, std::error_code& ec) {
  const Protocol protocol;
  detail::socket_ops::socket_type sv[2];
  if (detail::socket_ops::socketpair(protocol.family(), protocol.type(), protocol.protocol(), sv,
                                     ec) != 0) {
    return ec;
  }
  if (socket1.assign(protocol, sv[0], ec)) {
    detail::socket_ops::state_type state = 0;
    std::error_code ignored;
    detail::socket_ops::close(sv[0], state, true, ignored);
    detail::socket_ops::close(sv[1], state, true, ignored);
    return ec;
  }
  if (socket2.assign(protocol, sv[1], ec)) {
    std::error_code ignored;
    socket1.close(ignored);
    detail::socket_ops::state_type state = 0;
    detail::socket_ops::close(sv[1], state, true, ignored);
    return ec;
  }
  return ec;
}

template <typename Protocol, typename Executor1, typename Executor2>
void connect_pair(basic_socket<Protocol, Executor1>& socket1,
                  basic_socket<Protocol, Executor2>& socket2) {
  std::error_code ec;
  connect_pair(socket1, socket2, ec);
  detail::throw_error(ec, "connect_pair");
}

}  // namespace rill::local
