// rill/execution/allocator.hpp - the allocator an executor uses for the
// memory of submitted function objects (Asio's execution::allocator).
#pragma once

#include <rill/execution/executor.hpp>
#include <rill/query.hpp>

namespace rill::execution {

template <typename ProtoAllocator>
struct allocator_t;

// execution::allocator: require it to return to the default allocator;
// query it for the executor's allocator; call it, allocator(a), to make
// the property that asks for a.
template <>
struct allocator_t<void> {
  static constexpr bool is_requirable = true;
  static constexpr bool is_preferable = true;

  template <typename T>
  static constexpr bool is_applicable_property_v = detail::executes_functions<T>;

  template <typename T>
  requires rill::detail::static_member_query<T, allocator_t>
  static constexpr auto static_query_v = rill::detail::static_member_query_value<T, allocator_t>();

  template <typename OtherAllocator>
  constexpr allocator_t<OtherAllocator> operator()(const OtherAllocator& a) const {
    return allocator_t<OtherAllocator>(a);
  }
};

// Asks for a particular allocator; made by execution::allocator(a).
template <typename ProtoAllocator>
struct allocator_t {
  static constexpr bool is_requirable = true;
  static constexpr bool is_preferable = true;

  template <typename T>
  static constexpr bool is_applicable_property_v = detail::executes_functions<T>;

  [[nodiscard]] constexpr ProtoAllocator value() const { return allocator_; }

 private:
  friend struct allocator_t<void>;
  constexpr explicit allocator_t(const ProtoAllocator& a) : allocator_(a) {}

  ProtoAllocator allocator_;
};

inline constexpr allocator_t<void> allocator;

}  // namespace rill::execution
