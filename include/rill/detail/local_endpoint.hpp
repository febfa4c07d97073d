// rill/detail/local_endpoint.hpp - the sockaddr_un behind local::basic_endpoint.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <compare>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>

namespace rill::detail {

// A Unix domain socket address in the form the system calls take. The path
// is held without a terminating '\0' (path_length_ bytes of sun_path) and
// size() covers exactly those bytes, which Linux accepts for filesystem
// paths and requires for abstract ones: a path that starts with '\0' names
// a socket in the abstract namespace, and every byte of it, including
// further '\0's, is part of the name.
class local_endpoint {
 public:
  // The unnamed address (an empty path).
  local_endpoint() noexcept : data_() { data_.local.sun_family = AF_UNIX; }

  // Throws system_error with error::name_too_long if the path does not fit
  // (more than 107 bytes).
  explicit local_endpoint(std::string_view path_name) : data_() { init(path_name); }

  [[nodiscard]] sockaddr* data() noexcept { return &data_.base; }
  [[nodiscard]] const sockaddr* data() const noexcept { return &data_.base; }

  [[nodiscard]] std::size_t size() const noexcept { return path_offset + path_length_; }

  // Records the length a system call (accept, recvfrom, getsockname) wrote
  // into data(). The kernel counts a filesystem path's terminating '\0';
  // it is dropped here, so that path() is what was bound. Throws
  // system_error (error::invalid_argument) if new_size > capacity(). A length
  // too short to reach sun_path (an unnamed peer) gives the empty path;
  // Asio computes a wrapped-around length there.
  void resize(std::size_t new_size) {
    if (new_size > capacity()) throw_error(error::invalid_argument, "resize");
    path_length_ = new_size > path_offset ? new_size - path_offset : 0;
    if (path_length_ > 0 && data_.local.sun_path[path_length_ - 1] == '\0') --path_length_;
  }

  [[nodiscard]] std::size_t capacity() const noexcept { return sizeof(sockaddr_un); }

  // The path's bytes, a leading '\0' included for an abstract name.
  [[nodiscard]] std::string_view path_view() const noexcept {
    return {data_.local.sun_path, path_length_};
  }
  [[nodiscard]] std::string path() const { return std::string(path_view()); }
  void path(std::string_view p) { init(p); }

  friend bool operator==(const local_endpoint& e1, const local_endpoint& e2) noexcept {
    return e1.path_view() == e2.path_view();
  }
  friend std::strong_ordering operator<=>(const local_endpoint& e1,
                                          const local_endpoint& e2) noexcept {
    return e1.path_view() <=> e2.path_view();
  }

 private:
  static constexpr std::size_t path_offset = offsetof(sockaddr_un, sun_path);
  // Asio's limit, one byte short of sun_path, so that a filesystem path
  // always leaves room for the '\0' that some programs expect to find.
  static constexpr std::size_t max_path_length = sizeof(sockaddr_un::sun_path) - 1;

  void clear() noexcept {
    std::memset(&data_, 0, sizeof(data_));
    data_.local.sun_family = AF_UNIX;
    path_length_ = 0;
  }

  void init(std::string_view path_name) {
    if (path_name.size() > max_path_length) throw_error(error::name_too_long, "local endpoint");
    clear();
    if (!path_name.empty()) std::memcpy(data_.local.sun_path, path_name.data(), path_name.size());
    path_length_ = path_name.size();
  }

  union data_union {
    sockaddr base;
    sockaddr_un local;
  } data_;
  std::size_t path_length_ = 0;
};

}  // namespace rill::detail
