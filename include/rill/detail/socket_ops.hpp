// rill/detail/socket_ops.hpp - thin, errno-safe wrappers over the socket calls.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <system_error>

namespace rill::detail::socket_ops {

// Every function reports failure through ec (never errno, never throws) and
// clears ec on success. Descriptors are always non-blocking inside rill;
// the "sync_" functions emulate blocking with poll() unless the user asked
// for non-blocking mode, as Asio's do.

using socket_type = int;
inline constexpr socket_type invalid_socket = -1;
using signed_size_type = long;

// Per-socket state bits, as in Asio.
enum : unsigned char {
  user_set_non_blocking = 1,  // the user called non_blocking(true)
  internal_non_blocking = 2,  // O_NONBLOCK is set on the descriptor
  enable_connection_aborted = 4,
  user_set_linger = 8,   // close() must not reset linger
  stream_oriented = 16,  // a zero-byte read means end of stream
  datagram_oriented = 32,
  possible_dup = 64,  // assigned: may share the file with another fd
};
using state_type = unsigned char;

socket_type socket(int af, int type, int protocol, std::error_code& ec);
// Closes s. On destruction with a lingering socket the close is made
// non-blocking first, so that a destructor never blocks.
int close(socket_type s, state_type& state, bool destruction, std::error_code& ec);
bool set_user_non_blocking(socket_type s, state_type& state, bool value, std::error_code& ec);
bool set_internal_non_blocking(socket_type s, state_type& state, bool value, std::error_code& ec);

int bind(socket_type s, const void* addr, std::size_t len, std::error_code& ec);
int listen(socket_type s, int backlog, std::error_code& ec);
int shutdown(socket_type s, int what, std::error_code& ec);
int getsockname(socket_type s, void* addr, std::size_t* len, std::error_code& ec);
int getpeername(socket_type s, void* addr, std::size_t* len, std::error_code& ec);
// setsockopt and getsockopt also handle rill's own option level
// (detail::custom_socket_option_level) without the kernel:
// enable_connection_aborted_option is the state bit of that name (an int
// option); always_fail_option fails with invalid_argument.
int setsockopt(socket_type s, state_type& state, int level, int name, const void* value,
               std::size_t len, std::error_code& ec);
int getsockopt(socket_type s, state_type state, int level, int name, void* value, std::size_t* len,
               std::error_code& ec);
int ioctl(socket_type s, state_type& state, unsigned long cmd, void* arg, std::error_code& ec);
std::size_t available(socket_type s, std::error_code& ec);
bool sockatmark(socket_type s, std::error_code& ec);
int socketpair(int af, int type, int protocol, socket_type sv[2], std::error_code& ec);

// Waits (poll) until readable/writable/error; timeout in ms, -1 for none.
int poll_read(socket_type s, state_type state, int msec, std::error_code& ec);
int poll_write(socket_type s, state_type state, int msec, std::error_code& ec);
int poll_error(socket_type s, state_type state, int msec, std::error_code& ec);

// Connect.
void sync_connect(socket_type s, const void* addr, std::size_t len, std::error_code& ec);
// Starts a connect; returns true if it finished (successfully or not) at once.
bool start_connect(socket_type s, const void* addr, std::size_t len, std::error_code& ec);
// Checks an in-progress connect; returns false while it is still going on.
bool non_blocking_connect(socket_type s, std::error_code& ec);

// Accept. The new descriptor is close-on-exec and non-blocking.
socket_type sync_accept(socket_type s, state_type state, void* addr, std::size_t* len,
                        std::error_code& ec);
bool non_blocking_accept(socket_type s, state_type state, void* addr, std::size_t* len,
                         std::error_code& ec, socket_type& new_socket);

// Receive / send over an iovec array. all_empty: every buffer has size 0.
std::size_t sync_recv(socket_type s, state_type state, iovec* bufs, std::size_t count, int flags,
                      bool all_empty, std::error_code& ec);
bool non_blocking_recv(socket_type s, iovec* bufs, std::size_t count, int flags, bool is_stream,
                       std::error_code& ec, std::size_t& bytes_transferred);
std::size_t sync_send(socket_type s, state_type state, const iovec* bufs, std::size_t count,
                      int flags, bool all_empty, std::error_code& ec);
bool non_blocking_send(socket_type s, const iovec* bufs, std::size_t count, int flags,
                       std::error_code& ec, std::size_t& bytes_transferred);

std::size_t sync_recvfrom(socket_type s, state_type state, iovec* bufs, std::size_t count,
                          int flags, void* addr, std::size_t* addrlen, std::error_code& ec);
bool non_blocking_recvfrom(socket_type s, iovec* bufs, std::size_t count, int flags, void* addr,
                           std::size_t* addrlen, std::error_code& ec,
                           std::size_t& bytes_transferred);
std::size_t sync_sendto(socket_type s, state_type state, const iovec* bufs, std::size_t count,
                        int flags, const void* addr, std::size_t addrlen, std::error_code& ec);
bool non_blocking_sendto(socket_type s, const iovec* bufs, std::size_t count, int flags,
                         const void* addr, std::size_t addrlen, std::error_code& ec,
                         std::size_t& bytes_transferred);

}  // namespace rill::detail::socket_ops
