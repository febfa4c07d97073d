// rill/local/basic_endpoint.hpp - a Unix domain socket address for one protocol.
#pragma once

#include <sys/socket.h>

#include <compare>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include <rill/detail/config.hpp>
#include <rill/detail/local_endpoint.hpp>

namespace rill::local {

// The endpoint type of local::stream_protocol and local::datagram_protocol:
// a filesystem path ("/run/app.sock"), an abstract name (a path whose first
// byte is '\0', e.g. std::string_view("\0app", 4)), or empty (unnamed).
// Constructors and path() setters throw system_error with
// error::name_too_long for a path longer than 107 bytes.
template <typename Protocol>
class basic_endpoint {
 public:
  using protocol_type = Protocol;
  using data_type = sockaddr;

  // The unnamed endpoint.
  basic_endpoint() noexcept = default;
  // Implicit, as in Asio, so that a path can be passed where an endpoint is
  // expected. A const char* ends at its first '\0' (so cannot be abstract);
  // the string forms keep every byte.
  basic_endpoint(const char* path_name) : impl_(std::string_view(path_name)) {}
  basic_endpoint(const std::string& path_name) : impl_(std::string_view(path_name)) {}
  basic_endpoint(std::string_view path_name) : impl_(path_name) {}

  [[nodiscard]] protocol_type protocol() const noexcept { return protocol_type(); }

  [[nodiscard]] data_type* data() noexcept { return impl_.data(); }
  [[nodiscard]] const data_type* data() const noexcept { return impl_.data(); }
  // offsetof(sockaddr_un, sun_path) plus the path's length.
  [[nodiscard]] std::size_t size() const noexcept { return impl_.size(); }
  // Throws system_error (error::invalid_argument) if new_size > capacity().
  void resize(std::size_t new_size) { impl_.resize(new_size); }
  [[nodiscard]] std::size_t capacity() const noexcept { return impl_.capacity(); }

  [[nodiscard]] std::string path() const { return impl_.path(); }
  void path(const char* p) { impl_.path(std::string_view(p)); }
  void path(const std::string& p) { impl_.path(std::string_view(p)); }
  void path(std::string_view p) { impl_.path(p); }

  // By path, byte by byte.
  friend bool operator==(const basic_endpoint& e1, const basic_endpoint& e2) noexcept {
    return e1.impl_ == e2.impl_;
  }
  friend std::strong_ordering operator<=>(const basic_endpoint& e1,
                                          const basic_endpoint& e2) noexcept {
    return e1.impl_ <=> e2.impl_;
  }

 private:
  rill::detail::local_endpoint impl_;
};

// Writes path() as it is, as Asio does: an abstract name's leading '\0' is
// written too.
template <typename Elem, typename Traits, typename Protocol>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const basic_endpoint<Protocol>& endpoint) {
  os << endpoint.path();
  return os;
}

}  // namespace rill::local
