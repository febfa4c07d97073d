#include <rill/detail/socket_ops.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

#include <rill/detail/socket_option.hpp>
#include <rill/error.hpp>

namespace rill::detail::socket_ops {

namespace {

void set_errno_error(std::error_code& ec) { ec.assign(errno, std::system_category()); }

bool would_block(const std::error_code& ec) {
  return ec == std::errc::operation_would_block || ec == std::errc::resource_unavailable_try_again;
}

}  // namespace

socket_type socket(int af, int type, int protocol, std::error_code& ec) {
  const int s = ::socket(af, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  if (s < 0) {
    set_errno_error(ec);
    return invalid_socket;
  }
  ec.clear();
  return s;
}

int close(socket_type s, state_type& state, bool destruction, std::error_code& ec) {
  if (s == invalid_socket) {
    ec.clear();
    return 0;
  }
  // A user-set linger would make close() block; a destructor must not.
  if (destruction && (state & user_set_linger) != 0) {
    ::linger opt{};
    ::setsockopt(s, SOL_SOCKET, SO_LINGER, &opt, sizeof(opt));
  }
  int result = ::close(s);
  if (result != 0 && errno == EWOULDBLOCK) {
    // Lingering close of a non-blocking socket: make it blocking and retry,
    // as Asio does, so the close completes.
    int flags = ::fcntl(s, F_GETFL, 0);
    if (flags >= 0) ::fcntl(s, F_SETFL, flags & ~O_NONBLOCK);
    state = static_cast<state_type>(state & ~(user_set_non_blocking | internal_non_blocking));
    result = ::close(s);
  }
  // Linux always releases the descriptor, even when close reports EINTR.
  if (result != 0 && errno != EINTR) {
    set_errno_error(ec);
  } else {
    ec.clear();
    result = 0;
  }
  return result;
}

bool set_user_non_blocking(socket_type s, state_type& state, bool value, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return false;
  }
  // The descriptor itself stays non-blocking; sync calls consult the bit.
  if (!set_internal_non_blocking(s, state, true, ec)) return false;
  if (value) {
    state |= user_set_non_blocking;
  } else {
    state = static_cast<state_type>(state & ~user_set_non_blocking);
  }
  return true;
}

bool set_internal_non_blocking(socket_type s, state_type& state, bool value, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return false;
  }
  const int flags = ::fcntl(s, F_GETFL, 0);
  if (flags < 0) {
    set_errno_error(ec);
    return false;
  }
  const int wanted = value ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(s, F_SETFL, wanted) < 0) {
    set_errno_error(ec);
    return false;
  }
  if (value) {
    state |= internal_non_blocking;
  } else {
    state = static_cast<state_type>(state & ~(internal_non_blocking | user_set_non_blocking));
  }
  ec.clear();
  return true;
}

int bind(socket_type s, const void* addr, std::size_t len, std::error_code& ec) {
  const int r = ::bind(s, static_cast<const sockaddr*>(addr), static_cast<socklen_t>(len));
  if (r != 0) {
    set_errno_error(ec);
  } else {
    ec.clear();
  }
  return r;
}

int listen(socket_type s, int backlog, std::error_code& ec) {
  const int r = ::listen(s, backlog);
  if (r != 0) {
    set_errno_error(ec);
  } else {
    ec.clear();
  }
  return r;
}

int shutdown(socket_type s, int what, std::error_code& ec) {
  const int r = ::shutdown(s, what);
  if (r != 0) {
    set_errno_error(ec);
  } else {
    ec.clear();
  }
  return r;
}

int getsockname(socket_type s, void* addr, std::size_t* len, std::error_code& ec) {
  auto sl = static_cast<socklen_t>(*len);
  const int r = ::getsockname(s, static_cast<sockaddr*>(addr), &sl);
  *len = sl;
  if (r != 0) {
    set_errno_error(ec);
  } else {
    ec.clear();
  }
  return r;
}

