// rill/ip/address.hpp - an IP address of either version.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

#include <rill/detail/throw_error.hpp>
#include <rill/error_code.hpp>

#include <rill/ip/address_v4.hpp>
#include <rill/ip/address_v6.hpp>
#include <rill/ip/bad_address_cast.hpp>

namespace rill::ip {

// An IPv4 or an IPv6 address. Every IPv4 address orders before every IPv6
// address, as in Asio; an IPv4-mapped IPv6 address is an IPv6 address and
// never equal to the IPv4 address it maps.
class address {
 public:
  // 0.0.0.0
  constexpr address() noexcept = default;
  constexpr address(const address_v4& ipv4_address) noexcept
      : type_(kind::ipv4), ipv4_address_(ipv4_address) {}
  constexpr address(const address_v6& ipv6_address) noexcept
      : type_(kind::ipv6), ipv6_address_(ipv6_address) {}

  constexpr address& operator=(const address_v4& ipv4_address) noexcept {
    return *this = address(ipv4_address);
  }
  constexpr address& operator=(const address_v6& ipv6_address) noexcept {
    return *this = address(ipv6_address);
  }

  [[nodiscard]] constexpr bool is_v4() const noexcept { return type_ == kind::ipv4; }
  [[nodiscard]] constexpr bool is_v6() const noexcept { return type_ == kind::ipv6; }

  // The address as the version it is; throws bad_address_cast for the other.
  [[nodiscard]] constexpr address_v4 to_v4() const {
    if (!is_v4()) throw bad_address_cast();
    return ipv4_address_;
  }
  [[nodiscard]] constexpr address_v6 to_v6() const {
    if (!is_v6()) throw bad_address_cast();
    return ipv6_address_;
  }

  [[nodiscard]] std::string to_string() const {
    return is_v4() ? ipv4_address_.to_string() : ipv6_address_.to_string();
  }

  [[nodiscard]] constexpr bool is_loopback() const noexcept {
    return is_v4() ? ipv4_address_.is_loopback() : ipv6_address_.is_loopback();
  }
  [[nodiscard]] constexpr bool is_unspecified() const noexcept {
    return is_v4() ? ipv4_address_.is_unspecified() : ipv6_address_.is_unspecified();
  }
  [[nodiscard]] constexpr bool is_multicast() const noexcept {
    return is_v4() ? ipv4_address_.is_multicast() : ipv6_address_.is_multicast();
  }

  // The member of the other version is always default-constructed (every
  // constructor and assignment replaces the whole object), so comparing
  // member by member - version first - is Asio's comparison.
  friend constexpr bool operator==(const address&, const address&) noexcept = default;
  friend constexpr std::strong_ordering operator<=>(const address&,
                                                    const address&) noexcept = default;

 private:
  enum class kind : unsigned char { ipv4, ipv6 };

  kind type_ = kind::ipv4;
  address_v4 ipv4_address_;
  address_v6 ipv6_address_;
};

// From text of either version: IPv6 is tried first (so "::ffff:1.2.3.4" is
// an IPv6 address), then dotted decimal IPv4. Errors as for make_address_v4
// and make_address_v6.
inline address make_address(std::string_view str, error_code& ec) noexcept {
  const address_v6 ipv6_address = make_address_v6(str, ec);
  if (!ec) return address(ipv6_address);
  const address_v4 ipv4_address = make_address_v4(str, ec);
  if (!ec) return address(ipv4_address);
  return address();
}
inline address make_address(const char* str, error_code& ec) noexcept {
  const address_v6 ipv6_address = make_address_v6(str, ec);
  if (!ec) return address(ipv6_address);
  const address_v4 ipv4_address = make_address_v4(str, ec);
  if (!ec) return address(ipv4_address);
  return address();
}
inline address make_address(const std::string& str, error_code& ec) noexcept {
  return make_address(std::string_view(str), ec);
}

inline address make_address(std::string_view str) {
  error_code ec;
  const address addr = make_address(str, ec);
  rill::detail::throw_error(ec, "make_address");
  return addr;
}
inline address make_address(const char* str) {
  error_code ec;
  const address addr = make_address(str, ec);
  rill::detail::throw_error(ec, "make_address");
  return addr;
}
inline address make_address(const std::string& str) { return make_address(std::string_view(str)); }

template <typename Elem, typename Traits>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const address& addr) {
  return os << addr.to_string().c_str();
}

}  // namespace rill::ip

template <>
struct std::hash<rill::ip::address> {
  std::size_t operator()(const rill::ip::address& addr) const noexcept {
    return addr.is_v4() ? std::hash<rill::ip::address_v4>()(addr.to_v4())
                        : std::hash<rill::ip::address_v6>()(addr.to_v6());
  }
};
