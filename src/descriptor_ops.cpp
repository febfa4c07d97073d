#include <rill/detail/descriptor_ops.hpp>

#include <unistd.h>

#include <cerrno>

#include <rill/error.hpp>

namespace rill::detail::descriptor_ops {

namespace {

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

// One buffer: read/write spare the kernel an iovec array, as recv/send do
// for sockets.
ssize_t do_read(int d, iovec* bufs, std::size_t count) {
  return count == 1 ? ::read(d, bufs[0].iov_base, bufs[0].iov_len)
                    : ::readv(d, bufs, static_cast<int>(count));
}

ssize_t do_write(int d, const iovec* bufs, std::size_t count) {
  return count == 1 ? ::write(d, bufs[0].iov_base, bufs[0].iov_len)
                    : ::writev(d, bufs, static_cast<int>(count));
}

}  // namespace

bool non_blocking_read(int d, iovec* bufs, std::size_t count, std::error_code& ec,
                       std::size_t& bytes_transferred) {
  for (;;) {
    const ssize_t r = do_read(d, bufs, count);
    if (r > 0) {
      ec.clear();
      bytes_transferred = static_cast<std::size_t>(r);
      return true;
    }
    bytes_transferred = 0;
    if (r == 0) {
      ec = rill::error::eof;
      return true;
    }
    const int err = errno;
    if (err == EINTR) continue;
    ec.assign(err, std::system_category());
    return !would_block(err);
  }
}

bool non_blocking_write(int d, const iovec* bufs, std::size_t count, std::error_code& ec,
                        std::size_t& bytes_transferred) {
  for (;;) {
    const ssize_t r = do_write(d, bufs, count);
    if (r >= 0) {
      ec.clear();
      bytes_transferred = static_cast<std::size_t>(r);
      return true;
    }
    bytes_transferred = 0;
    const int err = errno;
    if (err == EINTR) continue;
    ec.assign(err, std::system_category());
    return !would_block(err);
  }
}

// The blocking forms are the non-blocking ones plus poll: a descriptor made
// non-blocking by an asynchronous operation still blocks here, unless the
// user chose non-blocking mode.
std::size_t sync_read(int d, socket_ops::state_type state, iovec* bufs, std::size_t count,
                      bool all_empty, std::error_code& ec) {
  if (d == -1) {
    ec = rill::error::bad_descriptor;
    return 0;
  }
  if (all_empty) {
    ec.clear();
    return 0;
  }
  std::size_t n = 0;
  while (!non_blocking_read(d, bufs, count, ec, n)) {
    if ((state & socket_ops::user_set_non_blocking) != 0) return 0;
    if (socket_ops::poll_read(d, state, -1, ec) < 0) return 0;
  }
  return n;
}

std::size_t sync_write(int d, socket_ops::state_type state, const iovec* bufs, std::size_t count,
                       bool all_empty, std::error_code& ec) {
  if (d == -1) {
    ec = rill::error::bad_descriptor;
    return 0;
  }
  if (all_empty) {
    ec.clear();
    return 0;
  }
  std::size_t n = 0;
  while (!non_blocking_write(d, bufs, count, ec, n)) {
    if ((state & socket_ops::user_set_non_blocking) != 0) return 0;
    if (socket_ops::poll_write(d, state, -1, ec) < 0) return 0;
  }
  return n;
}

}  // namespace rill::detail::descriptor_ops
