// rill/ip/address_v4.hpp - an IP version 4 address.
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

namespace rill::ip {

// An IPv4 address. It is stored as its four bytes in network order, so that
// it is a trivially copyable value whose every operation except conversion
// to and from text is constexpr and cannot fail; ordering is numeric, which
// for big-endian bytes is plain lexicographic order.
class address_v4 {
 public:
  using uint_type = std::uint_least32_t;
  using bytes_type = std::array<unsigned char, 4>;

  // Asio checks at run time that bytes and uint_type hold no more than 8 and
  // 32 bits; on Linux that holds by construction.
  static_assert(CHAR_BIT == 8 && sizeof(uint_type) == 4);

  // The unspecified address 0.0.0.0.
  constexpr address_v4() noexcept = default;
  // From bytes in network order: {127, 0, 0, 1} is 127.0.0.1.
  constexpr explicit address_v4(const bytes_type& bytes) noexcept : bytes_(bytes) {}
  // From a number in host order: 0x7F000001 is 127.0.0.1.
  constexpr explicit address_v4(uint_type addr) noexcept
      : bytes_{static_cast<unsigned char>(addr >> 24), static_cast<unsigned char>(addr >> 16),
               static_cast<unsigned char>(addr >> 8), static_cast<unsigned char>(addr)} {}

  [[nodiscard]] constexpr bytes_type to_bytes() const noexcept { return bytes_; }
  [[nodiscard]] constexpr uint_type to_uint() const noexcept {
    return (uint_type{bytes_[0]} << 24) | (uint_type{bytes_[1]} << 16) |
           (uint_type{bytes_[2]} << 8) | uint_type{bytes_[3]};
  }
  // Dotted decimal, "127.0.0.1".
  [[nodiscard]] std::string to_string() const;

  // 127.0.0.0/8.
  [[nodiscard]] constexpr bool is_loopback() const noexcept { return bytes_[0] == 0x7F; }
  [[nodiscard]] constexpr bool is_unspecified() const noexcept { return to_uint() == 0; }
  // 224.0.0.0/4.
  [[nodiscard]] constexpr bool is_multicast() const noexcept { return (bytes_[0] & 0xF0) == 0xE0; }

  [[nodiscard]] static constexpr address_v4 any() noexcept { return address_v4(); }
  [[nodiscard]] static constexpr address_v4 loopback() noexcept { return address_v4(0x7F000001); }
  [[nodiscard]] static constexpr address_v4 broadcast() noexcept { return address_v4(0xFFFFFFFF); }

  friend constexpr bool operator==(const address_v4&, const address_v4&) noexcept = default;
  friend constexpr std::strong_ordering operator<=>(const address_v4&,
                                                    const address_v4&) noexcept = default;

 private:
  bytes_type bytes_{};
};

[[nodiscard]] constexpr address_v4 make_address_v4(const address_v4::bytes_type& bytes) noexcept {
  return address_v4(bytes);
}
[[nodiscard]] constexpr address_v4 make_address_v4(address_v4::uint_type addr) noexcept {
  return address_v4(addr);
}

// From dotted decimal text, as inet_pton(AF_INET) accepts it: four decimal
// numbers 0-255, nothing before or after. Bad text (including a null
// pointer, and for the string forms an embedded '\0') sets ec to
// error::invalid_argument and returns 0.0.0.0; the overloads without ec throw
// system_error instead. Parsing does not allocate.
address_v4 make_address_v4(std::string_view str, error_code& ec) noexcept;
address_v4 make_address_v4(const char* str, error_code& ec) noexcept;
inline address_v4 make_address_v4(const std::string& str, error_code& ec) noexcept {
  return make_address_v4(std::string_view(str), ec);
}

inline address_v4 make_address_v4(std::string_view str) {
  error_code ec;
  const address_v4 addr = make_address_v4(str, ec);
  rill::detail::throw_error(ec, "make_address_v4");
  return addr;
}
inline address_v4 make_address_v4(const char* str) {
  error_code ec;
  const address_v4 addr = make_address_v4(str, ec);
  rill::detail::throw_error(ec, "make_address_v4");
  return addr;
}
inline address_v4 make_address_v4(const std::string& str) {
  return make_address_v4(std::string_view(str));
}

template <typename Elem, typename Traits>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const address_v4& addr) {
  return os << addr.to_string().c_str();
}

}  // namespace rill::ip

template <>
struct std::hash<rill::ip::address_v4> {
  std::size_t operator()(const rill::ip::address_v4& addr) const noexcept {
    return std::hash<unsigned int>()(addr.to_uint());
  }
};
