// rill/execution/invocable_archetype.hpp - the function object type used to
// check that something is an executor.
#pragma once

namespace rill::execution {

// Stands for "any nullary function object" in concept checks.
struct invocable_archetype {
  template <typename... Args>
  void operator()(Args&&... /*args*/) const {}
};

}  // namespace rill::execution
