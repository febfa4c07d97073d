// rill/execution/context_as.hpp - the execution context as a given type
// (Asio's execution::context_as).
#pragma once

#include <concepts>

#include <rill/execution/context.hpp>
#include <rill/execution/executor.hpp>
#include <rill/query.hpp>

namespace rill::execution {

// Query only: rill::query(ex, execution::context_as<execution_context&>)
// is rill::query(ex, execution::context) converted to U. Polymorphic
// executors list it to say which type their context query returns.
template <typename U>
struct context_as_t {
  static constexpr bool is_requirable = false;
  static constexpr bool is_preferable = false;
  using polymorphic_query_result_type = U;

  template <typename T>
  static constexpr bool is_applicable_property_v = detail::executes_functions<T>;

  constexpr context_as_t() noexcept = default;
  constexpr context_as_t(context_t /*p*/) noexcept {}  // NOLINT(google-explicit-constructor)

  template <typename Executor>
  requires can_query_v<const Executor&, const context_t&> &&
      std::convertible_to<query_result_t<const Executor&, const context_t&>, U>
  friend constexpr U query(const Executor& ex, const context_as_t& /*p*/) noexcept(
      is_nothrow_query_v<const Executor&, const context_t&>) {
    return rill::query(ex, context);
  }
};

template <typename U>
inline constexpr context_as_t<U> context_as{};

}  // namespace rill::execution
