// socket_base: the shared enums and constants, and every option round-tripped
// through setsockopt/getsockopt (or ioctl) on sockets made with ::socket().
#include <rill/socket_base.hpp>

#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <stdexcept>
#include <type_traits>

#include <rill/detail/socket_option.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/ip/udp.hpp>
#include <rill/local/stream_protocol.hpp>

#include "support/raw_socket.hpp"

namespace {

using rill::socket_base;
using rill::ip::tcp;
using rill::ip::udp;

static_assert(static_cast<int>(socket_base::shutdown_receive) == SHUT_RD);
static_assert(static_cast<int>(socket_base::shutdown_send) == SHUT_WR);
static_assert(static_cast<int>(socket_base::shutdown_both) == SHUT_RDWR);
static_assert(std::is_same_v<socket_base::message_flags, int>);
static_assert(socket_base::message_peek == MSG_PEEK);
static_assert(socket_base::message_out_of_band == MSG_OOB);
static_assert(socket_base::message_do_not_route == MSG_DONTROUTE);
static_assert(socket_base::message_end_of_record == MSG_EOR);
static_assert(socket_base::wait_read != socket_base::wait_write);
static_assert(socket_base::wait_write != socket_base::wait_error);
static_assert(socket_base::max_listen_connections == SOMAXCONN);
// A base for socket classes only: it cannot be destroyed through itself.
static_assert(!std::is_destructible_v<socket_base>);

template <typename Option>
constexpr bool level_and_name(int level, int name) {
  return Option().level(tcp::v4()) == level && Option().name(udp::v6()) == name;
}
static_assert(level_and_name<socket_base::broadcast>(SOL_SOCKET, SO_BROADCAST));
static_assert(level_and_name<socket_base::debug>(SOL_SOCKET, SO_DEBUG));
static_assert(level_and_name<socket_base::do_not_route>(SOL_SOCKET, SO_DONTROUTE));
static_assert(level_and_name<socket_base::keep_alive>(SOL_SOCKET, SO_KEEPALIVE));
static_assert(level_and_name<socket_base::send_buffer_size>(SOL_SOCKET, SO_SNDBUF));
static_assert(level_and_name<socket_base::send_low_watermark>(SOL_SOCKET, SO_SNDLOWAT));
static_assert(level_and_name<socket_base::receive_buffer_size>(SOL_SOCKET, SO_RCVBUF));
static_assert(level_and_name<socket_base::receive_low_watermark>(SOL_SOCKET, SO_RCVLOWAT));
static_assert(level_and_name<socket_base::reuse_address>(SOL_SOCKET, SO_REUSEADDR));
static_assert(level_and_name<socket_base::linger>(SOL_SOCKET, SO_LINGER));
static_assert(level_and_name<socket_base::out_of_band_inline>(SOL_SOCKET, SO_OOBINLINE));
// rill's own option, which the socket keeps instead of the kernel.
static_assert(level_and_name<socket_base::enable_connection_aborted>(
    rill::detail::custom_socket_option_level, rill::detail::enable_connection_aborted_option));

// Sets a boolean option to true and to false, reading it back each time.
template <typename Option, typename Protocol>
void expect_boolean_round_trip(const Protocol& p) {
  rill_test::raw_socket s(p);
  ASSERT_TRUE(s.is_open()) << s.error();
  for (const bool value : {true, false, true}) {
    ASSERT_EQ(s.set_option(p, Option(value)), 0);
    Option got(!value);
    ASSERT_EQ(s.get_option(p, got), 0);
    EXPECT_EQ(got.value(), value);
    EXPECT_EQ(static_cast<bool>(got), value);
    EXPECT_EQ(!got, !value);
  }
  EXPECT_EQ(s.close(), 0);
}

TEST(socket_base, boolean_options_round_trip) {
  expect_boolean_round_trip<socket_base::broadcast>(udp::v4());
  expect_boolean_round_trip<socket_base::do_not_route>(udp::v4());
  expect_boolean_round_trip<socket_base::keep_alive>(tcp::v4());
  expect_boolean_round_trip<socket_base::reuse_address>(tcp::v4());
  expect_boolean_round_trip<socket_base::out_of_band_inline>(tcp::v4());
}

TEST(socket_base, debug_can_be_read) {
  // Setting SO_DEBUG needs CAP_NET_ADMIN; reading it does not.
  rill_test::raw_socket s(tcp::v4());
  ASSERT_TRUE(s.is_open());
  socket_base::debug option(true);
  ASSERT_EQ(s.get_option(tcp::v4(), option), 0);
  EXPECT_FALSE(option.value());
  EXPECT_EQ(s.close(), 0);
}

TEST(socket_base, buffer_sizes_round_trip) {
  rill_test::raw_socket s(tcp::v4());
  ASSERT_TRUE(s.is_open());
  // Linux doubles the requested size for its bookkeeping.
  ASSERT_EQ(s.set_option(tcp::v4(), socket_base::send_buffer_size(65536)), 0);
  socket_base::send_buffer_size send;
  ASSERT_EQ(s.get_option(tcp::v4(), send), 0);
  EXPECT_GE(send.value(), 65536);
  ASSERT_EQ(s.set_option(tcp::v4(), socket_base::receive_buffer_size(32768)), 0);
  socket_base::receive_buffer_size receive;
  ASSERT_EQ(s.get_option(tcp::v4(), receive), 0);
  EXPECT_GE(receive.value(), 32768);
  EXPECT_EQ(s.close(), 0);
}

TEST(socket_base, watermarks) {
  rill_test::raw_socket s(tcp::v4());
  ASSERT_TRUE(s.is_open());
  ASSERT_EQ(s.set_option(tcp::v4(), socket_base::receive_low_watermark(100)), 0);
  socket_base::receive_low_watermark receive;
  ASSERT_EQ(s.get_option(tcp::v4(), receive), 0);
  EXPECT_EQ(receive.value(), 100);
  // Linux reports a send watermark of 1 and refuses to change it.
  socket_base::send_low_watermark send(7);
  ASSERT_EQ(s.get_option(tcp::v4(), send), 0);
  EXPECT_EQ(send.value(), 1);
  EXPECT_NE(s.set_option(tcp::v4(), socket_base::send_low_watermark(10)), 0);
  EXPECT_EQ(s.close(), 0);
}

TEST(socket_base, linger_round_trip) {
  socket_base::linger option;
  EXPECT_FALSE(option.enabled());
  EXPECT_EQ(option.timeout(), 0);
  option.enabled(true);
  option.timeout(9);
  EXPECT_TRUE(option.enabled());
  EXPECT_EQ(option.timeout(), 9);
  EXPECT_EQ(option.size(tcp::v4()), sizeof(::linger));
  EXPECT_EQ(option.data(tcp::v4())->l_onoff, 1);
  EXPECT_EQ(option.data(tcp::v4())->l_linger, 9);

  rill_test::raw_socket s(tcp::v4());
  ASSERT_TRUE(s.is_open());
  ASSERT_EQ(s.set_option(tcp::v4(), socket_base::linger(true, 30)), 0);
  socket_base::linger got;
  ASSERT_EQ(s.get_option(tcp::v4(), got), 0);
  EXPECT_TRUE(got.enabled());
  EXPECT_EQ(got.timeout(), 30);
  ASSERT_EQ(s.set_option(tcp::v4(), socket_base::linger(false, 0)), 0);
  ASSERT_EQ(s.get_option(tcp::v4(), got), 0);
  EXPECT_FALSE(got.enabled());
  EXPECT_EQ(s.close(), 0);
}

TEST(socket_base, enable_connection_aborted_is_not_a_kernel_option) {
  // The socket classes handle its level themselves; the kernel refuses it.
  rill_test::raw_socket s(tcp::v4());
  ASSERT_TRUE(s.is_open());
  EXPECT_NE(s.set_option(tcp::v4(), socket_base::enable_connection_aborted(true)), 0);
  EXPECT_EQ(s.close(), 0);
}

TEST(socket_base, bytes_readable) {
  socket_base::bytes_readable command;
  EXPECT_EQ(command.name(), static_cast<int>(FIONREAD));
  EXPECT_EQ(command.get(), 0u);
  command.set(12);
  EXPECT_EQ(command.get(), 12u);
  EXPECT_EQ(*command.data(), 12);

  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  rill_test::raw_socket reader(fds[0]);
  rill_test::raw_socket writer(fds[1]);
  ASSERT_EQ(::ioctl(reader.fd(), static_cast<unsigned long>(command.name()), command.data()), 0);
  EXPECT_EQ(command.get(), 0u);
  ASSERT_EQ(::write(writer.fd(), "hello", 5), 5);
  ASSERT_EQ(::ioctl(reader.fd(), static_cast<unsigned long>(command.name()), command.data()), 0);
  EXPECT_EQ(command.get(), 5u);
  EXPECT_EQ(reader.close(), 0);
  EXPECT_EQ(writer.close(), 0);
}

TEST(socket_base, options_work_for_local_sockets) {
  expect_boolean_round_trip<socket_base::keep_alive>(rill::local::stream_protocol());
}

TEST(socket_base, wrong_sizes_are_length_errors) {
  socket_base::reuse_address b;
  EXPECT_THROW(b.resize(tcp::v4(), 2), std::length_error);
  socket_base::send_buffer_size i;
  EXPECT_THROW(i.resize(tcp::v4(), 8), std::length_error);
  socket_base::linger l;
  EXPECT_THROW(l.resize(tcp::v4(), sizeof(int)), std::length_error);
}

}  // namespace
