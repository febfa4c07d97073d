// detail::local_endpoint: the sockaddr_un itself, below local::basic_endpoint.
#include <rill/detail/local_endpoint.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using rill::detail::local_endpoint;

TEST(detail_local_endpoint, new_path_clears_the_old_one) {
  local_endpoint ep(std::string_view("/a/long/path"));
  ep.path(std::string_view("/b"));
  EXPECT_EQ(ep.path(), "/b");
  EXPECT_EQ(ep.path_view(), "/b");
  // The bytes after the path are zero, so a kernel reading a terminated
  // string finds "/b" and nothing more.
  sockaddr_un sun{};
  std::memcpy(&sun, ep.data(), sizeof(sun));
  EXPECT_STREQ(sun.sun_path, "/b");
}

TEST(detail_local_endpoint, kernel_written_path) {
  local_endpoint ep;
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strcpy(sun.sun_path, "/run/x");
  std::memcpy(ep.data(), &sun, sizeof(sun));
  ep.resize(offsetof(sockaddr_un, sun_path) + 7);  // the kernel counts the '\0'
  EXPECT_EQ(ep.path(), "/run/x");
  EXPECT_EQ(ep.size(), offsetof(sockaddr_un, sun_path) + 6);
}

}  // namespace
