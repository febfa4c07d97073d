// rill/detail/ip_socket_option.hpp - socket options whose level and name depend on the IP version.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>

#include <rill/ip/address.hpp>
#include <rill/ip/address_v4.hpp>
#include <rill/ip/address_v6.hpp>

// The interface of detail/socket_option.hpp, for options that exist for both
// IPv4 and IPv6 under different levels and names: level(p), name(p), data(p)
// and size(p) choose by p.family(). Where the two versions take different
// types, the option holds both values and keeps them in step.
namespace rill::detail::socket_option {

// IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP: whether multicast datagrams sent
// are looped back to local listeners.
template <int IPv4Level, int IPv4Name, int IPv6Level, int IPv6Name>
class multicast_enable_loopback {
 public:
  using ipv4_value_type = int;
  using ipv6_value_type = int;

  constexpr multicast_enable_loopback() noexcept = default;
  constexpr explicit multicast_enable_loopback(bool v) noexcept
      : ipv4_value_(v ? 1 : 0), ipv6_value_(v ? 1 : 0) {}

  constexpr multicast_enable_loopback& operator=(bool v) noexcept {
    ipv4_value_ = v ? 1 : 0;
    ipv6_value_ = v ? 1 : 0;
    return *this;
  }

  [[nodiscard]] constexpr bool value() const noexcept { return ipv4_value_ != 0; }
  constexpr operator bool() const noexcept { return ipv4_value_ != 0; }
  constexpr bool operator!() const noexcept { return ipv4_value_ == 0; }

