// ip::address_v6_range: the half-open range [first, last) of IPv6 addresses.
#include <rill/ip/address_v6_range.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <rill/ip/address_v6.hpp>

namespace {

using rill::ip::address_v6_range;
using rill::ip::make_address_v6;

TEST(ip_address_v6_range, default_is_empty) {
  const address_v6_range r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.begin(), r.end());
}

TEST(ip_address_v6_range, iterates_and_finds) {
  const address_v6_range r(make_address_v6("2001:db8::fffe"), make_address_v6("2001:db8::1:1"));
  EXPECT_FALSE(r.empty());
  std::vector<std::string> seen;
  for (const auto& a : r) seen.push_back(a.to_string());
  EXPECT_EQ(seen, (std::vector<std::string>{"2001:db8::fffe", "2001:db8::ffff", "2001:db8::1:0"}));
  EXPECT_EQ(*r.find(make_address_v6("2001:db8::ffff")), make_address_v6("2001:db8::ffff"));
  EXPECT_EQ(r.find(make_address_v6("2001:db8::1:1")), r.end());
  EXPECT_EQ(r.find(make_address_v6("::1")), r.end());
}

}  // namespace
