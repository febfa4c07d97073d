// rill/ip/address_v6_iterator.hpp - steps through consecutive IPv6 addresses.
#pragma once

#include <cstddef>
#include <iterator>

#include <rill/ip/address_v6.hpp>

namespace rill::ip {

template <typename>
class basic_address_iterator;

// An iterator whose value is an address: ++ adds one to the 128-bit number,
// -- subtracts one, both wrapping around; the scope id is kept. As in Asio
// it is an input iterator, because operator* refers into the iterator.
template <>
class basic_address_iterator<address_v6> {
 public:
  using value_type = address_v6;
  using difference_type = std::ptrdiff_t;
  using pointer = const address_v6*;
  using reference = const address_v6&;
  using iterator_category = std::input_iterator_tag;

  constexpr basic_address_iterator(const address_v6& addr) noexcept : address_(addr) {}

  [[nodiscard]] constexpr const address_v6& operator*() const noexcept { return address_; }
  constexpr const address_v6* operator->() const noexcept { return &address_; }

  constexpr basic_address_iterator& operator++() noexcept {
    address_v6::bytes_type bytes = address_.to_bytes();
    // Carry from the last byte towards the first.
    for (std::size_t i = bytes.size(); i-- > 0;) {
      if (++bytes[i] != 0) break;
    }
    address_ = address_v6(bytes, address_.scope_id());
    return *this;
  }
  constexpr basic_address_iterator operator++(int) noexcept {
    basic_address_iterator tmp(*this);
    ++*this;
    return tmp;
  }
  constexpr basic_address_iterator& operator--() noexcept {
    address_v6::bytes_type bytes = address_.to_bytes();
    for (std::size_t i = bytes.size(); i-- > 0;) {
      if (bytes[i]-- != 0) break;
    }
    address_ = address_v6(bytes, address_.scope_id());
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
  address_v6 address_;
};

using address_v6_iterator = basic_address_iterator<address_v6>;

}  // namespace rill::ip