int getpeername(socket_type s, void* addr, std::size_t* len, std::error_code& ec) {
  auto sl = static_cast<socklen_t>(*len);
  const int r = ::getpeername(s, static_cast<sockaddr*>(addr), &sl);
  *len = sl;
  if (r != 0) {
    set_errno_error(ec);
  } else {
    ec.clear();
  }
  return r;
}

int setsockopt(socket_type s, state_type& state, int level, int name, const void* value,
               std::size_t len, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return -1;
  }
  // rill's own level (detail/socket_option.hpp) is handled here, as Asio
  // does: the kernel does not know it.
  if (level == custom_socket_option_level && name == always_fail_option) {
    ec = rill::error::invalid_argument;
    return -1;
  }
  if (level == custom_socket_option_level && name == enable_connection_aborted_option) {
    if (len != sizeof(int)) {
      ec = rill::error::invalid_argument;
      return -1;
    }
    if (*static_cast<const int*>(value) != 0) {
      state |= enable_connection_aborted;
    } else {
      state = static_cast<state_type>(state & ~enable_connection_aborted);
    }
    ec.clear();
    return 0;
  }
  const int r = ::setsockopt(s, level, name, value, static_cast<socklen_t>(len));
  if (r != 0) {
    set_errno_error(ec);
    return r;
  }
  ec.clear();
  if (level == SOL_SOCKET && name == SO_LINGER) state |= user_set_linger;
  return r;
}

int getsockopt(socket_type s, state_type state, int level, int name, void* value, std::size_t* len,
               std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return -1;
  }
  // rill's own level, as in setsockopt.
  if (level == custom_socket_option_level && name == always_fail_option) {
    ec = rill::error::invalid_argument;
    return -1;
  }
  if (level == custom_socket_option_level && name == enable_connection_aborted_option) {
    if (*len != sizeof(int)) {
      ec = rill::error::invalid_argument;
      return -1;
    }
    *static_cast<int*>(value) = (state & enable_connection_aborted) != 0 ? 1 : 0;
    ec.clear();
    return 0;
  }
  auto sl = static_cast<socklen_t>(*len);
  const int r = ::getsockopt(s, level, name, value, &sl);
  *len = sl;
  if (r != 0) {
    set_errno_error(ec);
    return r;
  }
  // Linux reports twice the buffer size it was given; report what was set.
  if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF) && *len == sizeof(int)) {
    *static_cast<int*>(value) /= 2;
  }
  ec.clear();
  return r;
}

int ioctl(socket_type s, state_type& state, unsigned long cmd, void* arg, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return -1;
  }
  const int r = ::ioctl(s, cmd, arg);
  if (r < 0) {
    set_errno_error(ec);
    return r;
  }
  ec.clear();
  if (cmd == static_cast<unsigned long>(FIONBIO)) {
    if (*static_cast<int*>(arg) != 0) {
      state |= user_set_non_blocking;
    } else {
      // Clearing it turns the internal mode off too, as Asio does.
      state = static_cast<state_type>(state & ~(user_set_non_blocking | internal_non_blocking));
    }
  }
  return r;
}

std::size_t available(socket_type s, std::error_code& ec) {
  int value = 0;
  if (::ioctl(s, FIONREAD, &value) < 0) {
    set_errno_error(ec);
    return 0;
  }
  ec.clear();
  return value < 0 ? 0 : static_cast<std::size_t>(value);
}

bool sockatmark(socket_type s, std::error_code& ec) {
  const int r = ::sockatmark(s);
  if (r < 0) {
    set_errno_error(ec);
    return false;
  }
  ec.clear();
  return r != 0;
}

int socketpair(int af, int type, int protocol, socket_type sv[2], std::error_code& ec) {
  const int r = ::socketpair(af, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol, sv);
  if (r != 0) {
    set_errno_error(ec);
  } else {
    ec.clear();
  }
  return r;
}

