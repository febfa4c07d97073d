// rill/error.hpp - the error values that rill's operations report.
#pragma once

#include <netdb.h>
#include <cerrno>
#include <string>
#include <system_error>
#include <type_traits>

#include <rill/error_code.hpp>
#include <rill/system_error.hpp>

namespace rill::error {

// Errors from system calls. The values are the errno values themselves and
// the codes use the system category, so a code built from errno compares
// equal to these: error_code(ECONNREFUSED, system_category()) ==
// error::connection_refused. On Linux would_block and try_again are both
// EAGAIN.
enum basic_errors {
  access_denied = EACCES,                       // Permission denied.
  address_family_not_supported = EAFNOSUPPORT,  // Address family not supported by protocol.
  address_in_use = EADDRINUSE,                  // Address already in use.
  already_connected = EISCONN,                  // Transport endpoint is already connected.
  already_started = EALREADY,                   // Operation already in progress.
  broken_pipe = EPIPE,                          // Broken pipe.
  connection_aborted = ECONNABORTED,            // A connection has been aborted.
  connection_refused = ECONNREFUSED,            // Connection refused.
  connection_reset = ECONNRESET,                // Connection reset by peer.
  bad_descriptor = EBADF,                       // Bad file descriptor.
  fault = EFAULT,                               // Bad address.
  host_unreachable = EHOSTUNREACH,              // No route to host.
  in_progress = EINPROGRESS,                    // Operation now in progress.
  interrupted = EINTR,                          // Interrupted system call.
  invalid_argument = EINVAL,                    // Invalid argument.
  message_size = EMSGSIZE,                      // Message too long.
  name_too_long = ENAMETOOLONG,                 // The name was too long.
  network_down = ENETDOWN,                      // Network is down.
  network_reset = ENETRESET,                    // Network dropped connection on reset.
  network_unreachable = ENETUNREACH,            // Network is unreachable.
  no_descriptors = EMFILE,                      // Too many open files.
  no_buffer_space = ENOBUFS,                    // No buffer space available.
  no_memory = ENOMEM,                           // Cannot allocate memory.
  no_permission = EPERM,                        // Operation not permitted.
  no_protocol_option = ENOPROTOOPT,             // Protocol not available.
  no_such_device = ENODEV,                      // No such device.
  not_connected = ENOTCONN,                     // Transport endpoint is not connected.
  not_socket = ENOTSOCK,                        // Socket operation on non-socket.
  operation_aborted = ECANCELED,                // Operation cancelled.
  operation_not_supported = EOPNOTSUPP,         // Operation not supported.
  shut_down = ESHUTDOWN,                        // Cannot send after transport endpoint shutdown.
  timed_out = ETIMEDOUT,                        // Connection timed out.
  try_again = EAGAIN,                           // Resource temporarily unavailable.
  would_block = EWOULDBLOCK                     // The operation would block.
};

// Errors from the host database (h_errno values), in the netdb category.
enum netdb_errors {
  host_not_found = HOST_NOT_FOUND,       // Host not found (authoritative).
  host_not_found_try_again = TRY_AGAIN,  // Host not found (non-authoritative).
  no_data = NO_DATA,                     // The name is valid but has no address data.
  no_recovery = NO_RECOVERY              // A non-recoverable error occurred.
};

// Errors from getaddrinfo (EAI_* values), in the addrinfo category.
enum addrinfo_errors {
  service_not_found = EAI_SERVICE,          // The service is not supported for the socket type.
  socket_type_not_supported = EAI_SOCKTYPE  // The socket type is not supported.
};

// rill's own conditions, in the misc category. eof is what a read reports
// when the peer closed the connection.
enum misc_errors {
  already_open = 1,  // Already open.
  eof,               // End of file or stream.
  not_found,         // Element not found.
  fd_set_failure     // The descriptor does not fit into select's fd_set.
};

}  // namespace rill::error

