// rill/execution/blocking.hpp - may execute() run the function object
// before it returns? (Asio's execution::blocking)
#pragma once

#include <rill/detail/enumerated_property.hpp>

namespace rill::execution {

// possibly: execute may run the function inside the call (the default);
// always: execute returns only after the function has run;
// never: execute never runs the function inside the call.
struct blocking_t : rill::detail::enumerated_property<blocking_t, 3, 0> {
  using possibly_t = rill::detail::property_value<blocking_t, 0>;
  using always_t = rill::detail::property_value<blocking_t, 1>;
  using never_t = rill::detail::property_value<blocking_t, 2>;

  static constexpr possibly_t possibly{};
  static constexpr always_t always{};
  static constexpr never_t never{};

  using enumerated_property::enumerated_property;
};

inline constexpr blocking_t blocking{};

}  // namespace rill::execution
