// rill/ip/address_v4_iterator.hpp - steps through consecutive IPv4 addresses.
#pragma once

#include <cstddef>
#include <iterator>

#include <rill/ip/address_v4.hpp>

namespace rill::ip {

template <typename>
class basic_address_iterator;

// An iterator whose value is an address: ++ gives the next address, --
// the previous one, both wrapping around at 255.255.255.255 / 0.0.0.0. As
// in Asio it is an input iterator, because operator* refers into the
// iterator itself.
template <>
class basic_address_iterator<address_v4> {
 public:
  using value_type = address_v4;
  using difference_type = std::ptrdiff_t;
  using pointer = const address_v4*;
  using reference = const address_v4&;
  using iterator_category = std::input_iterator_tag;

  constexpr basic_address_iterator(const address_v4& addr) noexcept : address_(addr) {}

  [[nodiscard]] constexpr const address_v4& operator*() const noexcept { return address_; }
  constexpr const address_v4* operator->() const noexcept { return &address_; }

  constexpr basic_address_iterator& operator++() noexcept {
    address_ = address_v4(static_cast<address_v4::uint_type>(address_.to_uint() + 1));
    return *this;
  }
  constexpr basic_address_iterator operator++(int) noexcept {
    basic_address_iterator tmp(*this);
    ++*this;
    return tmp;
  }
  constexpr basic_address_iterator& operator--() noexcept {
    address_ = address_v4(static_cast<address_v4::uint_type>(address_.to_uint() - 1));
    return *this;
  }
  constexpr basic_address_iterator operator--(int) noexcept {
    basic_address_iterator tmp(*this);
    --*this;
    return tmp;
  }

  friend constexpr bool operator==(const basic_address_iterator&,
                                   const basic_address_iterator&) noexcept = default;

 private:
  address_v4 address_;
};

using address_v4_iterator = basic_address_iterator<address_v4>;

}  // namespace rill::ip
