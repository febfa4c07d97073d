// local::stream_protocol: AF_UNIX / SOCK_STREAM and its endpoint type.
#include <rill/local/stream_protocol.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <type_traits>

#include <rill/local/basic_endpoint.hpp>

#include "support/raw_socket.hpp"

namespace {

using rill::local::stream_protocol;

static_assert(
    std::is_same_v<stream_protocol::endpoint, rill::local::basic_endpoint<stream_protocol>>);
static_assert(stream_protocol().family() == AF_UNIX);
static_assert(stream_protocol().type() == SOCK_STREAM);
static_assert(stream_protocol().protocol() == 0);

TEST(local_stream_protocol, values_make_a_stream_socket) {
  rill_test::raw_socket s{stream_protocol()};
  ASSERT_TRUE(s.is_open()) << s.error();
  int type = 0;
  socklen_t len = sizeof(type);
  ASSERT_EQ(::getsockopt(s.fd(), SOL_SOCKET, SO_TYPE, &type, &len), 0);
  EXPECT_EQ(type, SOCK_STREAM);
  EXPECT_EQ(s.close(), 0);
}

}  // namespace
