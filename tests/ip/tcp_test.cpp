// ip::tcp: the protocol values, its endpoint type and the no_delay option.
#include <rill/ip/tcp.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <type_traits>

#include <rill/ip/basic_endpoint.hpp>

#include "support/raw_socket.hpp"

namespace {

using rill::ip::tcp;

static_assert(std::is_same_v<tcp::endpoint, rill::ip::basic_endpoint<tcp>>);
static_assert(tcp::v4().family() == AF_INET);
static_assert(tcp::v6().family() == AF_INET6);
static_assert(tcp::v4().type() == SOCK_STREAM);
static_assert(tcp::v4().protocol() == IPPROTO_TCP);
static_assert(tcp::v4() == tcp::v4());
static_assert(tcp::v4() != tcp::v6());
static_assert(std::is_trivially_copyable_v<tcp>);
// Only v4() and v6() make values.
static_assert(!std::is_default_constructible_v<tcp>);
static_assert(!std::is_constructible_v<tcp, int>);

TEST(ip_tcp, protocol_values) {
  EXPECT_EQ(tcp::v6().type(), SOCK_STREAM);
  EXPECT_EQ(tcp::v6().protocol(), IPPROTO_TCP);
  EXPECT_EQ(tcp::endpoint(tcp::v6(), 1).protocol(), tcp::v6());
}

TEST(ip_tcp, no_delay_option_interface) {
  const tcp::no_delay option(true);
  EXPECT_EQ(option.level(tcp::v4()), IPPROTO_TCP);
  EXPECT_EQ(option.name(tcp::v6()), TCP_NODELAY);
  EXPECT_EQ(option.size(tcp::v4()), sizeof(int));
  EXPECT_EQ(*option.data(tcp::v4()), 1);
  EXPECT_TRUE(option.value());
  EXPECT_FALSE(tcp::no_delay().value());
}

TEST(ip_tcp, no_delay_round_trip) {
  for (const tcp p : {tcp::v4(), tcp::v6()}) {
    rill_test::raw_socket s(p);
    if (!s.is_open()) {
      EXPECT_EQ(p, tcp::v6()) << "cannot create a TCP socket";
      continue;
    }
    tcp::no_delay option;
    ASSERT_EQ(s.get_option(p, option), 0);
    EXPECT_FALSE(option.value());
    ASSERT_EQ(s.set_option(p, tcp::no_delay(true)), 0);
    ASSERT_EQ(s.get_option(p, option), 0);
    EXPECT_TRUE(option.value());
    ASSERT_EQ(s.set_option(p, tcp::no_delay(false)), 0);
    ASSERT_EQ(s.get_option(p, option), 0);
    EXPECT_FALSE(option);
    EXPECT_EQ(s.close(), 0);
  }
}

}  // namespace
