// rill/ip/multicast.hpp - socket options for multicast traffic.
#pragma once

#include <netinet/in.h>

#include <rill/detail/ip_socket_option.hpp>

// Each option picks the IPv4 or the IPv6 form by the socket's protocol.
namespace rill::ip::multicast {

// Join a group, set-only:
//   socket.set_option(rill::ip::multicast::join_group(rill::ip::make_address("239.1.2.3")));
using join_group = rill::detail::socket_option::multicast_request<IPPROTO_IP, IP_ADD_MEMBERSHIP,
                                                                  IPPROTO_IPV6, IPV6_JOIN_GROUP>;

// Leave a group joined before, set-only.
using leave_group = rill::detail::socket_option::multicast_request<IPPROTO_IP, IP_DROP_MEMBERSHIP,
                                                                   IPPROTO_IPV6, IPV6_LEAVE_GROUP>;

// The interface outgoing multicast datagrams use: its address (IPv4) or
// index (IPv6), set-only.
using outbound_interface =
    rill::detail::socket_option::network_interface<IPPROTO_IP, IP_MULTICAST_IF, IPPROTO_IPV6,
                                                   IPV6_MULTICAST_IF>;

// The time-to-live / hop limit of outgoing multicast datagrams, 0-255.
using hops = rill::detail::socket_option::multicast_hops<IPPROTO_IP, IP_MULTICAST_TTL, IPPROTO_IPV6,
                                                         IPV6_MULTICAST_HOPS>;

// Whether datagrams sent to a group are delivered to listeners on this host,
// a boolean option.
using enable_loopback =
    rill::detail::socket_option::multicast_enable_loopback<IPPROTO_IP, IP_MULTICAST_LOOP,
                                                           IPPROTO_IPV6, IPV6_MULTICAST_LOOP>;

}  // namespace rill::ip::multicast
