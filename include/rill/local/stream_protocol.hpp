// rill/local/stream_protocol.hpp - stream-oriented Unix domain sockets.
#pragma once

#include <sys/socket.h>

#include <rill/basic_socket_acceptor.hpp>
#include <rill/basic_stream_socket.hpp>
#include <rill/detail/config.hpp>
#include <rill/local/basic_endpoint.hpp>

namespace rill::local {

// A Protocol for sockets: AF_UNIX, SOCK_STREAM.
class stream_protocol {
 public:
  [[nodiscard]] constexpr int type() const noexcept { return SOCK_STREAM; }
  [[nodiscard]] constexpr int protocol() const noexcept { return 0; }
  [[nodiscard]] constexpr int family() const noexcept { return AF_UNIX; }

  using endpoint = basic_endpoint<stream_protocol>;
  using socket = basic_stream_socket<stream_protocol>;
  using acceptor = basic_socket_acceptor<stream_protocol>;
};

}  // namespace rill::local
