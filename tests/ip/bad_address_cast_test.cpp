// ip::bad_address_cast: a std::bad_cast with Asio's message.
#include <rill/ip/bad_address_cast.hpp>

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <typeinfo>

namespace {

static_assert(std::is_base_of_v<std::bad_cast, rill::ip::bad_address_cast>);
static_assert(std::is_nothrow_default_constructible_v<rill::ip::bad_address_cast>);
static_assert(std::is_nothrow_copy_constructible_v<rill::ip::bad_address_cast>);

TEST(ip_bad_address_cast, message) {
  const rill::ip::bad_address_cast e;
  EXPECT_EQ(std::string(e.what()), "bad address cast");
  const std::exception& base = e;
  EXPECT_EQ(std::string(base.what()), "bad address cast");
}

TEST(ip_bad_address_cast, caught_as_bad_cast) {
  bool caught = false;
  try {
    throw rill::ip::bad_address_cast();
  } catch (const std::bad_cast& e) {
    caught = true;
    EXPECT_EQ(std::string(e.what()), "bad address cast");
  }
  EXPECT_TRUE(caught);
}

}  // namespace
