// ip::v6_only: IPV6_V6ONLY as a boolean option.
#include <rill/ip/v6_only.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <rill/ip/tcp.hpp>
#include <rill/ip/udp.hpp>

#include "support/raw_socket.hpp"

namespace {

using rill::ip::v6_only;

TEST(ip_v6_only, option_interface) {
  const v6_only option(true);
  EXPECT_EQ(option.level(rill::ip::tcp::v6()), IPPROTO_IPV6);
  EXPECT_EQ(option.name(rill::ip::tcp::v6()), IPV6_V6ONLY);
  EXPECT_EQ(option.size(rill::ip::tcp::v6()), sizeof(int));
  EXPECT_TRUE(option.value());
  EXPECT_TRUE(option);
  EXPECT_FALSE(!option);
}

TEST(ip_v6_only, round_trip) {
  const auto p = rill::ip::udp::v6();
  rill_test::raw_socket s(p);
  if (!s.is_open()) GTEST_SKIP() << "no IPv6 sockets here";
  ASSERT_EQ(s.set_option(p, v6_only(true)), 0);
  v6_only option;
  ASSERT_EQ(s.get_option(p, option), 0);
  EXPECT_TRUE(option.value());
  ASSERT_EQ(s.set_option(p, v6_only(false)), 0);
  ASSERT_EQ(s.get_option(p, option), 0);
  EXPECT_FALSE(option.value());
  EXPECT_EQ(s.close(), 0);
}

TEST(ip_v6_only, not_an_ipv4_option) {
  const auto p = rill::ip::udp::v4();
  rill_test::raw_socket s(p);
  ASSERT_TRUE(s.is_open());
  EXPECT_NE(s.set_option(p, v6_only(true)), 0);
  EXPECT_EQ(s.close(), 0);
}

}  // namespace
