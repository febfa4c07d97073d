// rill/execution/prefer_only.hpp - a property that may be preferred but not
// required (Asio's execution::prefer_only), used in any_executor's lists.
#pragma once

#include <type_traits>

#include <rill/is_applicable_property.hpp>
#include <rill/prefer.hpp>
#include <rill/query.hpp>

namespace rill::execution {

namespace detail {
template <typename Property>
struct prefer_only_result {};
template <typename Property>
requires requires { typename Property::polymorphic_query_result_type; }
struct prefer_only_result<Property> {
  using polymorphic_query_result_type = typename Property::polymorphic_query_result_type;
};
}  // namespace detail

// any_executor<prefer_only<outstanding_work_t::tracked_t>> accepts targets
// that cannot track work: prefer(ex, tracked) then leaves them as they are,
// while require(ex, tracked) does not compile.
template <typename InnerProperty>
struct prefer_only : detail::prefer_only_result<InnerProperty> {
  static constexpr bool is_requirable = false;
  static constexpr bool is_preferable = InnerProperty::is_preferable;

  template <typename T>
  static constexpr bool is_applicable_property_v = rill::is_applicable_property_v<T, InnerProperty>;

  template <typename T>
  requires rill::detail::has_static_query<T, InnerProperty>
  static constexpr auto static_query_v = InnerProperty::template static_query_v<T>;

  constexpr prefer_only(const InnerProperty& p) : property(p) {}  // NOLINT

  // Found by argument-dependent lookup. The property's type is deduced, not
  // converted to: InnerProperty itself must not find these.
  template <typename Executor, typename Property>
  requires std::is_same_v<Property, InnerProperty> &&
      can_prefer_v<const Executor&, const InnerProperty&>
  friend constexpr decltype(auto)
  prefer(const Executor& ex, const prefer_only<Property>& p) noexcept(
      is_nothrow_prefer_v<const Executor&, const InnerProperty&>) {
    return rill::prefer(ex, p.property);
  }

  template <typename Executor, typename Property>
  requires std::is_same_v<Property, InnerProperty> &&
      can_query_v<const Executor&, const InnerProperty&>
  friend constexpr decltype(auto)
  query(const Executor& ex, const prefer_only<Property>& p) noexcept(
      is_nothrow_query_v<const Executor&, const InnerProperty&>) {
    return rill::query(ex, p.property);
  }

  InnerProperty property;
};

}  // namespace rill::execution
