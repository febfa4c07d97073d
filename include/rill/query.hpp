// rill/query.hpp - asking an object for the value of a property, as Asio's
// asio::query customisation point.
#pragma once

#include <type_traits>
#include <utility>

#include <rill/is_applicable_property.hpp>

namespace rill {

namespace detail {

// Property::static_query_v<T> exists: the value follows from T's type.
template <typename T, typename Property>
concept has_static_query = requires {
  std::remove_cvref_t<Property>::template static_query_v<std::remove_cvref_t<T>>;
};

// T::query(Property()) is a constant expression: how an executor states a
// property's value in its type (a static constexpr member function).
template <typename T, typename Property>
concept static_member_query = requires {
  typename std::bool_constant<(static_cast<void>(T::query(Property())), true)>;
};

// The value of T::query(Property()), for a static_query_v that forwards it
// (named through a function so that Property may still be incomplete).
template <typename T, typename Property>
constexpr auto static_member_query_value() noexcept {
  return T::query(Property());
}

namespace query_cpo {

// Ordinary lookup stops here, so an unqualified call finds customisations
// only by argument-dependent lookup.
void query() = delete;

template <typename T, typename P>
concept applicable = is_applicable_property_v<std::remove_cvref_t<T>, std::remove_cvref_t<P>>;

template <typename T, typename P>
concept static_value = applicable<T, P> && has_static_query<T, P>;

template <typename T, typename P>
concept member = applicable<T, P> && requires(T&& t, P&& p) {
  std::forward<T>(t).query(std::forward<P>(p));
};

template <typename T, typename P>
concept free = applicable<T, P> && requires(T&& t, P&& p) {
  query(std::forward<T>(t), std::forward<P>(p));
};

// Asio's order: the static value, then t.query(p), then query(t, p).
struct fn {
  template <typename T, typename P>
  requires static_value<T, P>
  constexpr auto operator()(T&& /*t*/, P&& /*p*/) const noexcept {
    return std::remove_cvref_t<P>::template static_query_v<std::remove_cvref_t<T>>;
  }

  template <typename T, typename P>
  requires(!static_value<T, P> && member<T, P>) constexpr decltype(auto) operator()(T&& t,
                                                                                    P&& p) const
      noexcept(noexcept(std::forward<T>(t).query(std::forward<P>(p)))) {
    return std::forward<T>(t).query(std::forward<P>(p));
  }

  template <typename T, typename P>
  requires(!static_value<T, P> && !member<T, P> && free<T, P>) constexpr decltype(auto) operator()(
      T&& t, P&& p) const noexcept(noexcept(query(std::forward<T>(t), std::forward<P>(p)))) {
    return query(std::forward<T>(t), std::forward<P>(p));
  }
};

}  // namespace query_cpo
}  // namespace detail

// The customisation point objects live in an inline namespace so that they
// cannot clash with hidden friends of the same name.
inline namespace cpo {
inline constexpr detail::query_cpo::fn query{};
}  // namespace cpo

template <typename T, typename Property>
struct can_query : std::bool_constant<std::is_invocable_v<decltype(query), T, Property>> {};
template <typename T, typename Property>
inline constexpr bool can_query_v = can_query<T, Property>::value;

template <typename T, typename Property>
struct is_nothrow_query
    : std::bool_constant<std::is_nothrow_invocable_v<decltype(query), T, Property>> {};
template <typename T, typename Property>
inline constexpr bool is_nothrow_query_v = is_nothrow_query<T, Property>::value;

// The type rill::query(t, p) returns; no member type when it cannot be called.
template <typename T, typename Property>
struct query_result {};
template <typename T, typename Property>
requires can_query_v<T, Property>
struct query_result<T, Property> {
  using type = std::invoke_result_t<decltype(query), T, Property>;
};
template <typename T, typename Property>
using query_result_t = typename query_result<T, Property>::type;

}  // namespace rill
