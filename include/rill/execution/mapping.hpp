// rill/execution/mapping.hpp - what execution agents map to (Asio's
// execution::mapping).
#pragma once

#include <rill/detail/enumerated_property.hpp>

namespace rill::execution {

// thread: functions run on threads of execution (the default); new_thread:
// each on a new thread; other: something else (fibres ...).
struct mapping_t : rill::detail::enumerated_property<mapping_t, 3, 0> {
  using thread_t = rill::detail::property_value<mapping_t, 0>;
  using new_thread_t = rill::detail::property_value<mapping_t, 1>;
  using other_t = rill::detail::property_value<mapping_t, 2>;

  static constexpr thread_t thread{};
  static constexpr new_thread_t new_thread{};
  static constexpr other_t other{};

  using enumerated_property::enumerated_property;
};

inline constexpr mapping_t mapping{};

}  // namespace rill::execution
