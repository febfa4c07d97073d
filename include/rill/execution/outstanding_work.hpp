// rill/execution/outstanding_work.hpp - does an executor keep its context
// busy? (Asio's execution::outstanding_work)
#pragma once

#include <rill/detail/enumerated_property.hpp>

namespace rill::execution {

// untracked: the default; tracked: while such an executor exists, its
// context counts one unit of work (io_context::run() does not return).
struct outstanding_work_t : rill::detail::enumerated_property<outstanding_work_t, 2, 0> {
  using untracked_t = rill::detail::property_value<outstanding_work_t, 0>;
  using tracked_t = rill::detail::property_value<outstanding_work_t, 1>;

  static constexpr untracked_t untracked{};
  static constexpr tracked_t tracked{};

  using enumerated_property::enumerated_property;
};

inline constexpr outstanding_work_t outstanding_work{};

}  // namespace rill::execution
