// rill/ip/udp.hpp - the UDP protocol over IPv4 or IPv6.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <rill/basic_datagram_socket.hpp>
#include <rill/ip/basic_endpoint.hpp>
#include <rill/ip/basic_resolver.hpp>

namespace rill::ip {

// A Protocol for sockets: the arguments of socket(2) (family(), type(),
// protocol()) and the types that go with them. A value is v4() or v6().
class udp {
 public:
  using endpoint = basic_endpoint<udp>;

  [[nodiscard]] static constexpr udp v4() noexcept { return udp(AF_INET); }
  [[nodiscard]] static constexpr udp v6() noexcept { return udp(AF_INET6); }

  [[nodiscard]] constexpr int type() const noexcept { return SOCK_DGRAM; }
  [[nodiscard]] constexpr int protocol() const noexcept { return IPPROTO_UDP; }
  [[nodiscard]] constexpr int family() const noexcept { return family_; }

  using socket = basic_datagram_socket<udp>;
  using resolver = basic_resolver<udp>;

  friend constexpr bool operator==(const udp&, const udp&) noexcept = default;

 private:
  constexpr explicit udp(int protocol_family) noexcept : family_(protocol_family) {}

  int family_;
};

}  // namespace rill::ip
