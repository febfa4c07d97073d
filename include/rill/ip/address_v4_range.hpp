// rill/ip/address_v4_range.hpp - a half-open range of IPv4 addresses.
#pragma once

#include <cstddef>

#include <rill/ip/address_v4.hpp>
#include <rill/ip/address_v4_iterator.hpp>

namespace rill::ip {

template <typename>
class basic_address_range;

// The addresses [first, last), for range-for:
//   for (address_v4 a : address_v4_range(first, last)) ...
template <>
class basic_address_range<address_v4> {
 public:
  using iterator = basic_address_iterator<address_v4>;

  // The empty range at 0.0.0.0.
  constexpr basic_address_range() noexcept : begin_(address_v4()), end_(address_v4()) {}
  constexpr explicit basic_address_range(const iterator& first, const iterator& last) noexcept
      : begin_(first), end_(last) {}

  [[nodiscard]] constexpr iterator begin() const noexcept { return begin_; }
  [[nodiscard]] constexpr iterator end() const noexcept { return end_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size() == 0; }
  [[nodiscard]] constexpr std::size_t size() const noexcept {
    return end_->to_uint() - begin_->to_uint();
  }
  // An iterator to addr if the range holds it, end() otherwise.
  [[nodiscard]] constexpr iterator find(const address_v4& addr) const noexcept {
    return addr >= *begin_ && addr < *end_ ? iterator(addr) : end_;
  }

 private:
  iterator begin_;
  iterator end_;
};

using address_v4_range = basic_address_range<address_v4>;

}  // namespace rill::ip
