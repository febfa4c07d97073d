// rill/detail/io_control.hpp - ioctl commands for a socket's io_control().
#pragma once

#include <sys/ioctl.h>

#include <cstddef>

// The Asio I/O control command interface, which a socket's io_control drives:
//   ioctl(fd, c.name(), c.data());
namespace rill::detail::io_control {

// FIONREAD: the number of bytes that can be read without blocking.
class bytes_readable {
 public:
  constexpr bytes_readable() noexcept = default;
  constexpr bytes_readable(std::size_t value) noexcept : value_(static_cast<int>(value)) {}

  [[nodiscard]] constexpr int name() const noexcept { return static_cast<int>(FIONREAD); }

  constexpr void set(std::size_t value) noexcept { value_ = static_cast<int>(value); }
  [[nodiscard]] constexpr std::size_t get() const noexcept {
    return static_cast<std::size_t>(value_);
  }

  // FIONREAD writes an int on Linux.
  [[nodiscard]] constexpr int* data() noexcept { return &value_; }
  [[nodiscard]] constexpr const int* data() const noexcept { return &value_; }

 private:
  int value_ = 0;
};

}  // namespace rill::detail::io_control