  template <typename Protocol>
  [[nodiscard]] constexpr int level(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Level : IPv4Level;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int name(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Name : IPv4Name;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr void* data(const Protocol& p) noexcept {
    return p.family() == AF_INET6 ? &ipv6_value_ : &ipv4_value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr const void* data(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? &ipv6_value_ : &ipv4_value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr std::size_t size(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? sizeof(ipv6_value_) : sizeof(ipv4_value_);
  }
  // After a get: copies the value the kernel wrote to the other version's.
  template <typename Protocol>
  void resize(const Protocol& p, std::size_t s) {
    if (p.family() == AF_INET6) {
      if (s != sizeof(ipv6_value_)) {
        throw std::length_error("multicast_enable_loopback socket option resize");
      }
      ipv4_value_ = ipv6_value_ != 0 ? 1 : 0;
    } else {
      if (s != sizeof(ipv4_value_)) {
        throw std::length_error("multicast_enable_loopback socket option resize");
      }
      ipv6_value_ = ipv4_value_ != 0 ? 1 : 0;
    }
  }

 private:
  ipv4_value_type ipv4_value_ = 0;
  ipv6_value_type ipv6_value_ = 0;
};

// IP_TTL / IPV6_UNICAST_HOPS: the hop limit of unicast packets (an int for
// both versions; -1 selects the route's default for IPv6).
template <int IPv4Level, int IPv4Name, int IPv6Level, int IPv6Name>
class unicast_hops {
 public:
  constexpr unicast_hops() noexcept = default;
  constexpr explicit unicast_hops(int v) noexcept : value_(v) {}

  constexpr unicast_hops& operator=(int v) noexcept {
    value_ = v;
    return *this;
  }

  [[nodiscard]] constexpr int value() const noexcept { return value_; }

  template <typename Protocol>
  [[nodiscard]] constexpr int level(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Level : IPv4Level;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int name(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Name : IPv4Name;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int* data(const Protocol& /*p*/) noexcept {
    return &value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr const int* data(const Protocol& /*p*/) const noexcept {
    return &value_;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr std::size_t size(const Protocol& /*p*/) const noexcept {
    return sizeof(value_);
  }
  template <typename Protocol>
  void resize(const Protocol& /*p*/, std::size_t s) {
    if (s != sizeof(value_)) throw std::length_error("unicast hops socket option resize");
  }

 private:
  int value_ = 0;
};

// IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS: the hop limit of multicast
// packets, 0-255. Linux takes an int for both versions but, like Asio, rill
// sends IPv4 a single byte, which every system accepts.
template <int IPv4Level, int IPv4Name, int IPv6Level, int IPv6Name>
class multicast_hops {
 public:
  using ipv4_value_type = unsigned char;
  using ipv6_value_type = int;

  constexpr multicast_hops() noexcept = default;
  // Throws std::out_of_range unless 0 <= v <= 255.
  constexpr explicit multicast_hops(int v) { *this = v; }

  constexpr multicast_hops& operator=(int v) {
    if (v < 0 || v > 255) throw std::out_of_range("multicast hops value out of range");
    ipv4_value_ = static_cast<ipv4_value_type>(v);
    ipv6_value_ = v;
    return *this;
  }

  [[nodiscard]] constexpr int value() const noexcept { return ipv6_value_; }

  template <typename Protocol>
  [[nodiscard]] constexpr int level(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Level : IPv4Level;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int name(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Name : IPv4Name;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr void* data(const Protocol& p) noexcept {
    return p.family() == AF_INET6 ? static_cast<void*>(&ipv6_value_)
                                  : static_cast<void*>(&ipv4_value_);
  }
  template <typename Protocol>
  [[nodiscard]] constexpr const void* data(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? static_cast<const void*>(&ipv6_value_)
                                  : static_cast<const void*>(&ipv4_value_);
  }
  template <typename Protocol>
  [[nodiscard]] constexpr std::size_t size(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? sizeof(ipv6_value_) : sizeof(ipv4_value_);
  }
  // After a get: copies the value the kernel wrote to the other version's,
  // clamped to a byte for IPv4.
  template <typename Protocol>
  void resize(const Protocol& p, std::size_t s) {
    if (p.family() == AF_INET6) {
      if (s != sizeof(ipv6_value_)) throw std::length_error("multicast hops socket option resize");
      ipv4_value_ = static_cast<ipv4_value_type>(
          ipv6_value_ < 0 ? 0 : (ipv6_value_ > 255 ? 255 : ipv6_value_));
    } else {
      if (s != sizeof(ipv4_value_)) throw std::length_error("multicast hops socket option resize");
      ipv6_value_ = ipv4_value_;
    }
  }

 private:
  ipv4_value_type ipv4_value_ = 0;
  ipv6_value_type ipv6_value_ = 0;
};

// IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP and the matching drop/leave options: a
// multicast group and the interface to join it on. Set-only, so data() is
// const.
template <int IPv4Level, int IPv4Name, int IPv6Level, int IPv6Name>
class multicast_request {
 public:
  // The "any" group on the default interface (all fields zero).
  constexpr multicast_request() noexcept = default;

  // The group address's version chooses the request; an IPv6 group's scope
  // id names the interface, an IPv4 group uses the default interface.
  explicit multicast_request(const ip::address& multicast_address) noexcept {
    if (multicast_address.is_v6()) {
      set_v6(multicast_address.to_v6(), 0);
    } else {
      set_v4(multicast_address.to_v4(), ip::address_v4::any());
    }
  }

  // An IPv4 group on the interface with the given local address.
  explicit multicast_request(
      const ip::address_v4& multicast_address,
      const ip::address_v4& network_interface = ip::address_v4::any()) noexcept {
    set_v4(multicast_address, network_interface);
  }

  // An IPv6 group on the interface with the given index; 0 means the
  // group's scope id.
  explicit multicast_request(const ip::address_v6& multicast_address,
                             unsigned long network_interface = 0) noexcept {
    set_v6(multicast_address, network_interface);
  }

  template <typename Protocol>
  [[nodiscard]] constexpr int level(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Level : IPv4Level;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int name(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Name : IPv4Name;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr const void* data(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? static_cast<const void*>(&ipv6_value_)
                                  : static_cast<const void*>(&ipv4_value_);
  }
  template <typename Protocol>
  [[nodiscard]] constexpr std::size_t size(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? sizeof(ipv6_value_) : sizeof(ipv4_value_);
  }

 private:
  void set_v4(const ip::address_v4& group, const ip::address_v4& interface_address) noexcept {
    const ip::address_v4::bytes_type g = group.to_bytes();
    const ip::address_v4::bytes_type i = interface_address.to_bytes();
    std::memcpy(&ipv4_value_.imr_multiaddr, g.data(), g.size());
    std::memcpy(&ipv4_value_.imr_interface, i.data(), i.size());
  }
  void set_v6(const ip::address_v6& group, unsigned long interface_index) noexcept {
    const ip::address_v6::bytes_type g = group.to_bytes();
    std::memcpy(&ipv6_value_.ipv6mr_multiaddr, g.data(), g.size());
    ipv6_value_.ipv6mr_interface =
        interface_index != 0 ? static_cast<unsigned>(interface_index) : group.scope_id();
  }

  ip_mreq ipv4_value_{};
  ipv6_mreq ipv6_value_{};
};

// IP_MULTICAST_IF / IPV6_MULTICAST_IF: the interface outgoing multicast
// datagrams leave by, an address for IPv4 and an index for IPv6. Set-only.
template <int IPv4Level, int IPv4Name, int IPv6Level, int IPv6Name>
class network_interface {
 public:
  // The default interface (address 0.0.0.0, index 0).
  constexpr network_interface() noexcept = default;

  explicit network_interface(const ip::address_v4& ipv4_interface) noexcept {
    const ip::address_v4::bytes_type bytes = ipv4_interface.to_bytes();
    std::memcpy(&ipv4_value_, bytes.data(), bytes.size());
  }

  constexpr explicit network_interface(unsigned int ipv6_interface) noexcept
      : ipv6_value_(ipv6_interface) {}

  template <typename Protocol>
  [[nodiscard]] constexpr int level(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Level : IPv4Level;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr int name(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? IPv6Name : IPv4Name;
  }
  template <typename Protocol>
  [[nodiscard]] constexpr const void* data(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? static_cast<const void*>(&ipv6_value_)
                                  : static_cast<const void*>(&ipv4_value_);
  }
  template <typename Protocol>
  [[nodiscard]] constexpr std::size_t size(const Protocol& p) const noexcept {
    return p.family() == AF_INET6 ? sizeof(ipv6_value_) : sizeof(ipv4_value_);
  }

 private:
  in_addr ipv4_value_{};
  unsigned int ipv6_value_ = 0;
};

}  // namespace rill::detail::socket_option
