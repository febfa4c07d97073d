// rill/detail/ip_endpoint.hpp - the sockaddr behind ip::basic_endpoint.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <compare>
#include <cstddef>
#include <cstring>
#include <string>

#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>
#include <rill/ip/address.hpp>
#include <rill/ip/address_v4.hpp>
#include <rill/ip/address_v6.hpp>

namespace rill::detail {

// An IPv4 or IPv6 socket address in the form the system calls take, so that
// a socket can hand data() and size() to bind/connect/sendto and let
// accept/recvfrom/getsockname write into data() (then resize() to the length
// they report) without conversion. The family field says which member of the
// union is in use. Not a template, so that tcp and udp endpoints share it.
class ip_endpoint {
 public:
  // 0.0.0.0 port 0.
  ip_endpoint() noexcept : ip_endpoint(AF_INET, 0) {}

  // The unspecified address of the family (AF_INET or AF_INET6). data_()
  // value-initializes the union, which zeroes every byte, padding included:
  // the unused tail and sin_zero never carry stale bytes to the kernel.
  ip_endpoint(int family, unsigned short port_num) noexcept : data_() {
    if (family == AF_INET) {
      data_.v4.sin_family = AF_INET;
      data_.v4.sin_port = htons(port_num);
    } else {
      data_.v6.sin6_family = AF_INET6;
      data_.v6.sin6_port = htons(port_num);
    }
  }

  ip_endpoint(const ip::address& addr, unsigned short port_num) noexcept : data_() {
    if (addr.is_v4()) {
      const ip::address_v4::bytes_type bytes = addr.to_v4().to_bytes();
      data_.v4.sin_family = AF_INET;
      data_.v4.sin_port = htons(port_num);
      std::memcpy(&data_.v4.sin_addr, bytes.data(), bytes.size());
    } else {
      const ip::address_v6 v6 = addr.to_v6();
      const ip::address_v6::bytes_type bytes = v6.to_bytes();
      data_.v6.sin6_family = AF_INET6;
      data_.v6.sin6_port = htons(port_num);
      std::memcpy(&data_.v6.sin6_addr, bytes.data(), bytes.size());
      data_.v6.sin6_scope_id = v6.scope_id();
    }
  }

  [[nodiscard]] sockaddr* data() noexcept { return &data_.base; }
  [[nodiscard]] const sockaddr* data() const noexcept { return &data_.base; }

  [[nodiscard]] std::size_t size() const noexcept {
    return is_v4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  }

  // Records the length a system call wrote into data(). The family field,
  // not the length, decides the address version, so only a length that
  // cannot be right is refused. Asio's limit is sizeof(sockaddr_storage)
  // (128), more than data() holds; rill's is capacity(), the bytes data()
  // really has.
  void resize(std::size_t new_size) {
    if (new_size > capacity()) throw_error(error::invalid_argument, "resize");
  }

  [[nodiscard]] std::size_t capacity() const noexcept { return sizeof(data_); }

  [[nodiscard]] unsigned short port() const noexcept {
    return ntohs(is_v4() ? data_.v4.sin_port : data_.v6.sin6_port);
  }
  void port(unsigned short port_num) noexcept {
    if (is_v4()) {
      data_.v4.sin_port = htons(port_num);
    } else {
      data_.v6.sin6_port = htons(port_num);
    }
  }

  [[nodiscard]] ip::address address() const noexcept {
    if (is_v4()) {
      ip::address_v4::bytes_type bytes;
      std::memcpy(bytes.data(), &data_.v4.sin_addr, bytes.size());
      return ip::address_v4(bytes);
    }
    ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &data_.v6.sin6_addr, bytes.size());
    return ip::address_v6(bytes, data_.v6.sin6_scope_id);
  }
  // Replaces the address, keeping the port; the family follows the address.
  void address(const ip::address& addr) noexcept { *this = ip_endpoint(addr, port()); }

  [[nodiscard]] bool is_v4() const noexcept { return data_.base.sa_family == AF_INET; }

  // "1.2.3.4:80", "[::1]:80". std::to_string, unlike a stream, ignores the
  // global locale, which could otherwise group the port's digits.
  [[nodiscard]] std::string to_string() const {
    std::string result = is_v4() ? address().to_string() : '[' + address().to_string() + ']';
    result += ':';
    result += std::to_string(port());
    return result;
  }

  // Address, then port; flow information is ignored, as in Asio.
  friend bool operator==(const ip_endpoint& e1, const ip_endpoint& e2) noexcept {
    return e1.address() == e2.address() && e1.port() == e2.port();
  }
  friend std::strong_ordering operator<=>(const ip_endpoint& e1, const ip_endpoint& e2) noexcept {
    if (const auto order = e1.address() <=> e2.address(); order != 0) return order;
    return e1.port() <=> e2.port();
  }

 private:
  union data_union {
    sockaddr base;
    sockaddr_in v4;
    sockaddr_in6 v6;
  } data_;
};

}  // namespace rill::detail
