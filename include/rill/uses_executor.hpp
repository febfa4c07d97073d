// rill/uses_executor.hpp - the executor_arg tag.
#pragma once

namespace rill {

// Tag that selects constructors taking an executor as their first argument.
struct executor_arg_t {
  constexpr executor_arg_t() noexcept = default;
};

inline constexpr executor_arg_t executor_arg;

}  // namespace rill
