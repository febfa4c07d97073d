// ip::multicast options: each in its IPv4 and IPv6 form, set on real sockets.
#include <rill/ip/multicast.hpp>

#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <rill/ip/address.hpp>
#include <rill/ip/udp.hpp>

#include "support/raw_socket.hpp"

namespace {

namespace multicast = rill::ip::multicast;
using rill::ip::address_v4;
using rill::ip::make_address;
using rill::ip::make_address_v4;
using rill::ip::make_address_v6;
using rill::ip::udp;

TEST(ip_multicast, join_group_data) {
  const multicast::join_group v4(make_address_v4("239.1.2.3"), make_address_v4("127.0.0.1"));
  EXPECT_EQ(v4.level(udp::v4()), IPPROTO_IP);
  EXPECT_EQ(v4.name(udp::v4()), IP_ADD_MEMBERSHIP);
  ASSERT_EQ(v4.size(udp::v4()), sizeof(ip_mreq));
  ip_mreq m4{};
  std::memcpy(&m4, v4.data(udp::v4()), sizeof(m4));
  EXPECT_EQ(m4.imr_multiaddr.s_addr, htonl(0xEF010203));
  EXPECT_EQ(m4.imr_interface.s_addr, htonl(0x7F000001));

  const multicast::join_group v6(make_address_v6("ff02::1:2%3"));
  EXPECT_EQ(v6.level(udp::v6()), IPPROTO_IPV6);
  EXPECT_EQ(v6.name(udp::v6()), IPV6_JOIN_GROUP);
  ASSERT_EQ(v6.size(udp::v6()), sizeof(ipv6_mreq));
  ipv6_mreq m6{};
  std::memcpy(&m6, v6.data(udp::v6()), sizeof(m6));
  EXPECT_EQ(m6.ipv6mr_interface, 3u);  // the group's scope id
  EXPECT_EQ(m6.ipv6mr_multiaddr.s6_addr[0], 0xFF);
  EXPECT_EQ(m6.ipv6mr_multiaddr.s6_addr[15], 2);

  // An explicit interface index wins over the scope id.
  const multicast::join_group v6_if(make_address_v6("ff02::1:2%3"), 5);
  std::memcpy(&m6, v6_if.data(udp::v6()), sizeof(m6));
  EXPECT_EQ(m6.ipv6mr_interface, 5u);

  // From a version-neutral address.
  const multicast::leave_group any_version(make_address("239.9.9.9"));
  EXPECT_EQ(any_version.name(udp::v4()), IP_DROP_MEMBERSHIP);
  EXPECT_EQ(any_version.name(udp::v6()), IPV6_LEAVE_GROUP);
  std::memcpy(&m4, any_version.data(udp::v4()), sizeof(m4));
  EXPECT_EQ(m4.imr_multiaddr.s_addr, htonl(0xEF090909));
  EXPECT_EQ(m4.imr_interface.s_addr, htonl(INADDR_ANY));
}

TEST(ip_multicast, join_and_leave_ipv4_on_loopback) {
  const auto p = udp::v4();
  rill_test::raw_socket s(p);
  ASSERT_TRUE(s.is_open());
  const address_v4 group = make_address_v4("239.255.42.99");
  const int joined = s.set_option(p, multicast::join_group(group, address_v4::loopback()));
  if (joined == ENODEV) GTEST_SKIP() << "no multicast on loopback here";
  ASSERT_EQ(joined, 0);
  // Joining twice is an error, which shows the first join took effect.
  EXPECT_EQ(s.set_option(p, multicast::join_group(group, address_v4::loopback())), EADDRINUSE);
  EXPECT_EQ(s.set_option(p, multicast::leave_group(group, address_v4::loopback())), 0);
  EXPECT_NE(s.set_option(p, multicast::leave_group(group, address_v4::loopback())), 0);
  EXPECT_EQ(s.close(), 0);
}

TEST(ip_multicast, join_and_leave_ipv6_on_loopback) {
  const auto p = udp::v6();
  rill_test::raw_socket s(p);
  if (!s.is_open()) GTEST_SKIP() << "no IPv6 sockets here";
  const unsigned lo = ::if_nametoindex("lo");
  if (lo == 0) GTEST_SKIP() << "no interface named lo";
  const auto group = make_address_v6("ff02::4242");
  const int joined = s.set_option(p, multicast::join_group(group, lo));
  if (joined == ENODEV || joined == EADDRNOTAVAIL) GTEST_SKIP() << "no IPv6 multicast on lo";
  ASSERT_EQ(joined, 0);
  EXPECT_EQ(s.set_option(p, multicast::leave_group(group, lo)), 0);
  EXPECT_EQ(s.close(), 0);
}

TEST(ip_multicast, outbound_interface) {
  const multicast::outbound_interface by_address(address_v4::loopback());
  EXPECT_EQ(by_address.level(udp::v4()), IPPROTO_IP);
  EXPECT_EQ(by_address.name(udp::v4()), IP_MULTICAST_IF);
  EXPECT_EQ(by_address.size(udp::v4()), sizeof(in_addr));
  const multicast::outbound_interface by_index(7u);
  EXPECT_EQ(by_index.level(udp::v6()), IPPROTO_IPV6);
  EXPECT_EQ(by_index.name(udp::v6()), IPV6_MULTICAST_IF);
  ASSERT_EQ(by_index.size(udp::v6()), sizeof(unsigned));
  unsigned index = 0;
  std::memcpy(&index, by_index.data(udp::v6()), sizeof(index));
  EXPECT_EQ(index, 7u);

  rill_test::raw_socket s(udp::v4());
  ASSERT_TRUE(s.is_open());
  EXPECT_EQ(s.set_option(udp::v4(), by_address), 0);
  // The kernel reports the interface address set.
  in_addr chosen{};
  socklen_t len = sizeof(chosen);
  ASSERT_EQ(::getsockopt(s.fd(), IPPROTO_IP, IP_MULTICAST_IF, &chosen, &len), 0);
  EXPECT_EQ(chosen.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_EQ(s.set_option(udp::v4(), multicast::outbound_interface()), 0);
  EXPECT_EQ(s.close(), 0);

  rill_test::raw_socket s6(udp::v6());
  if (!s6.is_open()) return;
  const unsigned lo = ::if_nametoindex("lo");
  if (lo != 0) {
    EXPECT_EQ(s6.set_option(udp::v6(), multicast::outbound_interface(lo)), 0);
  }
  EXPECT_EQ(s6.close(), 0);
}

TEST(ip_multicast, hops) {
  multicast::hops h(200);
  EXPECT_EQ(h.value(), 200);
  // IPv4 takes one byte, IPv6 an int.
  EXPECT_EQ(h.size(udp::v4()), 1u);
  EXPECT_EQ(h.size(udp::v6()), sizeof(int));
  EXPECT_EQ(h.name(udp::v4()), IP_MULTICAST_TTL);
  EXPECT_EQ(h.name(udp::v6()), IPV6_MULTICAST_HOPS);
  EXPECT_THROW(multicast::hops(256), std::out_of_range);
  EXPECT_THROW(multicast::hops(-1), std::out_of_range);
  EXPECT_THROW(h = 1000, std::out_of_range);
  EXPECT_EQ(h.value(), 200);
  EXPECT_THROW(h.resize(udp::v4(), sizeof(int)), std::length_error);
  EXPECT_THROW(h.resize(udp::v6(), 1), std::length_error);

  for (const udp p : {udp::v4(), udp::v6()}) {
    rill_test::raw_socket s(p);
    if (!s.is_open()) continue;
    ASSERT_EQ(s.set_option(p, multicast::hops(33)), 0);
    multicast::hops got;
    ASSERT_EQ(s.get_option(p, got), 0);
    EXPECT_EQ(got.value(), 33);
    ASSERT_EQ(s.set_option(p, multicast::hops(255)), 0);
    ASSERT_EQ(s.get_option(p, got), 0);
    EXPECT_EQ(got.value(), 255);
    EXPECT_EQ(s.close(), 0);
  }
}

TEST(ip_multicast, enable_loopback) {
  multicast::enable_loopback on(true);
  EXPECT_TRUE(on.value());
  EXPECT_TRUE(on);
  EXPECT_EQ(on.name(udp::v4()), IP_MULTICAST_LOOP);
  EXPECT_EQ(on.name(udp::v6()), IPV6_MULTICAST_LOOP);
  on = false;
  EXPECT_TRUE(!on);

  for (const udp p : {udp::v4(), udp::v6()}) {
    rill_test::raw_socket s(p);
    if (!s.is_open()) continue;
    multicast::enable_loopback got;
    ASSERT_EQ(s.set_option(p, multicast::enable_loopback(false)), 0);
    ASSERT_EQ(s.get_option(p, got), 0);
    EXPECT_FALSE(got.value());
    ASSERT_EQ(s.set_option(p, multicast::enable_loopback(true)), 0);
    ASSERT_EQ(s.get_option(p, got), 0);
    EXPECT_TRUE(got.value());
    EXPECT_EQ(s.close(), 0);
  }
}

}  // namespace
