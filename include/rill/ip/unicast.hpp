// rill/ip/unicast.hpp - socket options for unicast traffic.
#pragma once

#include <netinet/in.h>

#include <rill/detail/ip_socket_option.hpp>

namespace rill::ip::unicast {

// The time-to-live (IPv4) or hop limit (IPv6) of outgoing unicast packets,
// an integer option:
//   socket.set_option(rill::ip::unicast::hops(4));
using hops =
    rill::detail::socket_option::unicast_hops<IPPROTO_IP, IP_TTL, IPPROTO_IPV6, IPV6_UNICAST_HOPS>;

}  // namespace rill::ip::unicast