namespace rill::detail {

class netdb_category_impl final : public error_category {
 public:
  const char* name() const noexcept override { return "rill.netdb"; }
  std::string message(int value) const override {
    switch (value) {
      case error::host_not_found:
        return "Host not found (authoritative)";
      case error::host_not_found_try_again:
        return "Host not found (non-authoritative), try again later";
      case error::no_data:
        return "The query is valid, but it does not have associated data";
      case error::no_recovery:
        return "A non-recoverable error occurred during database lookup";
      default:
        return "rill.netdb error";
    }
  }
};

class addrinfo_category_impl final : public error_category {
 public:
  const char* name() const noexcept override { return "rill.addrinfo"; }
  std::string message(int value) const override {
    switch (value) {
      case error::service_not_found:
        return "Service not found";
      case error::socket_type_not_supported:
        return "Socket type not supported";
      default:
        return "rill.addrinfo error";
    }
  }
};

class misc_category_impl final : public error_category {
 public:
  const char* name() const noexcept override { return "rill.misc"; }
  std::string message(int value) const override {
    switch (value) {
      case error::already_open:
        return "Already open";
      case error::eof:
        return "End of file";
      case error::not_found:
        return "Element not found";
      case error::fd_set_failure:
        return "The descriptor does not fit into the select call's fd_set";
      default:
        return "rill.misc error";
    }
  }
};

// Holds a category that is built at compile time and never destroyed, as the
// standard library holds its own. Categories compare by address, so each
// must exist once per program (an inline variable), be usable from any static
// initialiser (constant initialisation) and outlive every error_code that
// names it, including those inside static objects destroyed at exit.
template <typename Category>
union immortal_category {
  constexpr immortal_category() : value() {}
  ~immortal_category() {}
  Category value;
};

inline constinit immortal_category<netdb_category_impl> netdb_category_instance;
inline constinit immortal_category<addrinfo_category_impl> addrinfo_category_instance;
inline constinit immortal_category<misc_category_impl> misc_category_instance;

}  // namespace rill::detail

namespace rill::error {

[[nodiscard]] inline const error_category& get_system_category() noexcept {
  return rill::system_category();
}
[[nodiscard]] constexpr const error_category& get_netdb_category() noexcept {
  return detail::netdb_category_instance.value;
}
[[nodiscard]] constexpr const error_category& get_addrinfo_category() noexcept {
  return detail::addrinfo_category_instance.value;
}
[[nodiscard]] constexpr const error_category& get_misc_category() noexcept {
  return detail::misc_category_instance.value;
}

// Asio also names the categories as objects.
inline const error_category& system_category = get_system_category();
inline constinit const error_category& netdb_category = get_netdb_category();
inline constinit const error_category& addrinfo_category = get_addrinfo_category();
inline constinit const error_category& misc_category = get_misc_category();

// Found by argument-dependent lookup when an enum value converts to an
// error_code (see the is_error_code_enum specialisations below).
[[nodiscard]] inline error_code make_error_code(basic_errors e) noexcept {
  return error_code(static_cast<int>(e), get_system_category());
}
[[nodiscard]] inline error_code make_error_code(netdb_errors e) noexcept {
  return error_code(static_cast<int>(e), get_netdb_category());
}
[[nodiscard]] inline error_code make_error_code(addrinfo_errors e) noexcept {
  return error_code(static_cast<int>(e), get_addrinfo_category());
}
[[nodiscard]] inline error_code make_error_code(misc_errors e) noexcept {
  return error_code(static_cast<int>(e), get_misc_category());
}

}  // namespace rill::error

// These make the enums convert to error_code implicitly, so that
// `ec == rill::error::eof` and `error_code ec = rill::error::timed_out;` work.
template <>
struct std::is_error_code_enum<rill::error::basic_errors> : std::true_type {};
template <>
struct std::is_error_code_enum<rill::error::netdb_errors> : std::true_type {};
template <>
struct std::is_error_code_enum<rill::error::addrinfo_errors> : std::true_type {};
template <>
struct std::is_error_code_enum<rill::error::misc_errors> : std::true_type {};

namespace rill {

// Asio's stand-ins for the scoped enums proposed for the Networking TS.
namespace stream_errc {
using error::eof;
using error::not_found;
}  // namespace stream_errc

namespace socket_errc {
using error::already_open;
using error::not_found;
}  // namespace socket_errc

namespace resolver_errc {
using error::host_not_found;
using error::service_not_found;
inline constexpr error::netdb_errors try_again = error::host_not_found_try_again;
}  // namespace resolver_errc

}  // namespace rill
