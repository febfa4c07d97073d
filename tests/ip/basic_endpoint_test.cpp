// ip::basic_endpoint: address + port as sockaddr_in / sockaddr_in6, printing,
// ordering, hashing, and the data()/size()/resize() contract with the kernel.
#include <rill/ip/basic_endpoint.hpp>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <compare>
#include <cstring>
#include <functional>
#include <locale>
#include <sstream>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <rill/error.hpp>
#include <rill/ip/address.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/ip/udp.hpp>
#include <rill/system_error.hpp>

#include "support/heap_counter.hpp"
#include "support/raw_socket.hpp"

namespace {

using rill::ip::address;
using rill::ip::address_v4;
using rill::ip::address_v6;
using rill::ip::make_address;
using rill::ip::tcp;
using rill::ip::udp;

static_assert(std::is_same_v<tcp::endpoint, rill::ip::basic_endpoint<tcp>>);
static_assert(std::is_same_v<tcp::endpoint::protocol_type, tcp>);
static_assert(std::is_same_v<tcp::endpoint::data_type, sockaddr>);
static_assert(std::is_same_v<rill::ip::port_type, std::uint_least16_t>);
static_assert(std::is_nothrow_default_constructible_v<tcp::endpoint>);
static_assert(std::is_nothrow_copy_constructible_v<tcp::endpoint>);
// Endpoints of different protocols are different types.
static_assert(!std::is_convertible_v<tcp::endpoint, udp::endpoint>);

std::string print(const tcp::endpoint& ep) {
  std::ostringstream os;
  os << ep;
  return os.str();
}

TEST(ip_basic_endpoint, default_is_ipv4_any_port_zero) {
  const tcp::endpoint ep;
  EXPECT_EQ(ep.protocol(), tcp::v4());
  EXPECT_EQ(ep.address(), address(address_v4::any()));
  EXPECT_EQ(ep.port(), 0);
  EXPECT_EQ(ep.size(), sizeof(sockaddr_in));
  EXPECT_EQ(ep.data()->sa_family, AF_INET);
  EXPECT_EQ(print(ep), "0.0.0.0:0");
}

TEST(ip_basic_endpoint, from_protocol_and_port) {
  const tcp::endpoint v4(tcp::v4(), 8080);
  EXPECT_EQ(v4.protocol(), tcp::v4());
  EXPECT_EQ(v4.address(), address(address_v4::any()));
  EXPECT_EQ(v4.port(), 8080);
  EXPECT_EQ(print(v4), "0.0.0.0:8080");

  const udp::endpoint v6(udp::v6(), 53);
  EXPECT_EQ(v6.protocol(), udp::v6());
  EXPECT_EQ(v6.address(), address(address_v6::any()));
  EXPECT_EQ(v6.port(), 53);
  EXPECT_EQ(v6.size(), sizeof(sockaddr_in6));
  EXPECT_EQ(v6.data()->sa_family, AF_INET6);
}

TEST(ip_basic_endpoint, ipv4_data_is_a_sockaddr_in) {
  const tcp::endpoint ep(make_address("192.0.2.7"), 0x1234);
  ASSERT_EQ(ep.size(), sizeof(sockaddr_in));
  sockaddr_in sin{};
  std::memcpy(&sin, ep.data(), sizeof(sin));
  EXPECT_EQ(sin.sin_family, AF_INET);
  EXPECT_EQ(sin.sin_port, htons(0x1234));
  EXPECT_EQ(sin.sin_addr.s_addr, htonl(0xC0000207));
  EXPECT_EQ(ep.protocol(), tcp::v4());
}

TEST(ip_basic_endpoint, ipv6_data_is_a_sockaddr_in6) {
  const udp::endpoint ep(make_address("2001:db8::5%9"), 443);
  ASSERT_EQ(ep.size(), sizeof(sockaddr_in6));
  sockaddr_in6 sin6{};
  std::memcpy(&sin6, ep.data(), sizeof(sin6));
  EXPECT_EQ(sin6.sin6_family, AF_INET6);
  EXPECT_EQ(sin6.sin6_port, htons(443));
  EXPECT_EQ(sin6.sin6_flowinfo, 0u);
  EXPECT_EQ(sin6.sin6_scope_id, 9u);
  std::array<char, INET6_ADDRSTRLEN> text{};
  ASSERT_NE(::inet_ntop(AF_INET6, &sin6.sin6_addr, text.data(), text.size()), nullptr);
  EXPECT_STREQ(text.data(), "2001:db8::5");
  EXPECT_EQ(ep.protocol(), udp::v6());
  EXPECT_EQ(ep.address().to_v6().scope_id(), 9u);
}

TEST(ip_basic_endpoint, capacity_holds_either_version) {
  const tcp::endpoint ep;
  EXPECT_GE(ep.capacity(), sizeof(sockaddr_in6));
  EXPECT_GE(ep.capacity(), sizeof(sockaddr_in));
  EXPECT_LE(ep.capacity(), sizeof(sockaddr_storage));
}

TEST(ip_basic_endpoint, setters) {
  tcp::endpoint ep(make_address("10.0.0.1"), 1);
  ep.port(65535);
  EXPECT_EQ(ep.port(), 65535);
  EXPECT_EQ(ep.address(), make_address("10.0.0.1"));
  // The family follows the address; the port is kept.
  ep.address(make_address("::1"));
  EXPECT_EQ(ep.protocol(), tcp::v6());
  EXPECT_EQ(ep.size(), sizeof(sockaddr_in6));
  EXPECT_EQ(ep.port(), 65535);
  EXPECT_EQ(print(ep), "[::1]:65535");
  ep.address(make_address("10.0.0.2"));
  EXPECT_EQ(ep.protocol(), tcp::v4());
  EXPECT_EQ(ep.size(), sizeof(sockaddr_in));
  EXPECT_EQ(print(ep), "10.0.0.2:65535");
  ep.port(0);
  EXPECT_EQ(ep.port(), 0);
}

TEST(ip_basic_endpoint, printing) {
  EXPECT_EQ(print(tcp::endpoint(make_address("1.2.3.4"), 80)), "1.2.3.4:80");
  EXPECT_EQ(print(tcp::endpoint(make_address("::1"), 80)), "[::1]:80");
  EXPECT_EQ(print(tcp::endpoint(make_address("::"), 0)), "[::]:0");
  EXPECT_EQ(print(tcp::endpoint(make_address("::ffff:1.2.3.4"), 443)), "[::ffff:1.2.3.4]:443");
  EXPECT_EQ(print(tcp::endpoint(make_address("2001:db8::1%7"), 12345)), "[2001:db8::1%7]:12345");
  EXPECT_EQ(print(tcp::endpoint(make_address("255.255.255.255"), 65535)), "255.255.255.255:65535");
  std::array<char, IF_NAMESIZE> name{};
  if (::if_indextoname(1, name.data()) != nullptr) {
    EXPECT_EQ(print(tcp::endpoint(make_address("fe80::1%1"), 22)),
              "[fe80::1%" + std::string(name.data()) + "]:22");
  }
  std::wostringstream wos;
  wos << udp::endpoint(make_address("::1"), 7);
  EXPECT_EQ(wos.str(), L"[::1]:7");
}

TEST(ip_basic_endpoint, printing_ignores_the_stream_locale) {
  struct grouping : std::numpunct<char> {
    char do_thousands_sep() const override { return ','; }
    std::string do_grouping() const override { return "\3"; }
  };
  std::ostringstream os;
  os.imbue(std::locale(os.getloc(), new grouping));
  os << tcp::endpoint(make_address("1.2.3.4"), 12345);
  EXPECT_EQ(os.str(), "1.2.3.4:12345");
}

TEST(ip_basic_endpoint, ordering_is_by_address_then_port) {
  std::vector<tcp::endpoint> v{
      tcp::endpoint(make_address("::1"), 1),      tcp::endpoint(make_address("10.0.0.1"), 80),
      tcp::endpoint(make_address("10.0.0.1"), 8), tcp::endpoint(make_address("9.0.0.1"), 9000),
      tcp::endpoint(make_address("::"), 65535),
  };
  std::sort(v.begin(), v.end());
  std::vector<std::string> text;
  for (const tcp::endpoint& ep : v) text.push_back(print(ep));
  EXPECT_EQ(text, (std::vector<std::string>{"9.0.0.1:9000", "10.0.0.1:8", "10.0.0.1:80",
                                            "[::]:65535", "[::1]:1"}));
  const tcp::endpoint a(make_address("10.0.0.1"), 8);
  const tcp::endpoint b(make_address("10.0.0.1"), 80);
  EXPECT_LT(a, b);
  EXPECT_LE(a, b);
  EXPECT_GT(b, a);
  EXPECT_GE(b, b);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, tcp::endpoint(make_address("10.0.0.1"), 8));
  EXPECT_EQ(a <=> b, std::strong_ordering::less);
}

