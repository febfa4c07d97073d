// tests/support/raw_socket.hpp - a socket made with ::socket() for option and address tests.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <utility>

namespace rill_test {

// Owns one descriptor from ::socket(p.family(), p.type(), p.protocol()) and
// drives rill's socket option types through setsockopt/getsockopt exactly as
// the socket classes do (level/name/data/size, then resize after a get).
// Tests call close() at the end and check its result; the destructor closes
// a socket left open by a failed assertion.
class raw_socket {
 public:
  template <typename Protocol>
  explicit raw_socket(const Protocol& p) : fd_(::socket(p.family(), p.type(), p.protocol())) {
    if (fd_ < 0) error_ = errno;
  }
  explicit raw_socket(int fd) noexcept : fd_(fd) {}
  raw_socket(raw_socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  raw_socket& operator=(raw_socket&&) = delete;
  ~raw_socket() {
    if (fd_ >= 0) ::close(fd_);
  }

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
  // errno from ::socket() if it failed.
  [[nodiscard]] int error() const noexcept { return error_; }

  // 0 or the errno of setsockopt.
  template <typename Protocol, typename Option>
  int set_option(const Protocol& p, const Option& option) const {
    const int result = ::setsockopt(fd_, option.level(p), option.name(p), option.data(p),
                                    static_cast<socklen_t>(option.size(p)));
    return result == 0 ? 0 : errno;
  }

  // 0 or the errno of getsockopt; on success the option is resized to the
  // length the kernel reported (which may throw std::length_error).
  template <typename Protocol, typename Option>
  int get_option(const Protocol& p, Option& option) const {
    auto size = static_cast<socklen_t>(option.size(p));
    if (::getsockopt(fd_, option.level(p), option.name(p), option.data(p), &size) != 0) {
      return errno;
    }
    option.resize(p, static_cast<std::size_t>(size));
    return 0;
  }

  // 0 or the errno of close.
  int close() noexcept {
    const int result = ::close(std::exchange(fd_, -1));
    return result == 0 ? 0 : errno;
  }

 private:
  int fd_;
  int error_ = 0;
};

}  // namespace rill_test
