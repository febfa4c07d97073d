// local::basic_endpoint: filesystem and abstract paths over sockaddr_un, the
// length limit, ordering, printing, and the data()/size()/resize() contract.
#include <rill/local/basic_endpoint.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <rill/detail/config.hpp>
#include <rill/error.hpp>
#include <rill/local/datagram_protocol.hpp>
#include <rill/local/stream_protocol.hpp>
#include <rill/system_error.hpp>

#include "support/raw_socket.hpp"

namespace {

using rill::local::datagram_protocol;
using rill::local::stream_protocol;
using endpoint = stream_protocol::endpoint;

static_assert(RILL_HAS_LOCAL_SOCKETS == 1);
static_assert(std::is_same_v<endpoint, rill::local::basic_endpoint<stream_protocol>>);
static_assert(std::is_same_v<endpoint::protocol_type, stream_protocol>);
static_assert(std::is_same_v<endpoint::data_type, sockaddr>);
// A path converts implicitly, as in Asio.
static_assert(std::is_convertible_v<const char*, endpoint>);
static_assert(std::is_convertible_v<std::string, endpoint>);
static_assert(std::is_convertible_v<std::string_view, endpoint>);

constexpr std::size_t path_offset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t max_path = sizeof(sockaddr_un::sun_path) - 1;  // 107 on Linux

TEST(local_basic_endpoint, default_is_unnamed) {
  const endpoint ep;
  EXPECT_EQ(ep.path(), "");
  EXPECT_EQ(ep.size(), path_offset);
  EXPECT_EQ(ep.data()->sa_family, AF_UNIX);
  EXPECT_EQ(ep.capacity(), sizeof(sockaddr_un));
}

TEST(local_basic_endpoint, filesystem_path) {
  const endpoint ep("/tmp/rill.sock");
  EXPECT_EQ(ep.path(), "/tmp/rill.sock");
  // No terminating '\0' is counted.
  EXPECT_EQ(ep.size(), path_offset + 14);
  sockaddr_un sun{};
  std::memcpy(&sun, ep.data(), ep.size());
  EXPECT_EQ(sun.sun_family, AF_UNIX);
  EXPECT_EQ(std::string_view(sun.sun_path, 14), "/tmp/rill.sock");
  // Every constructor and setter agrees.
  EXPECT_EQ(endpoint(std::string("/tmp/rill.sock")), ep);
  EXPECT_EQ(endpoint(std::string_view("/tmp/rill.sock")), ep);
  endpoint other;
  other.path("/tmp/rill.sock");
  EXPECT_EQ(other, ep);
  other.path(std::string("x"));
  EXPECT_EQ(other.path(), "x");
  other.path(std::string_view("yz"));
  EXPECT_EQ(other.path(), "yz");
  EXPECT_EQ(other.size(), path_offset + 2);
}

TEST(local_basic_endpoint, abstract_path_keeps_every_byte) {
  const std::string name("\0rill\0test", 10);
  const endpoint ep(name);
  EXPECT_EQ(ep.path(), name);
  EXPECT_EQ(ep.path().size(), 10u);
  EXPECT_EQ(ep.size(), path_offset + 10);
  EXPECT_EQ(ep.data()->sa_data[0], '\0');
  EXPECT_NE(ep, endpoint(std::string("\0rill", 5)));
  // A const char* ends at its first '\0', so it cannot name an abstract socket.
  EXPECT_EQ(endpoint("\0rill").path(), "");
}

TEST(local_basic_endpoint, longest_path_fits) {
  const std::string longest(max_path, 'a');
  const endpoint ep(longest);
  EXPECT_EQ(ep.path(), longest);
  EXPECT_EQ(ep.size(), path_offset + max_path);
  EXPECT_LE(ep.size(), ep.capacity());
  const std::string abstract = '\0' + std::string(max_path - 1, 'b');
  EXPECT_EQ(endpoint(abstract).path(), abstract);
}

TEST(local_basic_endpoint, too_long_path_is_name_too_long) {
  const std::string too_long(max_path + 1, 'a');
  auto expect_name_too_long = [](auto&& make) {
    try {
      make();
      ADD_FAILURE() << "no exception";
    } catch (const rill::system_error& e) {
      EXPECT_EQ(e.code(), rill::error::name_too_long);
      EXPECT_EQ(e.code(), std::errc::filename_too_long);
    }
  };
  expect_name_too_long([&] { (void)endpoint(too_long); });
  expect_name_too_long([&] { (void)endpoint(too_long.c_str()); });
  expect_name_too_long([&] { (void)endpoint(std::string_view(too_long)); });
  expect_name_too_long([&] { (void)endpoint(std::string(100000, '/')); });
  expect_name_too_long([&] { (void)endpoint('\0' + std::string(max_path, 'b')); });
  // A failed setter leaves the endpoint as it was.
  endpoint ep("/kept");
  expect_name_too_long([&] { ep.path(too_long); });
  expect_name_too_long([&] { ep.path(too_long.c_str()); });
  EXPECT_EQ(ep.path(), "/kept");
  EXPECT_EQ(ep.size(), path_offset + 5);
}

TEST(local_basic_endpoint, resize_drops_the_kernel_terminator) {
  endpoint ep("/tmp/x");
  // The kernel reports a filesystem path with its '\0'.
  ep.resize(path_offset + 7);
  EXPECT_EQ(ep.path(), "/tmp/x");
  ep.resize(path_offset + 6);
  EXPECT_EQ(ep.path(), "/tmp/x");
  ep.resize(path_offset + 3);
  EXPECT_EQ(ep.path(), "/tm");
  // An unnamed peer: just the family, or nothing at all.
  ep.resize(path_offset);
  EXPECT_EQ(ep.path(), "");
  ep.resize(0);
  EXPECT_EQ(ep.path(), "");
  ep.resize(1);
  EXPECT_EQ(ep.path(), "");
  ep.resize(ep.capacity());
  EXPECT_EQ(ep.size(), ep.capacity() - 1);  // the zero fill after "/tmp/x" ends in '\0'
  try {
    ep.resize(ep.capacity() + 1);
    ADD_FAILURE() << "no exception";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::invalid_argument);
  }
}

