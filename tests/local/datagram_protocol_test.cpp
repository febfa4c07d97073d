// local::datagram_protocol: AF_UNIX / SOCK_DGRAM and its endpoint type.
#include <rill/local/datagram_protocol.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <type_traits>

#include <rill/local/basic_endpoint.hpp>

#include "support/raw_socket.hpp"

namespace {

using rill::local::datagram_protocol;

static_assert(
    std::is_same_v<datagram_protocol::endpoint, rill::local::basic_endpoint<datagram_protocol>>);
static_assert(datagram_protocol().family() == AF_UNIX);
static_assert(datagram_protocol().type() == SOCK_DGRAM);
static_assert(datagram_protocol().protocol() == 0);

TEST(local_datagram_protocol, values_make_a_datagram_socket) {
  rill_test::raw_socket s{datagram_protocol()};
  ASSERT_TRUE(s.is_open()) << s.error();
  int type = 0;
  socklen_t len = sizeof(type);
  ASSERT_EQ(::getsockopt(s.fd(), SOL_SOCKET, SO_TYPE, &type, &len), 0);
  EXPECT_EQ(type, SOCK_DGRAM);
  EXPECT_EQ(s.close(), 0);
}

}  // namespace
