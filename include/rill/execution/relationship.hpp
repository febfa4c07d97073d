// rill/execution/relationship.hpp - does a submitted function continue the
// caller? (Asio's execution::relationship)
#pragma once

#include <rill/detail/enumerated_property.hpp>

namespace rill::execution {

// fork: the function is new work (the default); continuation: it continues
// the caller, so an executor may run it after the caller returns, on the
// same thread (rill's schedulers keep it on the thread's private queue).
struct relationship_t : rill::detail::enumerated_property<relationship_t, 2, 0> {
  using fork_t = rill::detail::property_value<relationship_t, 0>;
  using continuation_t = rill::detail::property_value<relationship_t, 1>;

  static constexpr fork_t fork{};
  static constexpr continuation_t continuation{};

  using enumerated_property::enumerated_property;
};

inline constexpr relationship_t relationship{};

}  // namespace rill::execution
