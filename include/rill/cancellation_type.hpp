// rill/cancellation_type.hpp - the kinds of per-operation cancellation.
#pragma once

namespace rill {

// What a cancellation request asks of an operation, as in Asio:
//  - terminal: the operation may be left in an unspecified state; only
//    closing or destroying the I/O object is safe afterwards;
//  - partial: the operation may have side effects that the caller can
//    observe (some bytes read), but its I/O object stays usable;
//  - total: the operation had no observable effect.
// Each operation documents the kinds it honours; rill's primitive operations
// (timer waits, socket and descriptor operations) honour all three.
enum class cancellation_type : unsigned int {
  none = 0,
  terminal = 1,
  partial = 2,
  total = 4,
  all = 0xFFFFFFFF
};

using cancellation_type_t = cancellation_type;

[[nodiscard]] constexpr bool operator!(cancellation_type x) noexcept {
  return static_cast<unsigned int>(x) == 0;
}

[[nodiscard]] constexpr cancellation_type operator&(cancellation_type x,
                                                    cancellation_type y) noexcept {
  return static_cast<cancellation_type>(static_cast<unsigned int>(x) &
                                        static_cast<unsigned int>(y));
}

[[nodiscard]] constexpr cancellation_type operator|(cancellation_type x,
                                                    cancellation_type y) noexcept {
  return static_cast<cancellation_type>(static_cast<unsigned int>(x) |
                                        static_cast<unsigned int>(y));
}

[[nodiscard]] constexpr cancellation_type operator^(cancellation_type x,
                                                    cancellation_type y) noexcept {
  return static_cast<cancellation_type>(static_cast<unsigned int>(x) ^
                                        static_cast<unsigned int>(y));
}

[[nodiscard]] constexpr cancellation_type operator~(cancellation_type x) noexcept {
  return static_cast<cancellation_type>(~static_cast<unsigned int>(x));
}

constexpr cancellation_type& operator&=(cancellation_type& x, cancellation_type y) noexcept {
  return x = x & y;
}

constexpr cancellation_type& operator|=(cancellation_type& x, cancellation_type y) noexcept {
  return x = x | y;
}

constexpr cancellation_type& operator^=(cancellation_type& x, cancellation_type y) noexcept {
  return x = x ^ y;
}

}  // namespace rill
