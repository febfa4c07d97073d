// rill/ip/tcp.hpp - the TCP protocol over IPv4 or IPv6.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <rill/basic_socket_acceptor.hpp>
#include <rill/basic_stream_socket.hpp>
#include <rill/detail/socket_option.hpp>
#include <rill/ip/basic_endpoint.hpp>
#include <rill/ip/basic_resolver.hpp>

namespace rill::ip {

// A Protocol for sockets: the arguments of socket(2) (family(), type(),
// protocol()) and the types that go with them. A value is v4() or v6().
class tcp {
 public:
  using endpoint = basic_endpoint<tcp>;

  [[nodiscard]] static constexpr tcp v4() noexcept { return tcp(AF_INET); }
  [[nodiscard]] static constexpr tcp v6() noexcept { return tcp(AF_INET6); }

  [[nodiscard]] constexpr int type() const noexcept { return SOCK_STREAM; }
  [[nodiscard]] constexpr int protocol() const noexcept { return IPPROTO_TCP; }
  [[nodiscard]] constexpr int family() const noexcept { return family_; }

  using socket = basic_stream_socket<tcp>;
  using acceptor = basic_socket_acceptor<tcp>;
  using resolver = basic_resolver<tcp>;

  // TCP_NODELAY: send small segments at once instead of waiting to coalesce
  // them (Nagle's algorithm), a boolean option.
  using no_delay = rill::detail::socket_option::boolean<IPPROTO_TCP, TCP_NODELAY>;

  friend constexpr bool operator==(const tcp&, const tcp&) noexcept = default;

 private:
  constexpr explicit tcp(int protocol_family) noexcept : family_(protocol_family) {}

  int family_;
};

}  // namespace rill::ip