namespace {
int poll_one(socket_type s, short events, int msec, std::error_code& ec) {
  // poll() ignores a negative descriptor: without this check a wait on a
  // closed socket would block forever instead of failing, as in Asio.
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return -1;
  }
  pollfd fds{};
  fds.fd = s;
  fds.events = events;
  for (;;) {
    const int r = ::poll(&fds, 1, msec);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      set_errno_error(ec);
      return r;
    }
    if (r == 0 && msec != 0) {
      ec = rill::error::would_block;
      return 0;
    }
    ec.clear();
    return r;
  }
}
}  // namespace

int poll_read(socket_type s, state_type /*state*/, int msec, std::error_code& ec) {
  return poll_one(s, POLLIN, msec, ec);
}
int poll_write(socket_type s, state_type /*state*/, int msec, std::error_code& ec) {
  return poll_one(s, POLLOUT, msec, ec);
}
int poll_error(socket_type s, state_type /*state*/, int msec, std::error_code& ec) {
  return poll_one(s, POLLPRI | POLLERR | POLLHUP, msec, ec);
}

bool start_connect(socket_type s, const void* addr, std::size_t len, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return true;
  }
  const int r = ::connect(s, static_cast<const sockaddr*>(addr), static_cast<socklen_t>(len));
  if (r == 0) {
    ec.clear();
    return true;
  }
  set_errno_error(ec);
  // Unix sockets report EAGAIN for a full backlog; like EINPROGRESS, wait.
  return !(ec == std::errc::operation_in_progress || would_block(ec));
}

bool non_blocking_connect(socket_type s, std::error_code& ec) {
  // Still in progress? A zero-timeout poll tells without blocking.
  pollfd fds{};
  fds.fd = s;
  fds.events = POLLOUT;
  const int ready = ::poll(&fds, 1, 0);
  if (ready == 0) return false;
  int connect_error = 0;
  socklen_t len = sizeof(connect_error);
  if (::getsockopt(s, SOL_SOCKET, SO_ERROR, &connect_error, &len) != 0) {
    set_errno_error(ec);
  } else if (connect_error != 0) {
    ec.assign(connect_error, std::system_category());
  } else {
    ec.clear();
  }
  return true;
}

void sync_connect(socket_type s, const void* addr, std::size_t len, std::error_code& ec) {
  if (start_connect(s, addr, len, ec)) return;
  if (poll_write(s, 0, -1, ec) < 0) return;
  int connect_error = 0;
  socklen_t sl = sizeof(connect_error);
  if (::getsockopt(s, SOL_SOCKET, SO_ERROR, &connect_error, &sl) != 0) {
    set_errno_error(ec);
  } else if (connect_error != 0) {
    ec.assign(connect_error, std::system_category());
  } else {
    ec.clear();
  }
}

namespace {
socket_type do_accept(socket_type s, void* addr, std::size_t* len, std::error_code& ec) {
  socklen_t sl = len != nullptr ? static_cast<socklen_t>(*len) : 0;
  const int n = ::accept4(s, static_cast<sockaddr*>(addr), len != nullptr ? &sl : nullptr,
                          SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (len != nullptr) *len = sl;
  if (n < 0) {
    set_errno_error(ec);
    return invalid_socket;
  }
  ec.clear();
  return n;
}

// Errors after which accept should simply be tried again (the peer went
// away before we accepted), unless the user enabled connection_aborted.
bool retry_accept(const std::error_code& ec, state_type state) {
  if (ec == std::errc::connection_aborted) return (state & enable_connection_aborted) == 0;
  return ec.value() == EPROTO && ec.category() == std::system_category() &&
         (state & enable_connection_aborted) == 0;
}
}  // namespace

socket_type sync_accept(socket_type s, state_type state, void* addr, std::size_t* len,
                        std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return invalid_socket;
  }
  for (;;) {
    const socket_type n = do_accept(s, addr, len, ec);
    if (n != invalid_socket) return n;
    if (ec == std::errc::interrupted || retry_accept(ec, state)) continue;
    if (!would_block(ec) || (state & user_set_non_blocking) != 0) return invalid_socket;
    if (poll_read(s, state, -1, ec) < 0) return invalid_socket;
  }
}

