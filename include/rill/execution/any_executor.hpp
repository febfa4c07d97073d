// rill/execution/any_executor.hpp - a polymorphic executor over a list of
// properties (Asio's execution::any_executor).
#pragma once

#include <cstddef>
#include <utility>

#include <rill/detail/any_executor_base.hpp>
#include <rill/execution/bad_executor.hpp>
#include <rill/execution/prefer_only.hpp>

namespace rill::execution {

// Holds any executor that supports the listed properties: requirable ones
// by require, preferable ones (prefer_only<P>) by prefer, the others by
// query. rill::require, prefer and query then work on the any_executor for
// every property convertible to a listed one, and return any_executors.
// An empty any_executor throws bad_executor when used.
template <typename... SupportableProperties>
class any_executor : public rill::detail::basic_any_executor<any_executor<SupportableProperties...>,
                                                             SupportableProperties...> {
  using base_type = rill::detail::basic_any_executor<any_executor<SupportableProperties...>,
                                                     SupportableProperties...>;

 public:
  using base_type::base_type;
  any_executor() noexcept = default;

  friend void swap(any_executor& a, any_executor& b) noexcept { a.swap(b); }
};

}  // namespace rill::execution
