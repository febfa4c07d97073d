// ip::address: either version, conversions, text, ordering across versions, hashing.
#include <rill/ip/address.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <compare>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <typeinfo>
#include <unordered_set>
#include <vector>

#include <rill/error.hpp>
#include <rill/ip/bad_address_cast.hpp>
#include <rill/system_error.hpp>

namespace {

using rill::ip::address;
using rill::ip::address_v4;
using rill::ip::address_v6;
using rill::ip::make_address;

static_assert(std::is_trivially_copyable_v<address>);
static_assert(std::is_nothrow_default_constructible_v<address>);
// Either version converts implicitly, as in Asio.
static_assert(std::is_convertible_v<address_v4, address>);
static_assert(std::is_convertible_v<address_v6, address>);
static_assert(address().is_v4());
static_assert(address(address_v6::loopback()).is_v6());
static_assert(address(address_v4::broadcast()) < address(address_v6()));

TEST(ip_address, default_is_ipv4_unspecified) {
  const address a;
  EXPECT_TRUE(a.is_v4());
  EXPECT_FALSE(a.is_v6());
  EXPECT_TRUE(a.is_unspecified());
  EXPECT_EQ(a.to_v4(), address_v4());
  EXPECT_EQ(a.to_string(), "0.0.0.0");
}

TEST(ip_address, make_address_chooses_the_version) {
  const address a4 = make_address("192.0.2.1");
  ASSERT_TRUE(a4.is_v4());
  EXPECT_EQ(a4.to_v4(), address_v4({192, 0, 2, 1}));
  const address a6 = make_address("2001:db8::1");
  ASSERT_TRUE(a6.is_v6());
  EXPECT_EQ(a6.to_v6().to_string(), "2001:db8::1");
  // IPv4-mapped text is an IPv6 address.
  const address mapped = make_address("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped.is_v6());
  EXPECT_TRUE(mapped.to_v6().is_v4_mapped());
  EXPECT_NE(mapped, a4);
  // Scope ids come through.
  EXPECT_EQ(make_address("fe80::1%5").to_v6().scope_id(), 5u);
}

TEST(ip_address, text_round_trips) {
  for (const char* text :
       {"0.0.0.0", "::", "127.0.0.1", "::1", "::ffff:1.2.3.4", "10.9.8.7", "2001:db8::1%3"}) {
    SCOPED_TRACE(text);
    rill::error_code ec = rill::error::timed_out;
    const address a = make_address(text, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(a.to_string(), text);
    EXPECT_EQ(make_address(std::string(text)), a);
    EXPECT_EQ(make_address(std::string_view(text)), a);
    EXPECT_EQ(make_address(text), a);
    rill::error_code ec2 = rill::error::timed_out;
    EXPECT_EQ(make_address(std::string(text), ec2), a);
    EXPECT_FALSE(ec2);
  }
}

TEST(ip_address, invalid_text) {
  for (const char* text : {"", "1.2.3", "256.0.0.1", "::g", "1.2.3.4:80", "[::1]", "localhost",
                           "fe80::1%", "1.2.3.4%1"}) {
    SCOPED_TRACE(text);
    rill::error_code ec;
    EXPECT_EQ(make_address(text, ec), address());
    EXPECT_EQ(ec, rill::error::invalid_argument);
    EXPECT_EQ(ec.category(), std::system_category());
    ec.clear();
    EXPECT_EQ(make_address(std::string_view(text), ec), address());
    EXPECT_EQ(ec, rill::error::invalid_argument);
    try {
      (void)make_address(text);
      ADD_FAILURE() << "no exception";
    } catch (const rill::system_error& e) {
      EXPECT_EQ(e.code(), rill::error::invalid_argument);
    }
    EXPECT_THROW((void)make_address(std::string(text)), rill::system_error);
    EXPECT_THROW((void)make_address(std::string_view(text)), rill::system_error);
  }
  rill::error_code ec;
  EXPECT_EQ(make_address(std::string(100000, '9'), ec), address());
  EXPECT_EQ(ec, rill::error::invalid_argument);
  EXPECT_EQ(make_address(static_cast<const char*>(nullptr), ec), address());
  EXPECT_EQ(ec, rill::error::invalid_argument);
}

TEST(ip_address, wrong_version_cast_throws_bad_address_cast) {
  const address a4 = address_v4::loopback();
  const address a6 = address_v6::loopback();
  EXPECT_THROW((void)a4.to_v6(), rill::ip::bad_address_cast);
  EXPECT_THROW((void)a6.to_v4(), rill::ip::bad_address_cast);
  // It is a std::bad_cast, so code catching that sees it too.
  EXPECT_THROW((void)a6.to_v4(), std::bad_cast);
  EXPECT_EQ(a6.to_v6(), address_v6::loopback());
}

TEST(ip_address, assignment_switches_version) {
  address a = make_address("2001:db8::1");
  a = address_v4::loopback();
  EXPECT_TRUE(a.is_v4());
  EXPECT_EQ(a, address(address_v4::loopback()));
  a = address_v6::loopback();
  EXPECT_TRUE(a.is_v6());
  EXPECT_EQ(a, address(address_v6::loopback()));
  // Switching back leaves no trace of the other version in comparisons.
  a = address_v4::loopback();
  EXPECT_EQ(a <=> address(address_v4::loopback()), std::strong_ordering::equal);
  EXPECT_EQ(std::hash<address>()(a), std::hash<address>()(address(address_v4::loopback())));
}

TEST(ip_address, predicates_follow_the_version) {
  EXPECT_TRUE(make_address("127.0.0.1").is_loopback());
  EXPECT_TRUE(make_address("::1").is_loopback());
  EXPECT_FALSE(make_address("::ffff:127.0.0.1").is_loopback());
  EXPECT_TRUE(make_address("::").is_unspecified());
  EXPECT_TRUE(make_address("0.0.0.0").is_unspecified());
  EXPECT_TRUE(make_address("239.1.2.3").is_multicast());
  EXPECT_TRUE(make_address("ff02::1").is_multicast());
  EXPECT_FALSE(make_address("1.2.3.4").is_multicast());
}

TEST(ip_address, every_ipv4_address_orders_before_every_ipv6_address) {
  std::vector<address> v{make_address("::"),       make_address("255.255.255.255"),
                         make_address("::1"),      make_address("0.0.0.0"),
                         make_address("10.0.0.1"), make_address("::ffff:0.0.0.1")};
  std::sort(v.begin(), v.end());
  std::vector<std::string> text;
  for (const address& a : v) text.push_back(a.to_string());
  EXPECT_EQ(text, (std::vector<std::string>{"0.0.0.0", "10.0.0.1", "255.255.255.255", "::", "::1",
                                            "::ffff:0.0.0.1"}));
  EXPECT_LT(make_address("255.255.255.255"), make_address("::"));
  EXPECT_GT(make_address("::"), make_address("255.255.255.255"));
  EXPECT_LE(make_address("1.1.1.1"), make_address("1.1.1.1"));
  EXPECT_EQ(make_address("1.1.1.1") <=> make_address("1.1.1.2"), std::strong_ordering::less);
  // Comparison with a version-specific address converts it.
  EXPECT_EQ(make_address("1.1.1.1"), address_v4(0x01010101));
  EXPECT_NE(make_address("::1"), address_v4::loopback());
}

TEST(ip_address, hashing_matches_the_version_hash) {
  const address a4 = make_address("192.0.2.1");
  const address a6 = make_address("2001:db8::1%4");
  EXPECT_EQ(std::hash<address>()(a4), std::hash<address_v4>()(a4.to_v4()));
  EXPECT_EQ(std::hash<address>()(a6), std::hash<address_v6>()(a6.to_v6()));
  std::unordered_set<address> set{a4, a6, make_address("::ffff:192.0.2.1"), a4};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(set.count(make_address("2001:db8::1%4")), 1u);
}

TEST(ip_address, stream_output) {
  std::ostringstream os;
  os << make_address("10.1.2.3") << ' ' << make_address("fe80::1%77");
  EXPECT_EQ(os.str(), "10.1.2.3 fe80::1%77");
}

}  // namespace
