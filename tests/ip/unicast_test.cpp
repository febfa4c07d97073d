// ip::unicast::hops: IP_TTL or IPV6_UNICAST_HOPS by the socket's version.
#include <rill/ip/unicast.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <stdexcept>

#include <rill/ip/udp.hpp>

#include "support/raw_socket.hpp"

namespace {

using rill::ip::udp;
using rill::ip::unicast::hops;

TEST(ip_unicast, level_and_name_follow_the_version) {
  const hops option(17);
  EXPECT_EQ(option.value(), 17);
  EXPECT_EQ(option.level(udp::v4()), IPPROTO_IP);
  EXPECT_EQ(option.name(udp::v4()), IP_TTL);
  EXPECT_EQ(option.level(udp::v6()), IPPROTO_IPV6);
  EXPECT_EQ(option.name(udp::v6()), IPV6_UNICAST_HOPS);
  EXPECT_EQ(option.size(udp::v4()), sizeof(int));
  EXPECT_EQ(option.size(udp::v6()), sizeof(int));
  hops h;
  EXPECT_EQ(h.value(), 0);
  h = 3;
  EXPECT_EQ(h.value(), 3);
  EXPECT_THROW(h.resize(udp::v4(), 1), std::length_error);
}

TEST(ip_unicast, round_trip) {
  for (const udp p : {udp::v4(), udp::v6()}) {
    rill_test::raw_socket s(p);
    if (!s.is_open()) {
      EXPECT_EQ(p, udp::v6());
      continue;
    }
    ASSERT_EQ(s.set_option(p, hops(42)), 0);
    hops option;
    ASSERT_EQ(s.get_option(p, option), 0);
    EXPECT_EQ(option.value(), 42);
    EXPECT_EQ(s.close(), 0);
  }
}

}  // namespace
