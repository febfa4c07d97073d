// rill/socket_base.hpp - the types and options every socket shares.
#pragma once

#include <sys/socket.h>

#include <rill/detail/io_control.hpp>
#include <rill/detail/socket_option.hpp>

namespace rill {

// The base of every socket and acceptor class, so that these names are
// reachable both as rill::socket_base::keep_alive and as
// rill::ip::tcp::socket::keep_alive. The options are the values a socket's
// set_option/get_option take (see detail/socket_option.hpp for how the
// socket uses them); bytes_readable is an io_control command.
class socket_base {
 public:
  // What shutdown() stops.
  enum shutdown_type {
    shutdown_receive = SHUT_RD,
    shutdown_send = SHUT_WR,
    shutdown_both = SHUT_RDWR
  };

  // Flags for send and receive operations, ORed together.
  using message_flags = int;
  static constexpr int message_peek = MSG_PEEK;
  static constexpr int message_out_of_band = MSG_OOB;
  static constexpr int message_do_not_route = MSG_DONTROUTE;
  static constexpr int message_end_of_record = MSG_EOR;

  // What wait() and async_wait() wait for.
  enum wait_type { wait_read, wait_write, wait_error };

  // SO_BROADCAST: allow sending to a broadcast address (boolean).
  using broadcast = detail::socket_option::boolean<SOL_SOCKET, SO_BROADCAST>;
  // SO_DEBUG: enable socket-level debugging (boolean).
  using debug = detail::socket_option::boolean<SOL_SOCKET, SO_DEBUG>;
  // SO_DONTROUTE: bypass routing, send to directly connected hosts only (boolean).
  using do_not_route = detail::socket_option::boolean<SOL_SOCKET, SO_DONTROUTE>;
  // SO_KEEPALIVE: probe idle connections (boolean).
  using keep_alive = detail::socket_option::boolean<SOL_SOCKET, SO_KEEPALIVE>;
  // SO_SNDBUF: the send buffer size in bytes (integer).
  using send_buffer_size = detail::socket_option::integer<SOL_SOCKET, SO_SNDBUF>;
  // SO_SNDLOWAT: the minimum bytes for a send to proceed (integer).
  using send_low_watermark = detail::socket_option::integer<SOL_SOCKET, SO_SNDLOWAT>;
  // SO_RCVBUF: the receive buffer size in bytes (integer).
  using receive_buffer_size = detail::socket_option::integer<SOL_SOCKET, SO_RCVBUF>;
  // SO_RCVLOWAT: the minimum bytes for a receive to complete (integer).
  using receive_low_watermark = detail::socket_option::integer<SOL_SOCKET, SO_RCVLOWAT>;
  // SO_REUSEADDR: allow binding an address still in TIME_WAIT (boolean).
  using reuse_address = detail::socket_option::boolean<SOL_SOCKET, SO_REUSEADDR>;
  // SO_LINGER: whether and how long close() waits for unsent data.
  using linger = detail::socket_option::linger<SOL_SOCKET, SO_LINGER>;
  // SO_OOBINLINE: receive out-of-band data in the normal stream (boolean).
  using out_of_band_inline = detail::socket_option::boolean<SOL_SOCKET, SO_OOBINLINE>;
  // rill's own option, kept by the socket rather than the kernel: whether
  // accept reports connection_aborted instead of silently retrying (boolean).
  using enable_connection_aborted =
      detail::socket_option::boolean<detail::custom_socket_option_level,
                                     detail::enable_connection_aborted_option>;

  // FIONREAD: the bytes readable without blocking (an io_control command).
  using bytes_readable = detail::io_control::bytes_readable;

  // The largest backlog listen() accepts; the default for acceptors.
  static constexpr int max_listen_connections = SOMAXCONN;

 protected:
  // Not for deleting sockets through: socket_base has no virtual functions.
  ~socket_base() = default;
};

}  // namespace rill
