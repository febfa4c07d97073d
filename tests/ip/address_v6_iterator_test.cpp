// ip::address_v6_iterator: 128-bit increment and decrement with carry.
#include <rill/ip/address_v6_iterator.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/ip/address_v6.hpp>

namespace {

using rill::ip::address_v6;
using rill::ip::address_v6_iterator;
using rill::ip::make_address_v6;

static_assert(std::is_same_v<address_v6_iterator::value_type, address_v6>);

TEST(ip_address_v6_iterator, carries_across_bytes) {
  address_v6_iterator it(make_address_v6("2001:db8::ffff"));
  ++it;
  EXPECT_EQ(it->to_string(), "2001:db8::1:0");
  --it;
  EXPECT_EQ(it->to_string(), "2001:db8::ffff");
  address_v6_iterator top(make_address_v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  top++;
  EXPECT_EQ(*top, address_v6::any());
  top--;
  EXPECT_EQ(top->to_string(), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(ip_address_v6_iterator, keeps_the_scope_id) {
  address_v6_iterator it(make_address_v6("fe80::1%3"));
  ++it;
  EXPECT_EQ(*it, make_address_v6("fe80::2%3"));
}

}  // namespace
