// rill/ip/basic_resolver_results.hpp - the entries a resolve produced.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <string_view>
#include <vector>

#include <rill/ip/basic_resolver_entry.hpp>

namespace rill::ip {

// A forward range of basic_resolver_entry, cheap to copy (the entries are
// shared), as Asio's. Iterating an empty result gives begin() == end().
template <typename InternetProtocol>
class basic_resolver_results {
 public:
  using protocol_type = InternetProtocol;
  using endpoint_type = typename InternetProtocol::endpoint;
  using value_type = basic_resolver_entry<InternetProtocol>;
  using const_reference = const value_type&;
  using reference = value_type&;
  using const_iterator = typename std::vector<value_type>::const_iterator;
  using iterator = const_iterator;
  using difference_type = std::ptrdiff_t;
  using size_type = std::size_t;

  basic_resolver_results() = default;

  // Results holding a single endpoint (what resolve(endpoint) produces, and
  // a way to build results in tests).
  static basic_resolver_results create(const endpoint_type& ep, std::string_view host,
                                       std::string_view service) {
    basic_resolver_results r;
    r.entries_ = std::make_shared<std::vector<value_type>>();
    r.entries_->emplace_back(ep, host, service);
    return r;
  }

  // For the resolver: appends an entry.
  void push_back(const value_type& entry) {
    if (!entries_) entries_ = std::make_shared<std::vector<value_type>>();
    entries_->push_back(entry);
  }

  [[nodiscard]] size_type size() const noexcept { return entries_ ? entries_->size() : 0; }
  [[nodiscard]] size_type max_size() const noexcept { return entries_ ? entries_->max_size() : 0; }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  [[nodiscard]] const_iterator begin() const noexcept {
    return entries_ ? entries_->cbegin() : const_iterator();
  }
  [[nodiscard]] const_iterator end() const noexcept {
    return entries_ ? entries_->cend() : const_iterator();
  }
  [[nodiscard]] const_iterator cbegin() const noexcept { return begin(); }
  [[nodiscard]] const_iterator cend() const noexcept { return end(); }

  void swap(basic_resolver_results& other) noexcept { entries_.swap(other.entries_); }

  friend bool operator==(const basic_resolver_results& a, const basic_resolver_results& b) {
    if (a.size() != b.size()) return false;
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
      if (i->endpoint() != j->endpoint()) return false;
    }
    return true;
  }

 private:
  std::shared_ptr<std::vector<value_type>> entries_;
};

}  // namespace rill::ip
