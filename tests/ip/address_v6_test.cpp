// ip::address_v6: construction, text in and out (with scope ids), predicates,
// IPv4-mapped conversions, ordering, hashing.
#include <rill/ip/address_v6.hpp>

#include <gtest/gtest.h>
#include <net/if.h>

#include <algorithm>
#include <array>
#include <compare>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <rill/error.hpp>
#include <rill/ip/bad_address_cast.hpp>
#include <rill/system_error.hpp>

#include "support/heap_counter.hpp"

namespace {

using rill::ip::address_v4;
using rill::ip::address_v6;
using rill::ip::make_address_v4;
using rill::ip::make_address_v6;
using rill::ip::v4_mapped;
using bytes = address_v6::bytes_type;

static_assert(std::is_trivially_copyable_v<address_v6>);
static_assert(std::is_same_v<rill::ip::scope_id_type, std::uint_least32_t>);
static_assert(address_v6::loopback().is_loopback());
static_assert(address_v6::any().is_unspecified());
static_assert(make_address_v6(v4_mapped, address_v4::loopback()).is_v4_mapped());
static_assert(make_address_v4(v4_mapped, make_address_v6(v4_mapped, address_v4(0x01020304))) ==
              address_v4(0x01020304));
static_assert(!std::is_convertible_v<const char*, address_v6>);

// The name of the interface with this index, or "" if there is none.
std::string interface_name(unsigned index) {
  std::array<char, IF_NAMESIZE> name{};
  return ::if_indextoname(index, name.data()) != nullptr ? std::string(name.data()) : "";
}

TEST(ip_address_v6, default_is_unspecified) {
  const address_v6 a;
  EXPECT_TRUE(a.is_unspecified());
  EXPECT_EQ(a.scope_id(), 0u);
  EXPECT_EQ(a.to_string(), "::");
  EXPECT_EQ(a.to_bytes(), bytes{});
  EXPECT_EQ(a, address_v6::any());
}

TEST(ip_address_v6, bytes_and_scope) {
  const bytes b{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  address_v6 a(b, 3);
  EXPECT_EQ(a.to_bytes(), b);
  EXPECT_EQ(a.scope_id(), 3u);
  a.scope_id(9);
  EXPECT_EQ(a.scope_id(), 9u);
  EXPECT_EQ(make_address_v6(b), address_v6(b, 0));
  EXPECT_EQ(make_address_v6(b, 9), a);
}

TEST(ip_address_v6, text_round_trips) {
  for (const char* text :
       {"::", "::1", "fe80::1", "2001:db8::1", "2001:db8:0:1:1:1:1:1", "ff02::1:ff00:1",
        "::ffff:1.2.3.4", "1::", "1:2:3:4:5:6:7:8", "2001:db8::ffff:0:0"}) {
    SCOPED_TRACE(text);
    rill::error_code ec = rill::error::timed_out;  // must be cleared on success
    const address_v6 a = make_address_v6(text, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(a.scope_id(), 0u);
    EXPECT_EQ(a.to_string(), text);
    EXPECT_EQ(make_address_v6(std::string(text)), a);
    EXPECT_EQ(make_address_v6(std::string_view(text)), a);
    EXPECT_EQ(make_address_v6(text), a);
  }
}

TEST(ip_address_v6, text_is_printed_canonically) {
  EXPECT_EQ(make_address_v6("2001:DB8:0:0:0:0:0:1").to_string(), "2001:db8::1");
  EXPECT_EQ(make_address_v6("0:0:0:0:0:0:0:0").to_string(), "::");
  EXPECT_EQ(make_address_v6("::0:1").to_string(), "::1");
  EXPECT_EQ(make_address_v6("0:0:0:0:0:ffff:102:304").to_string(), "::ffff:1.2.3.4");
}

TEST(ip_address_v6, numeric_scope_ids) {
  const address_v6 a = make_address_v6("2001:db8::1%7");
  EXPECT_EQ(a.scope_id(), 7u);
  EXPECT_EQ(a.to_bytes(), make_address_v6("2001:db8::1").to_bytes());
  // A scope that is not an interface by definition is printed as a number.
  EXPECT_EQ(a.to_string(), "2001:db8::1%7");
  EXPECT_EQ(make_address_v6("::1%4294967295").scope_id(), 4294967295u);
  EXPECT_EQ(make_address_v6("::1%0").scope_id(), 0u);
  EXPECT_EQ(make_address_v6("::1%0").to_string(), "::1");
  EXPECT_EQ(make_address_v6("::1%007").scope_id(), 7u);
  // Scope ids take part in equality.
  EXPECT_NE(make_address_v6("2001:db8::1%7"), make_address_v6("2001:db8::1"));
}

TEST(ip_address_v6, link_local_scope_is_printed_as_interface_name) {
  const std::string name = interface_name(1);
  if (name.empty()) GTEST_SKIP() << "no interface with index 1";
  const address_v6 a = make_address_v6("fe80::1%1");
  EXPECT_EQ(a.scope_id(), 1u);
  EXPECT_EQ(a.to_string(), "fe80::1%" + name);
  EXPECT_EQ(make_address_v6("ff02::1%1").to_string(), "ff02::1%" + name);
  // And the name reads back as the same index.
  EXPECT_EQ(make_address_v6(a.to_string()), a);
  EXPECT_EQ(make_address_v6("fe80::1%" + name).scope_id(), 1u);
}

TEST(ip_address_v6, scope_of_a_missing_interface_is_printed_as_a_number) {
  address_v6 a = make_address_v6("fe80::1");
  a.scope_id(4000000000u);
  ASSERT_EQ(interface_name(4000000000u), "");
  EXPECT_EQ(a.to_string(), "fe80::1%4000000000");
  EXPECT_EQ(make_address_v6(a.to_string()), a);
}

// Bad text gives invalid_argument, in the system category, and "::"; the
// throwing overloads throw system_error with it.
void expect_invalid(std::string_view text) {
  rill::error_code ec;
  const address_v6 a = make_address_v6(text, ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  EXPECT_EQ(ec.category(), std::system_category());
  EXPECT_EQ(a, address_v6());
  try {
    (void)make_address_v6(std::string(text));
    ADD_FAILURE() << "no exception";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::invalid_argument);
  }
}

TEST(ip_address_v6, invalid_text) {
  for (const char* text : {"",
                           ":",
                           ":::",
                           "::g",
                           "1::2::3",
                           "12345::",
                           "1:2:3:4:5:6:7:8:9",
                           "1.2.3.4",
                           " ::1",
                           "::1 ",
                           "[::1]",
                           "::1/64",
                           "fe80::1%",
                           "fe80::1%%1",
                           "fe80::1%1%2",
                           "fe80::1%-1",
                           "fe80::1%+1",
                           "fe80::1% 1",
                           "::1%4294967296",
                           "::1%99999999999999999999",
                           "fe80::1%no-such-interface0",
                           "%1",
                           "::ffff:1.2.3.256"}) {
    SCOPED_TRACE(text);
    expect_invalid(text);
    rill::error_code ec;
    (void)make_address_v6(text, ec);
    EXPECT_EQ(ec, rill::error::invalid_argument);
    EXPECT_THROW((void)make_address_v6(text), rill::system_error);
  }
}

TEST(ip_address_v6, very_long_text_is_invalid) {
  expect_invalid(std::string(100000, 'f'));
  expect_invalid(std::string(100000, ':'));
  expect_invalid("::1%" + std::string(100000, '1'));
  expect_invalid("fe80::1%" + std::string(100000, 'x'));
  expect_invalid("::1" + std::string(100000, '%'));
}

TEST(ip_address_v6, embedded_nul_is_invalid) {
  expect_invalid(std::string_view("::1\0", 4));
  expect_invalid(std::string_view("::1%1\0", 6));
  expect_invalid(std::string_view("fe80::1%lo\0x", 12));
  rill::error_code ec;
  EXPECT_EQ(make_address_v6(static_cast<const char*>(nullptr), ec), address_v6());
  EXPECT_EQ(ec, rill::error::invalid_argument);
}

TEST(ip_address_v6, parsing_does_not_allocate) {
  rill::error_code ec;
  rill_test::heap_scope heap;
  const address_v6 a = make_address_v6(std::string_view("2001:db8::1%42"), ec);
  const address_v6 b = make_address_v6("2001:db8::g", ec);
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(a.scope_id(), 42u);
  EXPECT_EQ(b, address_v6());
}

TEST(ip_address_v6, predicates) {
  EXPECT_TRUE(make_address_v6("::1").is_loopback());
  EXPECT_FALSE(make_address_v6("::2").is_loopback());
  EXPECT_FALSE(make_address_v6("1::1").is_loopback());
  EXPECT_TRUE(make_address_v6("::").is_unspecified());
  EXPECT_FALSE(make_address_v6("::1").is_unspecified());
  EXPECT_TRUE(make_address_v6("fe80::1").is_link_local());
  EXPECT_TRUE(make_address_v6("febf::1").is_link_local());
  EXPECT_FALSE(make_address_v6("fec0::1").is_link_local());
  EXPECT_TRUE(make_address_v6("fec0::1").is_site_local());
  EXPECT_TRUE(make_address_v6("::ffff:0.0.0.0").is_v4_mapped());
  EXPECT_FALSE(make_address_v6("::fffe:1.2.3.4").is_v4_mapped());
  EXPECT_FALSE(make_address_v6("1::ffff:1.2.3.4").is_v4_mapped());
  EXPECT_TRUE(make_address_v6("ff00::").is_multicast());
  EXPECT_FALSE(make_address_v6("fe00::").is_multicast());
  EXPECT_TRUE(make_address_v6("ff0e::1").is_multicast_global());
  EXPECT_TRUE(make_address_v6("ff02::1").is_multicast_link_local());
  EXPECT_TRUE(make_address_v6("ff01::1").is_multicast_node_local());
  EXPECT_TRUE(make_address_v6("ff08::1").is_multicast_org_local());
  EXPECT_TRUE(make_address_v6("ff05::1").is_multicast_site_local());
  EXPECT_FALSE(make_address_v6("ff05::1").is_multicast_global());
  EXPECT_FALSE(make_address_v6("fe02::1").is_multicast_link_local());
}

TEST(ip_address_v6, v4_mapped_conversions) {
  const address_v4 v4 = make_address_v4("192.0.2.33");
  const address_v6 mapped = make_address_v6(v4_mapped, v4);
  EXPECT_TRUE(mapped.is_v4_mapped());
  EXPECT_EQ(mapped.to_string(), "::ffff:192.0.2.33");
  EXPECT_EQ(mapped, make_address_v6("::ffff:192.0.2.33"));
  EXPECT_EQ(make_address_v4(v4_mapped, mapped), v4);
  EXPECT_THROW((void)make_address_v4(v4_mapped, address_v6::loopback()),
               rill::ip::bad_address_cast);
  // An IPv4-compatible address (::a.b.c.d) is not IPv4-mapped.
  EXPECT_THROW((void)make_address_v4(v4_mapped, make_address_v6("::192.0.2.33")),
               rill::ip::bad_address_cast);
}

TEST(ip_address_v6, ordering_is_by_bytes_then_scope) {
  std::vector<address_v6> v{make_address_v6("2001:db8::2"),   make_address_v6("::1"),
                            make_address_v6("2001:db8::1%2"), make_address_v6("ff02::1"),
                            make_address_v6("2001:db8::1"),   make_address_v6("::")};
  std::sort(v.begin(), v.end());
  std::vector<std::string> text;
  for (const address_v6& a : v) text.push_back(a.to_string());
  EXPECT_EQ(text, (std::vector<std::string>{"::", "::1", "2001:db8::1", "2001:db8::1%2",
                                            "2001:db8::2", "ff02::1"}));
  const address_v6 a = make_address_v6("2001:db8::1%9");
  const address_v6 b = make_address_v6("2001:db8::2%1");
  EXPECT_LT(a, b);  // bytes before scope
  EXPECT_EQ(a <=> b, std::strong_ordering::less);
  EXPECT_GE(b, a);
  EXPECT_NE(a, b);
}

TEST(ip_address_v6, hashing) {
  const std::hash<address_v6> h;
  EXPECT_EQ(h(make_address_v6("2001:db8::1")), h(make_address_v6("2001:DB8:0::1")));
  std::unordered_set<address_v6> set{make_address_v6("::1"), make_address_v6("::1%1"),
                                     make_address_v6("::2"), make_address_v6("fe80::1"),
                                     make_address_v6("::1")};
  EXPECT_EQ(set.size(), 4u);
  EXPECT_EQ(set.count(make_address_v6("::1%1")), 1u);
  EXPECT_EQ(set.count(make_address_v6("::1%2")), 0u);
  // The scope id takes part in the hash.
  EXPECT_NE(h(make_address_v6("fe80::1%1")), h(make_address_v6("fe80::1%2")));
}

TEST(ip_address_v6, stream_output) {
  std::ostringstream os;
  os << make_address_v6("2001:db8::7") << '|' << address_v6::loopback();
  EXPECT_EQ(os.str(), "2001:db8::7|::1");
  std::wostringstream wos;
  wos << make_address_v6("::ffff:1.2.3.4");
  EXPECT_EQ(wos.str(), L"::ffff:1.2.3.4");
}

}  // namespace
