// ip::address_v4_iterator: stepping through consecutive addresses, with wrap-around.
#include <rill/ip/address_v4_iterator.hpp>

#include <gtest/gtest.h>

#include <iterator>
#include <type_traits>

#include <rill/ip/address_v4.hpp>

namespace {

using rill::ip::address_v4;
using rill::ip::address_v4_iterator;

static_assert(std::is_same_v<address_v4_iterator::value_type, address_v4>);
static_assert(std::is_same_v<address_v4_iterator::reference, const address_v4&>);
static_assert(std::is_same_v<std::iterator_traits<address_v4_iterator>::iterator_category,
                             std::input_iterator_tag>);

TEST(ip_address_v4_iterator, steps_forward_and_back) {
  address_v4_iterator it(rill::ip::make_address_v4("10.0.0.255"));
  EXPECT_EQ(*it, rill::ip::make_address_v4("10.0.0.255"));
  ++it;
  EXPECT_EQ(*it, rill::ip::make_address_v4("10.0.1.0"));
  const address_v4_iterator old = it++;
  EXPECT_EQ(*old, rill::ip::make_address_v4("10.0.1.0"));
  EXPECT_EQ(it->to_string(), "10.0.1.1");
  --it;
  EXPECT_EQ(it, old);
  it--;
  EXPECT_EQ(*it, rill::ip::make_address_v4("10.0.0.255"));
  EXPECT_NE(it, old);
}

TEST(ip_address_v4_iterator, wraps_around) {
  address_v4_iterator it(address_v4::broadcast());
  ++it;
  EXPECT_EQ(*it, address_v4::any());
  --it;
  EXPECT_EQ(*it, address_v4::broadcast());
}

}  // namespace
