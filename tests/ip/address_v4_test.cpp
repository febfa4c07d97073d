// ip::address_v4: construction, text in and out, predicates, ordering, hashing.
#include <rill/ip/address_v4.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <rill/error.hpp>
#include <rill/system_error.hpp>

#include "support/heap_counter.hpp"

namespace {

using rill::ip::address_v4;
using rill::ip::make_address_v4;

static_assert(std::is_trivially_copyable_v<address_v4>);
static_assert(std::is_nothrow_default_constructible_v<address_v4>);
static_assert(std::is_same_v<address_v4::bytes_type, std::array<unsigned char, 4>>);
static_assert(address_v4(0x7F000001) == address_v4::loopback());
static_assert(address_v4({192, 168, 1, 2}).to_uint() == 0xC0A80102);
static_assert(address_v4(0xC0A80102).to_bytes() == address_v4::bytes_type{192, 168, 1, 2});
static_assert(address_v4::any().is_unspecified());
static_assert(address_v4() < address_v4::loopback());
// Not constructible from text implicitly: text must go through make_address_v4.
static_assert(!std::is_convertible_v<const char*, address_v4>);
static_assert(!std::is_convertible_v<address_v4::uint_type, address_v4>);

TEST(ip_address_v4, default_is_unspecified) {
  const address_v4 a;
  EXPECT_EQ(a.to_uint(), 0u);
  EXPECT_TRUE(a.is_unspecified());
  EXPECT_FALSE(a.is_loopback());
  EXPECT_FALSE(a.is_multicast());
  EXPECT_EQ(a.to_string(), "0.0.0.0");
  EXPECT_EQ(a, address_v4::any());
}

TEST(ip_address_v4, bytes_and_uint_are_network_order) {
  const address_v4 a(address_v4::bytes_type{10, 20, 30, 40});
  EXPECT_EQ(a.to_uint(), 0x0A141E28u);
  EXPECT_EQ(a.to_string(), "10.20.30.40");
  EXPECT_EQ(make_address_v4(0x0A141E28u), a);
  EXPECT_EQ(make_address_v4(address_v4::bytes_type{10, 20, 30, 40}), a);
  EXPECT_EQ(a.to_bytes(), (address_v4::bytes_type{10, 20, 30, 40}));
}

TEST(ip_address_v4, well_known_addresses) {
  EXPECT_EQ(address_v4::any().to_string(), "0.0.0.0");
  EXPECT_EQ(address_v4::loopback().to_string(), "127.0.0.1");
  EXPECT_EQ(address_v4::broadcast().to_string(), "255.255.255.255");
  EXPECT_TRUE(address_v4::loopback().is_loopback());
  EXPECT_FALSE(address_v4::broadcast().is_multicast());
}

TEST(ip_address_v4, predicates) {
  EXPECT_TRUE(make_address_v4("127.255.0.9").is_loopback());
  EXPECT_FALSE(make_address_v4("128.0.0.1").is_loopback());
  EXPECT_TRUE(make_address_v4("224.0.0.1").is_multicast());
  EXPECT_TRUE(make_address_v4("239.255.255.255").is_multicast());
  EXPECT_FALSE(make_address_v4("223.255.255.255").is_multicast());
  EXPECT_FALSE(make_address_v4("240.0.0.0").is_multicast());
  EXPECT_FALSE(make_address_v4("0.0.0.1").is_unspecified());
}

TEST(ip_address_v4, text_round_trips) {
  for (const char* text :
       {"0.0.0.0", "1.2.3.4", "127.0.0.1", "192.168.100.200", "255.255.255.255", "10.0.0.255"}) {
    SCOPED_TRACE(text);
    rill::error_code ec = rill::error::timed_out;  // must be cleared on success
    const address_v4 a = make_address_v4(text, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(a.to_string(), text);
    // Every text overload gives the same address.
    EXPECT_EQ(make_address_v4(std::string(text)), a);
    EXPECT_EQ(make_address_v4(std::string_view(text)), a);
    EXPECT_EQ(make_address_v4(text), a);
  }
}

TEST(ip_address_v4, string_view_need_not_be_terminated) {
  const std::string_view text = "10.1.2.34567";
  EXPECT_EQ(make_address_v4(text.substr(0, 8)), address_v4({10, 1, 2, 3}));
}

// Bad text gives invalid_argument, in the system category, and the
// unspecified address; the throwing overloads throw system_error with it.
void expect_invalid(std::string_view text) {
  rill::error_code ec;
  const address_v4 a = make_address_v4(text, ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(ec.category(), std::system_category());
  EXPECT_EQ(a, address_v4());

  ec.clear();
  EXPECT_EQ(make_address_v4(std::string(text), ec), address_v4());
  EXPECT_EQ(ec, rill::error::invalid_argument);

  try {
    (void)make_address_v4(text);
    ADD_FAILURE() << "no exception";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::invalid_argument);
  }
  EXPECT_THROW((void)make_address_v4(std::string(text)), rill::system_error);
}

TEST(ip_address_v4, invalid_text) {
  for (const char* text :
       {"", "1.2.3", "256.0.0.1", "1.2.3.4.5", "1.2.3.-4", "a.b.c.d", "1.2.3.4 ", " 1.2.3.4",
        "1..2.3", "1.2.3.", ".1.2.3", "::1", "1.2.3.4%1", "0x1.2.3.4", "1.2.3.1000", "localhost"}) {
    SCOPED_TRACE(text);
    expect_invalid(text);
    rill::error_code ec;
    (void)make_address_v4(text, ec);
    EXPECT_EQ(ec, rill::error::invalid_argument);
    EXPECT_THROW((void)make_address_v4(text), rill::system_error);
  }
}

TEST(ip_address_v4, very_long_text_is_invalid) {
  expect_invalid(std::string(100000, '1'));
  expect_invalid("1.2.3.4" + std::string(1000, ' '));
  expect_invalid(std::string(15, '0'));  // one short of INET_ADDRSTRLEN, still not an address
}

// A const char* ends at its '\0', but the string forms carry their length:
// an embedded '\0' must not quietly cut the text short.
TEST(ip_address_v4, embedded_nul_is_invalid) {
  expect_invalid(std::string_view("1.2.3.4\0junk", 12));
  expect_invalid(std::string_view("1.2.3.4\0", 8));
  EXPECT_EQ(make_address_v4("1.2.3.4\0junk"), address_v4({1, 2, 3, 4}));
}

TEST(ip_address_v4, null_pointer_is_invalid) {
  rill::error_code ec;
  EXPECT_EQ(make_address_v4(static_cast<const char*>(nullptr), ec), address_v4());
  EXPECT_EQ(ec, rill::error::invalid_argument);
  EXPECT_THROW((void)make_address_v4(static_cast<const char*>(nullptr)), rill::system_error);
}

TEST(ip_address_v4, parsing_does_not_allocate) {
  rill::error_code ec;
  rill_test::heap_scope heap;
  const address_v4 a = make_address_v4(std::string_view("192.0.2.1"), ec);
  const address_v4 b = make_address_v4("192.0.2.300", ec);
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(a, address_v4({192, 0, 2, 1}));
  EXPECT_EQ(b, address_v4());
}

TEST(ip_address_v4, ordering_is_numeric) {
  std::vector<address_v4> v{make_address_v4("10.0.0.1"), make_address_v4("9.255.255.255"),
                            make_address_v4("10.0.0.0"), make_address_v4("255.0.0.0"),
                            make_address_v4("0.0.0.1")};
  std::sort(v.begin(), v.end());
  std::vector<std::string> text;
  for (const address_v4& a : v) text.push_back(a.to_string());
  EXPECT_EQ(text, (std::vector<std::string>{"0.0.0.1", "9.255.255.255", "10.0.0.0", "10.0.0.1",
                                            "255.0.0.0"}));

  const address_v4 a = make_address_v4("1.2.3.4");
  const address_v4 b = make_address_v4("1.2.4.3");
  EXPECT_LT(a, b);
  EXPECT_LE(a, b);
  EXPECT_GT(b, a);
  EXPECT_GE(b, a);
  EXPECT_NE(a, b);
  EXPECT_EQ(a <=> b, std::strong_ordering::less);
  EXPECT_EQ(a <=> a, std::strong_ordering::equal);
  // The order of the addresses is the order of their numbers.
  EXPECT_EQ(a <=> b, a.to_uint() <=> b.to_uint());
}

TEST(ip_address_v4, hashing) {
  const std::hash<address_v4> h;
  EXPECT_EQ(h(make_address_v4("1.2.3.4")), h(address_v4(0x01020304)));
  std::unordered_set<address_v4> set;
  for (address_v4::uint_type i = 0; i < 1000; ++i) set.insert(address_v4(0x0A000000 + i));
  set.insert(make_address_v4("10.0.0.5"));  // already there
  EXPECT_EQ(set.size(), 1000u);
  EXPECT_EQ(set.count(make_address_v4("10.0.3.231")), 1u);
  EXPECT_EQ(set.count(make_address_v4("10.0.3.232")), 0u);
}

TEST(ip_address_v4, stream_output) {
  std::ostringstream os;
  os << make_address_v4("172.16.0.1") << '|' << address_v4();
  EXPECT_EQ(os.str(), "172.16.0.1|0.0.0.0");
  std::wostringstream wos;
  wos << address_v4::broadcast();
  EXPECT_EQ(wos.str(), L"255.255.255.255");
}

}  // namespace