TEST(ip_basic_endpoint, hashing) {
  const std::hash<tcp::endpoint> h;
  EXPECT_EQ(h(tcp::endpoint(make_address("1.2.3.4"), 80)),
            h(tcp::endpoint(make_address("1.2.3.4"), 80)));
  std::unordered_set<tcp::endpoint> set;
  for (unsigned short port = 1; port <= 100; ++port) {
    set.insert(tcp::endpoint(make_address("127.0.0.1"), port));
    set.insert(tcp::endpoint(make_address("::1"), port));
  }
  set.insert(tcp::endpoint(make_address("::1"), 50));
  EXPECT_EQ(set.size(), 200u);
  EXPECT_EQ(set.count(tcp::endpoint(make_address("::1"), 100)), 1u);
  EXPECT_EQ(set.count(tcp::endpoint(make_address("::1"), 101)), 0u);
}

TEST(ip_basic_endpoint, resize_accepts_up_to_capacity) {
  tcp::endpoint ep(make_address("::1"), 5);
  ep.resize(sizeof(sockaddr_in6));
  ep.resize(ep.capacity());
  ep.resize(0);
  // The family field, not the length, decides the version.
  EXPECT_EQ(ep.size(), sizeof(sockaddr_in6));
  try {
    ep.resize(ep.capacity() + 1);
    ADD_FAILURE() << "no exception";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::invalid_argument);
  }
  EXPECT_EQ(ep, tcp::endpoint(make_address("::1"), 5));
}

