// rill/posix/descriptor_base.hpp - the types every POSIX descriptor shares.
#pragma once

#include <rill/detail/io_control.hpp>

namespace rill::posix {

// The base of basic_descriptor, so that these names are reachable both as
// rill::posix::descriptor_base::wait_read and as
// rill::posix::stream_descriptor::wait_read, as in Asio.
class descriptor_base {
 public:
  // What wait() and async_wait() wait for.
  enum wait_type { wait_read, wait_write, wait_error };

  // FIONREAD: the bytes readable without blocking (an io_control command).
  using bytes_readable = rill::detail::io_control::bytes_readable;

 protected:
  // Not for deleting descriptors through: it has no virtual functions.
  ~descriptor_base() = default;
};

}  // namespace rill::posix
