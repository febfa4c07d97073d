// rill/execution/occupancy.hpp - how many function objects an executor can
// usefully run at once (Asio's execution::occupancy).
#pragma once

#include <cstddef>

#include <rill/execution/executor.hpp>
#include <rill/query.hpp>

namespace rill::execution {

// Query only: a thread pool's executor answers with its number of threads.
struct occupancy_t {
  static constexpr bool is_requirable = false;
  static constexpr bool is_preferable = false;
  using polymorphic_query_result_type = std::size_t;

  template <typename T>
  static constexpr bool is_applicable_property_v = detail::executes_functions<T>;

  template <typename T>
  requires rill::detail::static_member_query<T, occupancy_t>
  static constexpr auto static_query_v = rill::detail::static_member_query_value<T, occupancy_t>();
};

inline constexpr occupancy_t occupancy;

}  // namespace rill::execution
