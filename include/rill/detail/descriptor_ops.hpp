// rill/detail/descriptor_ops.hpp - read/write for descriptors that are not
// sockets (pipes, terminals, character devices).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <system_error>

#include <rill/detail/socket_ops.hpp>

namespace rill::detail::descriptor_ops {

// Everything else a descriptor needs (close, the non-blocking modes, ioctl,
// poll) is the same system call for any descriptor and comes from
// socket_ops, as do the state bits. Only the transfer differs: readv/writev
// instead of recv/send. As in socket_ops, failure is reported through ec and
// ec is cleared on success.

// Reads at least one byte; a read of 0 bytes (end of file) fails with
// error::eof. Blocks (in the kernel if the descriptor is blocking, or in
// poll if only rill made it non-blocking) unless the user asked for
// non-blocking mode, which fails with would_block instead. all_empty: every
// buffer has size 0, which completes at once with 0 bytes.
std::size_t sync_read(int d, socket_ops::state_type state, iovec* bufs, std::size_t count,
                      bool all_empty, std::error_code& ec);
// One attempt (retried on EINTR); false if it would block.
bool non_blocking_read(int d, iovec* bufs, std::size_t count, std::error_code& ec,
                       std::size_t& bytes_transferred);

// Writes at least one byte, as sync_read. Writing to a pipe whose reader has
// gone raises SIGPIPE, as for Asio: there is no MSG_NOSIGNAL for write().
std::size_t sync_write(int d, socket_ops::state_type state, const iovec* bufs, std::size_t count,
                       bool all_empty, std::error_code& ec);
bool non_blocking_write(int d, const iovec* bufs, std::size_t count, std::error_code& ec,
                        std::size_t& bytes_transferred);

// The Transfer policy of recv_op_base / send_op_base (reactive_socket_ops.hpp)
// for descriptors: flags do not apply, and a descriptor is always a stream.
struct transfer {
  static bool recv(int d, iovec* bufs, std::size_t count, int /*flags*/, bool /*is_stream*/,
                   std::error_code& ec, std::size_t& bytes_transferred) {
    return non_blocking_read(d, bufs, count, ec, bytes_transferred);
  }
  static bool send(int d, const iovec* bufs, std::size_t count, int /*flags*/, std::error_code& ec,
                   std::size_t& bytes_transferred) {
    return non_blocking_write(d, bufs, count, ec, bytes_transferred);
  }
};

}  // namespace rill::detail::descriptor_ops
