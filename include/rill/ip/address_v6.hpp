// rill/ip/address_v6.hpp - an IP version 6 address, with its scope id.
#pragma once

#include <array>
#include <climits>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

#include <rill/detail/throw_error.hpp>
#include <rill/error_code.hpp>

#include <rill/ip/address_v4.hpp>
#include <rill/ip/bad_address_cast.hpp>

namespace rill::ip {

// The interface index that qualifies a link-local address (sin6_scope_id).
using scope_id_type = std::uint_least32_t;

// An IPv6 address: sixteen bytes in network order and a scope id. Two
// addresses are equal only if their scope ids are too; ordering is by bytes,
// then by scope id, as in Asio.
class address_v6 {
 public:
  using bytes_type = std::array<unsigned char, 16>;

  static_assert(CHAR_BIT == 8);

  // The unspecified address "::".
  constexpr address_v6() noexcept = default;
  constexpr explicit address_v6(const bytes_type& bytes, scope_id_type scope_id = 0) noexcept
      : bytes_(bytes), scope_id_(scope_id) {}

  [[nodiscard]] constexpr scope_id_type scope_id() const noexcept { return scope_id_; }
  constexpr void scope_id(scope_id_type id) noexcept { scope_id_ = id; }

  [[nodiscard]] constexpr bytes_type to_bytes() const noexcept { return bytes_; }
  // RFC 5952 text as inet_ntop writes it ("::1", "::ffff:1.2.3.4"), followed
  // by "%scope" when the scope id is not zero: the interface name for a
  // link-local unicast or multicast address whose interface exists, the
  // number otherwise.
  [[nodiscard]] std::string to_string() const;

  // ::1
  [[nodiscard]] constexpr bool is_loopback() const noexcept {
    return prefix_is_zero(15) && bytes_[15] == 1;
  }
  // ::
  [[nodiscard]] constexpr bool is_unspecified() const noexcept {
    return prefix_is_zero(15) && bytes_[15] == 0;
  }
  // fe80::/10
  [[nodiscard]] constexpr bool is_link_local() const noexcept {
    return bytes_[0] == 0xFE && (bytes_[1] & 0xC0) == 0x80;
  }
  // fec0::/10 (deprecated by RFC 3879, still reported).
  [[nodiscard]] constexpr bool is_site_local() const noexcept {
    return bytes_[0] == 0xFE && (bytes_[1] & 0xC0) == 0xC0;
  }
  // ::ffff:0:0/96
  [[nodiscard]] constexpr bool is_v4_mapped() const noexcept {
    return prefix_is_zero(10) && bytes_[10] == 0xFF && bytes_[11] == 0xFF;
  }
  // ff00::/8, and by the scope in the low bits of the second byte:
  [[nodiscard]] constexpr bool is_multicast() const noexcept { return bytes_[0] == 0xFF; }
  [[nodiscard]] constexpr bool is_multicast_global() const noexcept {
    return is_multicast_scope(0x0E);
  }
  [[nodiscard]] constexpr bool is_multicast_link_local() const noexcept {
    return is_multicast_scope(0x02);
  }
  [[nodiscard]] constexpr bool is_multicast_node_local() const noexcept {
    return is_multicast_scope(0x01);
  }
  [[nodiscard]] constexpr bool is_multicast_org_local() const noexcept {
    return is_multicast_scope(0x08);
  }
  [[nodiscard]] constexpr bool is_multicast_site_local() const noexcept {
    return is_multicast_scope(0x05);
  }