TEST(ip_basic_endpoint, does_not_allocate) {
  const address a = make_address("2001:db8::1");
  rill_test::heap_scope heap;
  tcp::endpoint ep(a, 1);
  ep.port(2);
  ep.address(address_v4::loopback());
  const bool ordered = tcp::endpoint(tcp::v6(), 1) < ep;
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_FALSE(ordered);
}

// The contract with the socket classes: bind() takes data()/size(), and
// getsockname() writes into data() up to capacity() and is followed by
// resize().
TEST(ip_basic_endpoint, kernel_round_trip_ipv4) {
  rill_test::raw_socket s(udp::v4());
  ASSERT_TRUE(s.is_open());
  const udp::endpoint bound(address_v4::loopback(), 0);
  ASSERT_EQ(::bind(s.fd(), bound.data(), static_cast<socklen_t>(bound.size())), 0);
  udp::endpoint local;
  auto len = static_cast<socklen_t>(local.capacity());
  ASSERT_EQ(::getsockname(s.fd(), local.data(), &len), 0);
  local.resize(len);
  EXPECT_EQ(local.size(), len);
  EXPECT_EQ(local.protocol(), udp::v4());
  EXPECT_EQ(local.address(), address(address_v4::loopback()));
  EXPECT_NE(local.port(), 0);
  EXPECT_EQ(s.close(), 0);
}

TEST(ip_basic_endpoint, kernel_round_trip_ipv6) {
  rill_test::raw_socket s(tcp::v6());
  if (!s.is_open()) GTEST_SKIP() << "no IPv6 sockets here";
  const tcp::endpoint bound(address_v6::loopback(), 0);
  if (::bind(s.fd(), bound.data(), static_cast<socklen_t>(bound.size())) != 0) {
    GTEST_SKIP() << "cannot bind ::1";
  }
  tcp::endpoint local(tcp::v4(), 0);  // the kernel's answer switches it to IPv6
  auto len = static_cast<socklen_t>(local.capacity());
  ASSERT_EQ(::getsockname(s.fd(), local.data(), &len), 0);
  local.resize(len);
  EXPECT_EQ(local.size(), len);
  EXPECT_EQ(local.protocol(), tcp::v6());
  EXPECT_EQ(local.address(), address(address_v6::loopback()));
  EXPECT_NE(local.port(), 0);
  EXPECT_EQ(s.close(), 0);
}

}  // namespace
