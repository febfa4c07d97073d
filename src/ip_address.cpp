// Text conversions of IP addresses: the parts of rill/ip/address_v4.hpp and
// address_v6.hpp that need the C library's inet_pton/inet_ntop and the
// interface name functions, kept here so that <arpa/inet.h> and <net/if.h>
// (which clashes with <linux/if.h>) stay out of the public headers.
#include <rill/ip/address_v4.hpp>
#include <rill/ip/address_v6.hpp>

#include <rill/error.hpp>
#include <rill/error_code.hpp>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

namespace rill::ip {
namespace {

// Copies text into buffer with a terminating '\0' for the C functions.
// Fails for text that does not fit (and so cannot be valid) and for text
// with an embedded '\0', which the C functions would silently cut short.
template <std::size_t N>
bool to_c_string(std::string_view text, std::array<char, N>& buffer) noexcept {
  if (text.size() >= N || text.find('\0') != std::string_view::npos) return false;
  std::ranges::copy(text, buffer.begin());
  buffer[text.size()] = '\0';
  return true;
}

// The interface in "%scope": a decimal index, or the name of an existing
// interface. Asio also accepts names only for link-local addresses and falls
// back to atoi(), so that "%eth0" on a global address or "%junk" anywhere
// silently means scope 0; rill rejects what it cannot resolve instead.
bool parse_scope(std::string_view text, scope_id_type& scope_id) noexcept {
  if (text.empty()) return false;
  if (std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), scope_id);
    return ec == std::errc() && end == text.data() + text.size();
  }
  std::array<char, IF_NAMESIZE> name{};
  if (!to_c_string(text, name)) return false;
  const unsigned index = ::if_nametoindex(name.data());
  if (index == 0) return false;
  scope_id = index;
  return true;
}

}  // namespace

std::string address_v4::to_string() const {
  std::array<char, INET_ADDRSTRLEN> text{};
  // Cannot fail: the family is supported and the buffer is large enough.
  ::inet_ntop(AF_INET, bytes_.data(), text.data(), static_cast<socklen_t>(text.size()));
  return text.data();
}

address_v4 make_address_v4(std::string_view str, error_code& ec) noexcept {
  std::array<char, INET_ADDRSTRLEN> text{};
  address_v4::bytes_type bytes{};
  if (!to_c_string(str, text) || ::inet_pton(AF_INET, text.data(), bytes.data()) != 1) {
    ec = error::invalid_argument;
    return address_v4();
  }
  ec.clear();
  return address_v4(bytes);
}

address_v4 make_address_v4(const char* str, error_code& ec) noexcept {
  if (str == nullptr) {
    ec = error::invalid_argument;
    return address_v4();
  }
  return make_address_v4(std::string_view(str), ec);
}

std::string address_v6::to_string() const {
  std::array<char, INET6_ADDRSTRLEN> text{};
  // Cannot fail: the family is supported and the buffer is large enough.
  ::inet_ntop(AF_INET6, bytes_.data(), text.data(), static_cast<socklen_t>(text.size()));
  std::string result = text.data();
  if (scope_id_ != 0) {
    // Names only where the scope is an interface by definition (RFC 4007),
    // and only for an interface that exists now; the number otherwise.
    std::array<char, IF_NAMESIZE> name{};
    result += '%';
    if ((is_link_local() || is_multicast_link_local()) &&
        ::if_indextoname(scope_id_, name.data()) != nullptr) {
      result += name.data();
    } else {
      result += std::to_string(scope_id_);
    }
  }
  return result;
}

address_v6 make_address_v6(std::string_view str, error_code& ec) noexcept {
  const std::size_t percent = str.find('%');
  std::array<char, INET6_ADDRSTRLEN> text{};
  address_v6::bytes_type bytes{};
  scope_id_type scope_id = 0;
  if (!to_c_string(str.substr(0, percent), text) ||
      ::inet_pton(AF_INET6, text.data(), bytes.data()) != 1 ||
      (percent != std::string_view::npos && !parse_scope(str.substr(percent + 1), scope_id))) {
    ec = error::invalid_argument;
    return address_v6();
  }
  ec.clear();
  return address_v6(bytes, scope_id);
}

address_v6 make_address_v6(const char* str, error_code& ec) noexcept {
  if (str == nullptr) {
    ec = error::invalid_argument;
    return address_v6();
  }
  return make_address_v6(std::string_view(str), ec);
}

}  // namespace rill::ip