  [[nodiscard]] static constexpr address_v6 any() noexcept { return address_v6(); }
  [[nodiscard]] static constexpr address_v6 loopback() noexcept {
    return address_v6(bytes_type{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  }

  // Member order (bytes, then scope id) is the comparison order.
  friend constexpr bool operator==(const address_v6&, const address_v6&) noexcept = default;
  friend constexpr std::strong_ordering operator<=>(const address_v6&,
                                                    const address_v6&) noexcept = default;

 private:
  [[nodiscard]] constexpr bool prefix_is_zero(std::size_t n) const noexcept {
    for (std::size_t i = 0; i < n; ++i) {
      if (bytes_[i] != 0) return false;
    }
    return true;
  }
  [[nodiscard]] constexpr bool is_multicast_scope(unsigned scope) const noexcept {
    return bytes_[0] == 0xFF && (bytes_[1] & 0x0Fu) == scope;
  }

  bytes_type bytes_{};
  scope_id_type scope_id_ = 0;
};

[[nodiscard]] constexpr address_v6 make_address_v6(const address_v6::bytes_type& bytes,
                                                   scope_id_type scope_id = 0) noexcept {
  return address_v6(bytes, scope_id);
}

// From text as inet_pton(AF_INET6) accepts it ("::1", "fe80::1",
// "::ffff:1.2.3.4"), optionally followed by "%scope", where scope is a
// decimal interface index or the name of an existing interface ("%eth0").
// Bad text, including an empty, unknown or out-of-range scope, sets ec to
// error::invalid_argument and returns "::"; the overloads without ec throw
// system_error instead. Parsing does not allocate (unless it looks up an
// interface name).
address_v6 make_address_v6(std::string_view str, error_code& ec) noexcept;
address_v6 make_address_v6(const char* str, error_code& ec) noexcept;
inline address_v6 make_address_v6(const std::string& str, error_code& ec) noexcept {
  return make_address_v6(std::string_view(str), ec);
}

inline address_v6 make_address_v6(std::string_view str) {
  error_code ec;
  const address_v6 addr = make_address_v6(str, ec);
  rill::detail::throw_error(ec, "make_address_v6");
  return addr;
}
inline address_v6 make_address_v6(const char* str) {
  error_code ec;
  const address_v6 addr = make_address_v6(str, ec);
  rill::detail::throw_error(ec, "make_address_v6");
  return addr;
}
inline address_v6 make_address_v6(const std::string& str) {
  return make_address_v6(std::string_view(str));
}

// Tag for the conversions between an IPv4 address and its IPv4-mapped IPv6
// form ::ffff:a.b.c.d.
enum v4_mapped_t { v4_mapped };

// The IPv4 address inside an IPv4-mapped IPv6 address; throws
// bad_address_cast for any other IPv6 address.
[[nodiscard]] constexpr address_v4 make_address_v4(v4_mapped_t, const address_v6& v6_addr) {
  if (!v6_addr.is_v4_mapped()) throw bad_address_cast();
  const address_v6::bytes_type b = v6_addr.to_bytes();
  return address_v4(address_v4::bytes_type{b[12], b[13], b[14], b[15]});
}

[[nodiscard]] constexpr address_v6 make_address_v6(v4_mapped_t,
                                                   const address_v4& v4_addr) noexcept {
  const address_v4::bytes_type b = v4_addr.to_bytes();
  return address_v6(
      address_v6::bytes_type{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, b[0], b[1], b[2], b[3]});
}

template <typename Elem, typename Traits>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const address_v6& addr) {
  return os << addr.to_string().c_str();
}

}  // namespace rill::ip

// Asio's hash: the scope id, then the bytes four at a time, mixed as
// boost::hash_combine does.
template <>
struct std::hash<rill::ip::address_v6> {
  std::size_t operator()(const rill::ip::address_v6& addr) const noexcept {
    const rill::ip::address_v6::bytes_type bytes = addr.to_bytes();
    auto result = static_cast<std::size_t>(addr.scope_id());
    for (std::size_t i = 0; i < bytes.size(); i += 4) {
      const std::size_t word = (std::size_t{bytes[i]} << 24) | (std::size_t{bytes[i + 1]} << 16) |
                               (std::size_t{bytes[i + 2]} << 8) | std::size_t{bytes[i + 3]};
      result ^= word + 0x9e3779b9 + (result << 6) + (result >> 2);
    }
    return result;
  }
};
