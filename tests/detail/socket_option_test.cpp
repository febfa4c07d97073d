// The generic socket options (boolean, integer, linger), tested as plain values
// with a stand-in protocol: the interface the socket classes rely on.
#include <rill/detail/socket_option.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace {

namespace option = rill::detail::socket_option;

// Any type will do: these options ignore the protocol.
struct any_protocol {
  int family() const { return AF_INET; }
};

using flag = option::boolean<11, 22>;
using number = option::integer<33, 44>;
using linger = option::linger<55, 66>;

static_assert(flag().level(any_protocol()) == 11);
static_assert(flag().name(any_protocol()) == 22);
static_assert(number().level(any_protocol()) == 33);
static_assert(number().name(any_protocol()) == 44);
static_assert(linger().level(any_protocol()) == 55);
static_assert(linger().name(any_protocol()) == 66);
static_assert(std::is_same_v<decltype(flag().data(any_protocol())), int*>);
static_assert(
    std::is_same_v<decltype(std::declval<const flag&>().data(any_protocol())), const int*>);
static_assert(std::is_same_v<decltype(linger().data(any_protocol())), ::linger*>);
// Booleans convert explicitly only through value(), operator bool and !.
static_assert(!std::is_convertible_v<bool, flag>);
static_assert(!std::is_convertible_v<int, number>);
static_assert(rill::detail::custom_socket_option_level == static_cast<int>(0xA5100000u));

TEST(detail_socket_option, boolean_value_and_data) {
  flag f;
  EXPECT_FALSE(f.value());
  EXPECT_EQ(*f.data(any_protocol()), 0);
  f = true;
  EXPECT_TRUE(f);
  EXPECT_EQ(*f.data(any_protocol()), 1);
  EXPECT_EQ(f.size(any_protocol()), sizeof(int));
  // What the kernel writes is any non-zero int.
  *f.data(any_protocol()) = 42;
  f.resize(any_protocol(), sizeof(int));
  EXPECT_TRUE(f.value());
  EXPECT_FALSE(!f);
}

TEST(detail_socket_option, boolean_accepts_a_one_byte_answer) {
  flag f(false);
  // The kernel wrote one byte at the start of the int; the rest is stale.
  int* data = f.data(any_protocol());
  *data = 0x7F7F7F00;
  unsigned char one = 1;
  std::memcpy(data, &one, 1);
  f.resize(any_protocol(), 1);
  EXPECT_TRUE(f.value());
  EXPECT_EQ(*data, 1);

  *data = 0x7F7F7F7F;
  unsigned char zero = 0;
  std::memcpy(data, &zero, 1);
  f.resize(any_protocol(), 1);
  EXPECT_FALSE(f.value());
  EXPECT_EQ(*data, 0);
}

TEST(detail_socket_option, wrong_sizes_throw_length_error) {
  flag f;
  EXPECT_THROW(f.resize(any_protocol(), 0), std::length_error);
  EXPECT_THROW(f.resize(any_protocol(), 2), std::length_error);
  EXPECT_THROW(f.resize(any_protocol(), 8), std::length_error);
  number n;
  EXPECT_NO_THROW(n.resize(any_protocol(), sizeof(int)));
  EXPECT_THROW(n.resize(any_protocol(), 1), std::length_error);
  linger l;
  EXPECT_NO_THROW(l.resize(any_protocol(), sizeof(::linger)));
  EXPECT_THROW(l.resize(any_protocol(), sizeof(int)), std::length_error);
}

TEST(detail_socket_option, integer_value) {
  number n(-5);
  EXPECT_EQ(n.value(), -5);
  n = 1 << 20;
  EXPECT_EQ(*n.data(any_protocol()), 1 << 20);
  EXPECT_EQ(n.size(any_protocol()), sizeof(int));
  EXPECT_EQ(number().value(), 0);
}

TEST(detail_socket_option, linger_fields) {
  const linger l(true, 12);
  EXPECT_TRUE(l.enabled());
  EXPECT_EQ(l.timeout(), 12);
  EXPECT_EQ(l.data(any_protocol())->l_onoff, 1);
  EXPECT_EQ(l.data(any_protocol())->l_linger, 12);
  EXPECT_EQ(l.size(any_protocol()), sizeof(::linger));
  linger m;
  EXPECT_FALSE(m.enabled());
  m.enabled(true);
  m.timeout(3);
  EXPECT_TRUE(m.enabled());
  EXPECT_EQ(m.timeout(), 3);
}

}  // namespace
