// socket_ops: the errno-safe wrappers, on descriptors made here. Mostly the
// cases the socket classes rely on: rill's own option level, and calls on
// no descriptor failing at once with bad_descriptor.
#include <rill/detail/socket_ops.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <system_error>

#include <rill/detail/socket_option.hpp>
#include <rill/error.hpp>

namespace {

namespace ops = rill::detail::socket_ops;

struct socket_holder {
  socket_holder() {
    std::error_code ec;
    fd = ops::socket(AF_INET, SOCK_STREAM, 0, ec);
  }
  ~socket_holder() {
    if (fd >= 0) ::close(fd);
  }
  socket_holder(const socket_holder&) = delete;
  socket_holder& operator=(const socket_holder&) = delete;
  int fd = -1;
};

constexpr int custom = rill::detail::custom_socket_option_level;

TEST(socket_ops, enable_connection_aborted_is_a_state_bit) {
  socket_holder s;
  ASSERT_GE(s.fd, 0);
  ops::state_type state = 0;
  std::error_code ec = rill::error::timed_out;
  int on = 1;
  EXPECT_EQ(ops::setsockopt(s.fd, state, custom, rill::detail::enable_connection_aborted_option,
                            &on, sizeof(on), ec),
            0);
  EXPECT_FALSE(ec);
  EXPECT_NE(state & ops::enable_connection_aborted, 0);

  int value = -1;
  std::size_t len = sizeof(value);
  EXPECT_EQ(ops::getsockopt(s.fd, state, custom, rill::detail::enable_connection_aborted_option,
                            &value, &len, ec),
            0);
  EXPECT_FALSE(ec);
  EXPECT_EQ(value, 1);

  int off = 0;
  ops::setsockopt(s.fd, state, custom, rill::detail::enable_connection_aborted_option, &off,
                  sizeof(off), ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(state & ops::enable_connection_aborted, 0);
  ops::getsockopt(s.fd, state, custom, rill::detail::enable_connection_aborted_option, &value, &len,
                  ec);
  EXPECT_EQ(value, 0);

  // It is an int option: another size is invalid.
  char small = 1;
  ops::setsockopt(s.fd, state, custom, rill::detail::enable_connection_aborted_option, &small,
                  sizeof(small), ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  std::size_t small_len = sizeof(small);
  ops::getsockopt(s.fd, state, custom, rill::detail::enable_connection_aborted_option, &small,
                  &small_len, ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
}

TEST(socket_ops, always_fail_option_fails) {
  socket_holder s;
  ASSERT_GE(s.fd, 0);
  ops::state_type state = 0;
  std::error_code ec;
  int value = 1;
  std::size_t len = sizeof(value);
  EXPECT_NE(ops::setsockopt(s.fd, state, custom, rill::detail::always_fail_option, &value,
                            sizeof(value), ec),
            0);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  EXPECT_NE(
      ops::getsockopt(s.fd, state, custom, rill::detail::always_fail_option, &value, &len, ec), 0);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  EXPECT_EQ(state, 0);
}

TEST(socket_ops, no_descriptor_fails_at_once) {
  std::error_code ec;
  ops::state_type state = 0;
  EXPECT_LT(ops::poll_read(ops::invalid_socket, state, -1, ec), 0);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  EXPECT_LT(ops::poll_write(ops::invalid_socket, state, -1, ec), 0);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  EXPECT_LT(ops::poll_error(ops::invalid_socket, state, -1, ec), 0);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  int value = 0;
  std::size_t len = sizeof(value);
  ops::getsockopt(ops::invalid_socket, state, custom,
                  rill::detail::enable_connection_aborted_option, &value, &len, ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  EXPECT_EQ(ops::sync_accept(ops::invalid_socket, state, nullptr, nullptr, ec),
            ops::invalid_socket);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  // Closing nothing is not an error.
  ec = rill::error::timed_out;
  EXPECT_EQ(ops::close(ops::invalid_socket, state, false, ec), 0);
  EXPECT_FALSE(ec);
}

}  // namespace
