// rill/is_applicable_property.hpp - may a property be used with a type?
#pragma once

#include <type_traits>

namespace rill {

// True when Property says it applies to T, through its member variable
// template Property::is_applicable_property_v<T>, as in Asio. The
// execution properties apply to executors. Users may specialise it.
template <typename T, typename Property>
    struct is_applicable_property : std::bool_constant < requires {
  requires Property::template is_applicable_property_v<T>;
} > {};

template <typename T, typename Property>
inline constexpr bool is_applicable_property_v = is_applicable_property<T, Property>::value;

}  // namespace rill
