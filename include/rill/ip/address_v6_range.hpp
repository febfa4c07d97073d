// rill/ip/address_v6_range.hpp - a half-open range of IPv6 addresses.
#pragma once

#include <rill/ip/address_v6.hpp>
#include <rill/ip/address_v6_iterator.hpp>

namespace rill::ip {

template <typename>
class basic_address_range;

// The addresses [first, last). Unlike address_v4_range it has no size(): the
// count may not fit in std::size_t.
template <>
class basic_address_range<address_v6> {
 public:
  using iterator = basic_address_iterator<address_v6>;

  // The empty range at "::".
  constexpr basic_address_range() noexcept : begin_(address_v6()), end_(address_v6()) {}
  constexpr explicit basic_address_range(const iterator& first, const iterator& last) noexcept
      : begin_(first), end_(last) {}

  [[nodiscard]] constexpr iterator begin() const noexcept { return begin_; }
  [[nodiscard]] constexpr iterator end() const noexcept { return end_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return begin_ == end_; }
  // An iterator to addr if the range holds it, end() otherwise.
  [[nodiscard]] constexpr iterator find(const address_v6& addr) const noexcept {
    return addr >= *begin_ && addr < *end_ ? iterator(addr) : end_;
  }

 private:
  iterator begin_;
  iterator end_;
};

using address_v6_range = basic_address_range<address_v6>;

}  // namespace rill::ip
