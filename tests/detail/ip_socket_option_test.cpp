// The IP-version-dependent socket options, tested as plain values: level,
// name, data and size chosen by the protocol's family, and both values kept
// in step after a get.
#include <rill/detail/ip_socket_option.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

#include <rill/ip/address.hpp>

namespace {

namespace option = rill::detail::socket_option;

struct v4_protocol {
  int family() const { return AF_INET; }
};
struct v6_protocol {
  int family() const { return AF_INET6; }
};

using loop = option::multicast_enable_loopback<1, 2, 3, 4>;
using unicast = option::unicast_hops<1, 2, 3, 4>;
using multicast = option::multicast_hops<1, 2, 3, 4>;
using request = option::multicast_request<1, 2, 3, 4>;
using interface = option::network_interface<1, 2, 3, 4>;

TEST(detail_ip_socket_option, level_and_name_by_family) {
  EXPECT_EQ(loop().level(v4_protocol()), 1);
  EXPECT_EQ(loop().name(v4_protocol()), 2);
  EXPECT_EQ(loop().level(v6_protocol()), 3);
  EXPECT_EQ(loop().name(v6_protocol()), 4);
  EXPECT_EQ(unicast().level(v6_protocol()), 3);
  EXPECT_EQ(multicast().name(v6_protocol()), 4);
  EXPECT_EQ(request().level(v4_protocol()), 1);
  EXPECT_EQ(interface().name(v4_protocol()), 2);
}

TEST(detail_ip_socket_option, loopback_resize_copies_to_the_other_version) {
  loop l(false);
  *static_cast<int*>(l.data(v6_protocol())) = 1;
  l.resize(v6_protocol(), sizeof(int));
  EXPECT_TRUE(l.value());
  EXPECT_EQ(*static_cast<const int*>(l.data(v4_protocol())), 1);
  *static_cast<int*>(l.data(v4_protocol())) = 0;
  l.resize(v4_protocol(), sizeof(int));
  EXPECT_FALSE(l.value());
  EXPECT_EQ(*static_cast<const int*>(l.data(v6_protocol())), 0);
  EXPECT_THROW(l.resize(v4_protocol(), 1), std::length_error);
  EXPECT_THROW(l.resize(v6_protocol(), 8), std::length_error);
}

TEST(detail_ip_socket_option, multicast_hops_clamps_for_ipv4) {
  multicast h;
  EXPECT_EQ(h.size(v4_protocol()), 1u);
  EXPECT_EQ(h.size(v6_protocol()), sizeof(int));
  *static_cast<int*>(h.data(v6_protocol())) = 300;
  h.resize(v6_protocol(), sizeof(int));
  EXPECT_EQ(*static_cast<const unsigned char*>(h.data(v4_protocol())), 255);
  *static_cast<int*>(h.data(v6_protocol())) = -1;
  h.resize(v6_protocol(), sizeof(int));
  EXPECT_EQ(*static_cast<const unsigned char*>(h.data(v4_protocol())), 0);
  *static_cast<unsigned char*>(h.data(v4_protocol())) = 64;
  h.resize(v4_protocol(), 1);
  EXPECT_EQ(h.value(), 64);
}

TEST(detail_ip_socket_option, request_and_interface_default_to_zero) {
  const request r;
  ip_mreq m4{};
  ASSERT_EQ(r.size(v4_protocol()), sizeof(m4));
  EXPECT_EQ(std::memcmp(r.data(v4_protocol()), &m4, sizeof(m4)), 0);
  ipv6_mreq m6{};
  ASSERT_EQ(r.size(v6_protocol()), sizeof(m6));
  EXPECT_EQ(std::memcmp(r.data(v6_protocol()), &m6, sizeof(m6)), 0);

  const interface i;
  in_addr a{};
  ASSERT_EQ(i.size(v4_protocol()), sizeof(a));
  EXPECT_EQ(std::memcmp(i.data(v4_protocol()), &a, sizeof(a)), 0);
  EXPECT_EQ(*static_cast<const unsigned*>(i.data(v6_protocol())), 0u);
}

TEST(detail_ip_socket_option, request_from_an_ipv6_address_uses_its_scope) {
  const request r(rill::ip::make_address("ff02::1%6"));
  ipv6_mreq m6{};
  std::memcpy(&m6, r.data(v6_protocol()), sizeof(m6));
  EXPECT_EQ(m6.ipv6mr_interface, 6u);
  EXPECT_EQ(m6.ipv6mr_multiaddr.s6_addr[1], 0x02);
}

}  // namespace