TEST(local_basic_endpoint, ordering_and_equality_by_path) {
  std::vector<endpoint> v{endpoint("/b"), endpoint("/a/z"), endpoint(""), endpoint("/a"),
                          endpoint(std::string("\0a", 2))};
  std::sort(v.begin(), v.end());
  std::vector<std::string> paths;
  for (const endpoint& ep : v) paths.push_back(ep.path());
  EXPECT_EQ(paths, (std::vector<std::string>{"", std::string("\0a", 2), "/a", "/a/z", "/b"}));
  EXPECT_LT(endpoint("/a"), endpoint("/b"));
  EXPECT_LE(endpoint("/a"), endpoint("/a"));
  EXPECT_GT(endpoint("/b"), endpoint("/a"));
  EXPECT_GE(endpoint("/b"), endpoint("/b"));
  EXPECT_NE(endpoint("/a"), endpoint("/a/"));
  EXPECT_EQ(endpoint("/a") <=> endpoint("/a"), std::strong_ordering::equal);
}

TEST(local_basic_endpoint, protocol) {
  EXPECT_EQ(endpoint("/x").protocol().family(), AF_UNIX);
  EXPECT_EQ(datagram_protocol::endpoint("/x").protocol().type(), SOCK_DGRAM);
}

TEST(local_basic_endpoint, stream_output_is_the_path) {
  std::ostringstream os;
  os << endpoint("/run/app.sock");
  EXPECT_EQ(os.str(), "/run/app.sock");
  // As in Asio, an abstract name is written as it is, '\0' included.
  std::ostringstream abstract;
  abstract << endpoint(std::string("\0app", 4));
  EXPECT_EQ(abstract.str(), std::string("\0app", 4));
}

// The contract with the socket classes: bind() takes data()/size(), and
// getsockname() writes into data() up to capacity() and is followed by
// resize().
TEST(local_basic_endpoint, kernel_round_trip_abstract) {
  const datagram_protocol p;
  rill_test::raw_socket s(p);
  ASSERT_TRUE(s.is_open());
  const std::string name = std::string(1, '\0') + "rill-test-" + std::to_string(::getpid());
  const datagram_protocol::endpoint bound(name);
  ASSERT_EQ(::bind(s.fd(), bound.data(), static_cast<socklen_t>(bound.size())), 0);
  datagram_protocol::endpoint local;
  auto len = static_cast<socklen_t>(local.capacity());
  ASSERT_EQ(::getsockname(s.fd(), local.data(), &len), 0);
  local.resize(len);
  EXPECT_EQ(local, bound);
  EXPECT_EQ(local.path(), name);
  EXPECT_EQ(s.close(), 0);
}

TEST(local_basic_endpoint, kernel_round_trip_filesystem) {
  std::string dir = ::testing::TempDir() + "rill-local-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/s";
  const stream_protocol p;
  rill_test::raw_socket s(p);
  ASSERT_TRUE(s.is_open());
  const endpoint bound(path);
  ASSERT_EQ(::bind(s.fd(), bound.data(), static_cast<socklen_t>(bound.size())), 0);
  endpoint local;
  auto len = static_cast<socklen_t>(local.capacity());
  ASSERT_EQ(::getsockname(s.fd(), local.data(), &len), 0);
  local.resize(len);
  EXPECT_EQ(local.path(), path);
  EXPECT_EQ(local, bound);
  EXPECT_EQ(s.close(), 0);
  EXPECT_EQ(::unlink(path.c_str()), 0);
  EXPECT_EQ(::rmdir(dir.c_str()), 0);
}

TEST(local_basic_endpoint, kernel_round_trip_unnamed_peer) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  rill_test::raw_socket a(fds[0]);
  rill_test::raw_socket b(fds[1]);
  endpoint peer("/stale");
  auto len = static_cast<socklen_t>(peer.capacity());
  ASSERT_EQ(::getpeername(a.fd(), peer.data(), &len), 0);
  peer.resize(len);
  EXPECT_EQ(peer.path(), "");
  EXPECT_EQ(a.close(), 0);
  EXPECT_EQ(b.close(), 0);
}

}  // namespace
