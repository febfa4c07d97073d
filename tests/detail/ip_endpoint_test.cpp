// detail::ip_endpoint: the sockaddr union itself, below basic_endpoint.
#include <rill/detail/ip_endpoint.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include <rill/ip/address.hpp>

namespace {

using rill::detail::ip_endpoint;
using rill::ip::make_address;

TEST(detail_ip_endpoint, family_constructor) {
  const ip_endpoint v4(AF_INET, 80);
  EXPECT_TRUE(v4.is_v4());
  EXPECT_EQ(v4.to_string(), "0.0.0.0:80");
  const ip_endpoint v6(AF_INET6, 81);
  EXPECT_FALSE(v6.is_v4());
  EXPECT_EQ(v6.to_string(), "[::]:81");
  EXPECT_EQ(ip_endpoint().to_string(), "0.0.0.0:0");
}

TEST(detail_ip_endpoint, unused_bytes_are_zero) {
  // A v4 endpoint that was v6 before must not carry v6 leftovers, or a
  // byte-wise comparison or a kernel reading sin_zero could see them.
  ip_endpoint ep(make_address("fe80::1%3"), 9);
  ep.address(make_address("1.2.3.4"));
  sockaddr_in sin{};
  std::memcpy(&sin, ep.data(), sizeof(sin));
  const unsigned char zero[sizeof(sin.sin_zero)] = {};
  EXPECT_EQ(std::memcmp(sin.sin_zero, zero, sizeof(zero)), 0);
  const auto* bytes = reinterpret_cast<const unsigned char*>(ep.data());
  for (std::size_t i = sizeof(sockaddr_in); i < ep.capacity(); ++i) {
    EXPECT_EQ(bytes[i], 0u) << i;
  }
}

TEST(detail_ip_endpoint, kernel_written_family_decides) {
  ip_endpoint ep;
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(1234);
  sin6.sin6_addr.s6_addr[15] = 1;
  std::memcpy(ep.data(), &sin6, sizeof(sin6));
  ep.resize(sizeof(sin6));
  EXPECT_FALSE(ep.is_v4());
  EXPECT_EQ(ep.size(), sizeof(sockaddr_in6));
  EXPECT_EQ(ep.to_string(), "[::1]:1234");
}

}  // namespace
