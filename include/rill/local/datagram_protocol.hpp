// rill/local/datagram_protocol.hpp - datagram-oriented Unix domain sockets.
#pragma once

#include <sys/socket.h>

#include <rill/basic_datagram_socket.hpp>
#include <rill/detail/config.hpp>
#include <rill/local/basic_endpoint.hpp>

namespace rill::local {

// A Protocol for sockets: AF_UNIX, SOCK_DGRAM.
class datagram_protocol {
 public:
  [[nodiscard]] constexpr int type() const noexcept { return SOCK_DGRAM; }
  [[nodiscard]] constexpr int protocol() const noexcept { return 0; }
  [[nodiscard]] constexpr int family() const noexcept { return AF_UNIX; }

  using endpoint = basic_endpoint<datagram_protocol>;
  using socket = basic_datagram_socket<datagram_protocol>;
};

}  // namespace rill::local
