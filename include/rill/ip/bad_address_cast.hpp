// rill/ip/bad_address_cast.hpp - the exception for a conversion to the wrong address version.
#pragma once

#include <typeinfo>

namespace rill::ip {

// Thrown by address::to_v4() on an IPv6 address, address::to_v6() on an IPv4
// address, and make_address_v4(v4_mapped, a) when a is not IPv4-mapped. It is
// a std::bad_cast, as in Asio, because it reports a conversion that cannot be
// made rather than bad input text.
class bad_address_cast : public std::bad_cast {
 public:
  bad_address_cast() noexcept = default;

  [[nodiscard]] const char* what() const noexcept override { return "bad address cast"; }
};

}  // namespace rill::ip
