// rill/ip/basic_endpoint.hpp - an IP address and port for one protocol.
#pragma once

#include <sys/socket.h>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>

#include <rill/detail/ip_endpoint.hpp>
#include <rill/ip/address.hpp>

namespace rill::ip {

using port_type = std::uint_least16_t;

// The endpoint type of ip::tcp and ip::udp (InternetProtocol): an address,
// a port and the protocol's version, held as the sockaddr_in or sockaddr_in6
// that the system calls take (data(), size(), capacity(), resize()).
template <typename InternetProtocol>
class basic_endpoint {
 public:
  using protocol_type = InternetProtocol;
  using data_type = sockaddr;

  // 0.0.0.0 port 0.
  basic_endpoint() noexcept = default;

  // The unspecified address of the protocol's version, for binding a
  // listener: basic_endpoint(tcp::v6(), 8080) is [::]:8080.
  basic_endpoint(const InternetProtocol& internet_protocol, port_type port_num) noexcept
      : impl_(internet_protocol.family(), port_num) {}

  basic_endpoint(const ip::address& addr, port_type port_num) noexcept : impl_(addr, port_num) {}

  // v4() or v6(), by the address version.
  [[nodiscard]] protocol_type protocol() const noexcept {
    return impl_.is_v4() ? InternetProtocol::v4() : InternetProtocol::v6();
  }

  [[nodiscard]] data_type* data() noexcept { return impl_.data(); }
  [[nodiscard]] const data_type* data() const noexcept { return impl_.data(); }
  // sizeof(sockaddr_in) or sizeof(sockaddr_in6).
  [[nodiscard]] std::size_t size() const noexcept { return impl_.size(); }
  // Throws system_error (error::invalid_argument) if new_size > capacity().
  void resize(std::size_t new_size) { impl_.resize(new_size); }
  [[nodiscard]] std::size_t capacity() const noexcept { return impl_.capacity(); }

  [[nodiscard]] port_type port() const noexcept { return impl_.port(); }
  void port(port_type port_num) noexcept { impl_.port(port_num); }

  [[nodiscard]] ip::address address() const noexcept { return impl_.address(); }
  void address(const ip::address& addr) noexcept { impl_.address(addr); }

  // By address, then port.
  friend bool operator==(const basic_endpoint& e1, const basic_endpoint& e2) noexcept {
    return e1.impl_ == e2.impl_;
  }
  friend std::strong_ordering operator<=>(const basic_endpoint& e1,
                                          const basic_endpoint& e2) noexcept {
    return e1.impl_ <=> e2.impl_;
  }

 private:
  rill::detail::ip_endpoint impl_;
};

// "1.2.3.4:80", "[::1]:80", "[fe80::1%eth0]:80".
template <typename Elem, typename Traits, typename InternetProtocol>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const basic_endpoint<InternetProtocol>& endpoint) {
  return os << rill::detail::ip_endpoint(endpoint.address(), endpoint.port()).to_string().c_str();
}

}  // namespace rill::ip

template <typename InternetProtocol>
struct std::hash<rill::ip::basic_endpoint<InternetProtocol>> {
  std::size_t operator()(const rill::ip::basic_endpoint<InternetProtocol>& ep) const noexcept {
    const std::size_t hash1 = std::hash<rill::ip::address>()(ep.address());
    const std::size_t hash2 = std::hash<unsigned short>()(ep.port());
    return hash1 ^ (hash2 + 0x9e3779b9 + (hash1 << 6) + (hash1 >> 2));
  }
};
