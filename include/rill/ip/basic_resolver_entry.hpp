// rill/ip/basic_resolver_entry.hpp - one result of a name resolution.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace rill::ip {

// An endpoint together with the host and service names it was resolved from.
template <typename InternetProtocol>
class basic_resolver_entry {
 public:
  using protocol_type = InternetProtocol;
  using endpoint_type = typename InternetProtocol::endpoint;

  basic_resolver_entry() = default;
  basic_resolver_entry(const endpoint_type& ep, std::string_view host, std::string_view service)
      : endpoint_(ep), host_name_(host), service_name_(service) {}

  [[nodiscard]] endpoint_type endpoint() const { return endpoint_; }
  operator endpoint_type() const { return endpoint_; }  // NOLINT: as in Asio
  [[nodiscard]] std::string host_name() const { return host_name_; }
  [[nodiscard]] std::string service_name() const { return service_name_; }

 private:
  endpoint_type endpoint_;
  std::string host_name_;
  std::string service_name_;
};

}  // namespace rill::ip