bool non_blocking_accept(socket_type s, state_type state, void* addr, std::size_t* len,
                         std::error_code& ec, socket_type& new_socket) {
  for (;;) {
    new_socket = do_accept(s, addr, len, ec);
    if (new_socket != invalid_socket) return true;
    if (ec == std::errc::interrupted) continue;
    if (would_block(ec) || retry_accept(ec, state)) return false;
    return true;
  }
}

namespace {
signed_size_type do_recv(socket_type s, iovec* bufs, std::size_t count, int flags, void* addr,
                         std::size_t* addrlen, std::error_code& ec) {
  signed_size_type r = 0;
  if (count == 1) {
    // One buffer: recv/recvfrom spare the kernel copying a msghdr and an
    // iovec array, which is measurable on small messages.
    if (addrlen != nullptr) {
      auto len = static_cast<socklen_t>(*addrlen);
      r = ::recvfrom(s, bufs[0].iov_base, bufs[0].iov_len, flags, static_cast<sockaddr*>(addr),
                     &len);
      *addrlen = len;
    } else {
      r = ::recv(s, bufs[0].iov_base, bufs[0].iov_len, flags);
    }
  } else {
    msghdr msg{};
    msg.msg_iov = bufs;
    msg.msg_iovlen = count;
    if (addrlen != nullptr) {
      msg.msg_name = addr;
      msg.msg_namelen = static_cast<socklen_t>(*addrlen);
    }
    r = ::recvmsg(s, &msg, flags);
    if (addrlen != nullptr) *addrlen = msg.msg_namelen;
  }
  if (r < 0) {
    set_errno_error(ec);
  } else {
    ec.clear();
  }
  return r;
}

signed_size_type do_send(socket_type s, const iovec* bufs, std::size_t count, int flags,
                         const void* addr, std::size_t addrlen, std::error_code& ec) {
  // MSG_NOSIGNAL: a closed peer gives EPIPE, not a process-killing SIGPIPE.
  signed_size_type r = 0;
  if (count == 1) {
    // One buffer: send/sendto, cheaper than sendmsg (see do_recv).
    r = addr != nullptr
            ? ::sendto(s, bufs[0].iov_base, bufs[0].iov_len, flags | MSG_NOSIGNAL,
                       static_cast<const sockaddr*>(addr), static_cast<socklen_t>(addrlen))
            : ::send(s, bufs[0].iov_base, bufs[0].iov_len, flags | MSG_NOSIGNAL);
  } else {
    msghdr msg{};
    msg.msg_iov = const_cast<iovec*>(bufs);
    msg.msg_iovlen = count;
    if (addr != nullptr) {
      msg.msg_name = const_cast<void*>(addr);
      msg.msg_namelen = static_cast<socklen_t>(addrlen);
    }
    r = ::sendmsg(s, &msg, flags | MSG_NOSIGNAL);
  }
  if (r < 0) {
    set_errno_error(ec);
  } else {
    ec.clear();
  }
  return r;
}
}  // namespace

std::size_t sync_recv(socket_type s, state_type state, iovec* bufs, std::size_t count, int flags,
                      bool all_empty, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return 0;
  }
  // A read into no space completes at once, as in Asio.
  if (all_empty && (state & stream_oriented) != 0) {
    ec.clear();
    return 0;
  }
  for (;;) {
    const signed_size_type r = do_recv(s, bufs, count, flags, nullptr, nullptr, ec);
    if (r > 0) return static_cast<std::size_t>(r);
    if (r == 0 && (state & stream_oriented) != 0) {
      ec = rill::error::eof;
      return 0;
    }
    if (r == 0) return 0;
    if (ec == std::errc::interrupted) continue;
    if ((state & user_set_non_blocking) != 0 || !would_block(ec)) return 0;
    if (poll_read(s, state, -1, ec) < 0) return 0;
  }
}

