// rill/ip/resolver_base.hpp - flags for name resolution.
#pragma once

#include <netdb.h>

namespace rill::ip {

// The getaddrinfo() flags a resolve may pass, with Asio's names.
class resolver_base {
 public:
  // v4_mapped names both this flag and rill::ip::v4_mapped, as in Asio;
  // clang's -Wshadow would flag the enumerator.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wshadow"
#endif
  enum flags {
    canonical_name = AI_CANONNAME,
    passive = AI_PASSIVE,
    numeric_host = AI_NUMERICHOST,
    numeric_service = AI_NUMERICSERV,
    v4_mapped = AI_V4MAPPED,
    all_matching = AI_ALL,
    address_configured = AI_ADDRCONFIG
  };
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

  friend constexpr flags operator&(flags a, flags b) noexcept {
    return static_cast<flags>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
  }
  friend constexpr flags operator|(flags a, flags b) noexcept {
    return static_cast<flags>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
  }
  friend constexpr flags operator^(flags a, flags b) noexcept {
    return static_cast<flags>(static_cast<unsigned>(a) ^ static_cast<unsigned>(b));
  }
  friend constexpr flags operator~(flags a) noexcept {
    return static_cast<flags>(~static_cast<unsigned>(a));
  }
  friend constexpr flags& operator&=(flags& a, flags b) noexcept { return a = a & b; }
  friend constexpr flags& operator|=(flags& a, flags b) noexcept { return a = a | b; }
  friend constexpr flags& operator^=(flags& a, flags b) noexcept { return a = a ^ b; }

 protected:
  ~resolver_base() = default;
};

}  // namespace rill::ip
