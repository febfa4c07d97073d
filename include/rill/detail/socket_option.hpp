// rill/detail/socket_option.hpp - the generic socket options behind socket_base's.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace rill::detail {

// Options that are not the kernel's but rill's own, with Asio's values: the
// socket operations must recognise this level and handle the option in
// user space instead of calling setsockopt/getsockopt.
//  - enable_connection_aborted_option: an int flag in the socket's state
//    (accept reports connection_aborted instead of retrying);
//  - always_fail_option: every set/get fails with invalid_argument (an
//    option the platform lacks).
inline constexpr int custom_socket_option_level = static_cast<int>(0xA5100000u);
inline constexpr int enable_connection_aborted_option = 1;
inline constexpr int always_fail_option = 2;

}  // namespace rill::detail

// The Asio socket option interface, which a socket's set_option/get_option
// drive with the socket's protocol p:
//   setsockopt(fd, o.level(p), o.name(p), o.data(p), o.size(p));
//   socklen_t n = o.size(p); getsockopt(fd, o.level(p), o.name(p), o.data(p), &n);
//   o.resize(p, n);
// resize() throws std::length_error if the kernel reported a size the option
// cannot hold, rather than leaving a half-written value.
namespace rill::detail::socket_option {

// An on/off option held as an int, as most SOL_SOCKET and IPPROTO_* flags are.
template <int Level, int Name>
class boolean {
 public:
  constexpr boolean() noexcept = default;
  constexpr explicit boolean(bool v) noexcept : value_(v ? 1 : 0) {}

  constexpr boolean& operator=(bool v) noexcept {
    value_ = v ? 1 : 0;
    return *this;
  }

  [[nodiscard]] constexpr bool value() const noexcept { return value_ != 0; }
  constexpr operator bool() const noexcept { return value_ != 0; }
  constexpr bool operator!() const noexcept { return value_ == 0; }

  template <typename Protocol>
  [[nodiscard]] constexpr int level(const Protocol& /*p*/) const noexcept {
    return Level;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int name(const Protocol& /*p*/) const noexcept {
    return Name;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int* data(const Protocol& /*p*/) noexcept {
    return &value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr const int* data(const Protocol& /*p*/) const noexcept {
    return &value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr std::size_t size(const Protocol& /*p*/) const noexcept {
    return sizeof(value_);
  }
  // Some options (and some systems) report a one-byte boolean: then only the
  // first byte of value_ was written.
  template <typename Protocol>
  void resize(const Protocol& /*p*/, std::size_t s) {
    if (s == sizeof(char)) {
      unsigned char first = 0;
      std::memcpy(&first, &value_, 1);
      value_ = first != 0 ? 1 : 0;
    } else if (s != sizeof(value_)) {
      throw std::length_error("boolean socket option resize");
    }
  }

 private:
  int value_ = 0;
};

// An int-valued option (buffer sizes, watermarks, hop limits).
template <int Level, int Name>
class integer {
 public:
  constexpr integer() noexcept = default;
  constexpr explicit integer(int v) noexcept : value_(v) {}

  constexpr integer& operator=(int v) noexcept {
    value_ = v;
    return *this;
  }

  [[nodiscard]] constexpr int value() const noexcept { return value_; }

  template <typename Protocol>
  [[nodiscard]] constexpr int level(const Protocol& /*p*/) const noexcept {
    return Level;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int name(const Protocol& /*p*/) const noexcept {
    return Name;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int* data(const Protocol& /*p*/) noexcept {
    return &value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr const int* data(const Protocol& /*p*/) const noexcept {
    return &value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr std::size_t size(const Protocol& /*p*/) const noexcept {
    return sizeof(value_);
  }
  template <typename Protocol>
  void resize(const Protocol& /*p*/, std::size_t s) {
    if (s != sizeof(value_)) throw std::length_error("integer socket option resize");
  }

 private:
  int value_ = 0;
};

// SO_LINGER's struct linger: whether close() waits for unsent data, and for
// how many seconds.
template <int Level, int Name>
class linger {
 public:
  constexpr linger() noexcept = default;
  constexpr linger(bool e, int t) noexcept : value_{e ? 1 : 0, t} {}

  constexpr void enabled(bool value) noexcept { value_.l_onoff = value ? 1 : 0; }
  [[nodiscard]] constexpr bool enabled() const noexcept { return value_.l_onoff != 0; }

  constexpr void timeout(int value) noexcept { value_.l_linger = value; }
  [[nodiscard]] constexpr int timeout() const noexcept { return value_.l_linger; }

  template <typename Protocol>
  [[nodiscard]] constexpr int level(const Protocol& /*p*/) const noexcept {
    return Level;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int name(const Protocol& /*p*/) const noexcept {
    return Name;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr ::linger* data(const Protocol& /*p*/) noexcept {
    return &value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr const ::linger* data(const Protocol& /*p*/) const noexcept {
    return &value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr std::size_t size(const Protocol& /*p*/) const noexcept {
    return sizeof(value_);
  }
  template <typename Protocol>
  void resize(const Protocol& /*p*/, std::size_t s) {
    if (s != sizeof(value_)) throw std::length_error("linger socket option resize");
  }

 private:
  ::linger value_{0, 0};
};

}  // namespace rill::detail::socket_option
