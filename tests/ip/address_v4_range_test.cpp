// ip::address_v4_range: the half-open range [first, last) of IPv4 addresses.
#include <rill/ip/address_v4_range.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <rill/ip/address_v4.hpp>

namespace {

using rill::ip::address_v4;
using rill::ip::address_v4_range;
using rill::ip::make_address_v4;

TEST(ip_address_v4_range, default_is_empty) {
  const address_v4_range r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.begin(), r.end());
  EXPECT_EQ(r.find(address_v4()), r.end());
}

TEST(ip_address_v4_range, iterates_half_open) {
  const address_v4_range r(make_address_v4("192.0.2.254"), make_address_v4("192.0.3.1"));
  EXPECT_FALSE(r.empty());
  EXPECT_EQ(r.size(), 3u);
  std::vector<std::string> seen;
  for (const address_v4& a : r) seen.push_back(a.to_string());
  EXPECT_EQ(seen, (std::vector<std::string>{"192.0.2.254", "192.0.2.255", "192.0.3.0"}));
}

TEST(ip_address_v4_range, find) {
  const address_v4_range r(make_address_v4("10.0.0.10"), make_address_v4("10.0.0.20"));
  EXPECT_EQ(*r.find(make_address_v4("10.0.0.10")), make_address_v4("10.0.0.10"));
  EXPECT_EQ(*r.find(make_address_v4("10.0.0.19")), make_address_v4("10.0.0.19"));
  EXPECT_EQ(r.find(make_address_v4("10.0.0.20")), r.end());
  EXPECT_EQ(r.find(make_address_v4("10.0.0.9")), r.end());
}

}  // namespace
