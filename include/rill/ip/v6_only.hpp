// rill/ip/v6_only.hpp - the IPV6_V6ONLY socket option.
#pragma once

#include <netinet/in.h>

#include <rill/detail/socket_option.hpp>

namespace rill::ip {

// Whether an IPv6 socket is restricted to IPv6, or also accepts IPv4
// traffic as IPv4-mapped addresses (a boolean option):
//   acceptor.set_option(rill::ip::v6_only(false));
using v6_only = rill::detail::socket_option::boolean<IPPROTO_IPV6, IPV6_V6ONLY>;

}  // namespace rill::ip