bool non_blocking_recv(socket_type s, iovec* bufs, std::size_t count, int flags, bool is_stream,
                       std::error_code& ec, std::size_t& bytes_transferred) {
  for (;;) {
    const signed_size_type r = do_recv(s, bufs, count, flags, nullptr, nullptr, ec);
    if (r == 0 && is_stream) {
      ec = rill::error::eof;
    } else if (ec == std::errc::interrupted) {
      continue;
    } else if (would_block(ec)) {
      return false;
    }
    bytes_transferred = r > 0 ? static_cast<std::size_t>(r) : 0;
    return true;
  }
}

std::size_t sync_send(socket_type s, state_type state, const iovec* bufs, std::size_t count,
                      int flags, bool all_empty, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return 0;
  }
  if (all_empty && (state & stream_oriented) != 0) {
    ec.clear();
    return 0;
  }
  for (;;) {
    const signed_size_type r = do_send(s, bufs, count, flags, nullptr, 0, ec);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (ec == std::errc::interrupted) continue;
    if ((state & user_set_non_blocking) != 0 || !would_block(ec)) return 0;
    if (poll_write(s, state, -1, ec) < 0) return 0;
  }
}

bool non_blocking_send(socket_type s, const iovec* bufs, std::size_t count, int flags,
                       std::error_code& ec, std::size_t& bytes_transferred) {
  for (;;) {
    const signed_size_type r = do_send(s, bufs, count, flags, nullptr, 0, ec);
    if (r < 0 && ec == std::errc::interrupted) continue;
    if (r < 0 && would_block(ec)) return false;
    bytes_transferred = r > 0 ? static_cast<std::size_t>(r) : 0;
    return true;
  }
}

std::size_t sync_recvfrom(socket_type s, state_type state, iovec* bufs, std::size_t count,
                          int flags, void* addr, std::size_t* addrlen, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return 0;
  }
  for (;;) {
    const signed_size_type r = do_recv(s, bufs, count, flags, addr, addrlen, ec);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (ec == std::errc::interrupted) continue;
    if ((state & user_set_non_blocking) != 0 || !would_block(ec)) return 0;
    if (poll_read(s, state, -1, ec) < 0) return 0;
  }
}

bool non_blocking_recvfrom(socket_type s, iovec* bufs, std::size_t count, int flags, void* addr,
                           std::size_t* addrlen, std::error_code& ec,
                           std::size_t& bytes_transferred) {
  for (;;) {
    const signed_size_type r = do_recv(s, bufs, count, flags, addr, addrlen, ec);
    if (r < 0 && ec == std::errc::interrupted) continue;
    if (r < 0 && would_block(ec)) return false;
    bytes_transferred = r > 0 ? static_cast<std::size_t>(r) : 0;
    return true;
  }
}

std::size_t sync_sendto(socket_type s, state_type state, const iovec* bufs, std::size_t count,
                        int flags, const void* addr, std::size_t addrlen, std::error_code& ec) {
  if (s == invalid_socket) {
    ec = rill::error::bad_descriptor;
    return 0;
  }
  for (;;) {
    const signed_size_type r = do_send(s, bufs, count, flags, addr, addrlen, ec);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (ec == std::errc::interrupted) continue;
    if ((state & user_set_non_blocking) != 0 || !would_block(ec)) return 0;
    if (poll_write(s, state, -1, ec) < 0) return 0;
  }
}

bool non_blocking_sendto(socket_type s, const iovec* bufs, std::size_t count, int flags,
                         const void* addr, std::size_t addrlen, std::error_code& ec,
                         std::size_t& bytes_transferred) {
  for (;;) {
    const signed_size_type r = do_send(s, bufs, count, flags, addr, addrlen, ec);
    if (r < 0 && ec == std::errc::interrupted) continue;
    if (r < 0 && would_block(ec)) return false;
    bytes_transferred = r > 0 ? static_cast<std::size_t>(r) : 0;
    return true;
  }
}

}  // namespace rill::detail::socket_ops
