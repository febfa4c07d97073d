// ip::udp: the protocol values and its endpoint type.
#include <rill/ip/udp.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <type_traits>

#include <rill/ip/basic_endpoint.hpp>

#include "support/raw_socket.hpp"

namespace {

using rill::ip::udp;

static_assert(std::is_same_v<udp::endpoint, rill::ip::basic_endpoint<udp>>);
static_assert(udp::v4().family() == AF_INET);
static_assert(udp::v6().family() == AF_INET6);
static_assert(udp::v4().type() == SOCK_DGRAM);
static_assert(udp::v6().protocol() == IPPROTO_UDP);
static_assert(udp::v6() == udp::v6());
static_assert(udp::v4() != udp::v6());
static_assert(!std::is_default_constructible_v<udp>);

TEST(ip_udp, protocol_values) {
  EXPECT_EQ(udp::v4().protocol(), IPPROTO_UDP);
  EXPECT_EQ(udp::v6().type(), SOCK_DGRAM);
  EXPECT_EQ(udp::endpoint(udp::v4(), 1).protocol(), udp::v4());
}

TEST(ip_udp, values_make_a_socket) {
  rill_test::raw_socket s(udp::v4());
  ASSERT_TRUE(s.is_open()) << s.error();
  int type = 0;
  socklen_t len = sizeof(type);
  ASSERT_EQ(::getsockopt(s.fd(), SOL_SOCKET, SO_TYPE, &type, &len), 0);
  EXPECT_EQ(type, SOCK_DGRAM);
  EXPECT_EQ(s.close(), 0);
}

}  // namespace
