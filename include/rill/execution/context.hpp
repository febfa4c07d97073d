// rill/execution/context.hpp - the execution context an executor belongs to
// (Asio's execution::context).
#pragma once

#include <any>

#include <rill/execution/executor.hpp>
#include <rill/query.hpp>

namespace rill::execution {

// Query only: rill::query(ex, execution::context) returns the context
// (io_context&, thread_pool&, a user's context ...).
struct context_t {
  static constexpr bool is_requirable = false;
  static constexpr bool is_preferable = false;
  using polymorphic_query_result_type = std::any;

  template <typename T>
  static constexpr bool is_applicable_property_v = detail::executes_functions<T>;

  template <typename T>
  requires rill::detail::static_member_query<T, context_t>
  static constexpr auto static_query_v = rill::detail::static_member_query_value<T, context_t>();
};

inline constexpr context_t context;

}  // namespace rill::execution
