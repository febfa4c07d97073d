// rill/require.hpp - obtaining an object that has a property, as Asio's
// asio::require customisation point.
#pragma once

#include <type_traits>
#include <utility>

#include <rill/is_applicable_property.hpp>
#include <rill/query.hpp>

namespace rill {

namespace detail {

// The property's value is already what T states statically: require and
// prefer return the object itself.
template <typename T, typename P>
concept static_property_satisfied = requires {
  requires std::remove_cvref_t<P>::template static_query_v<std::remove_cvref_t<T>> ==
      std::remove_cvref_t<P>::value();
};

// require(t, p0, p1, ...) is require(require(t, p0), p1, ...); prefer alike.
// When an inner step makes a new object, the result is returned by value:
// a reference into that temporary would dangle.
template <typename Fn>
struct chain_properties {
  template <typename T, typename P0, typename P1, typename... Ps>
  requires std::is_invocable_v<const Fn&, T, P0> &&
      std::is_invocable_v<const Fn&, std::invoke_result_t<const Fn&, T, P0>, P1, Ps...>
  constexpr decltype(auto) operator()(T&& t, P0&& p0, P1&& p1, Ps&&... ps) const {
    const Fn& self = static_cast<const Fn&>(*this);
    using first_type = std::invoke_result_t<const Fn&, T, P0>;
    if constexpr (std::is_reference_v<first_type>) {
      return self(self(std::forward<T>(t), std::forward<P0>(p0)), std::forward<P1>(p1),
                  std::forward<Ps>(ps)...);
    } else {
      using result_type = std::decay_t<std::invoke_result_t<const Fn&, first_type, P1, Ps...>>;
      return result_type(self(self(std::forward<T>(t), std::forward<P0>(p0)), std::forward<P1>(p1),
                              std::forward<Ps>(ps)...));
    }
  }
};

namespace require_cpo {

void require() = delete;

template <typename T, typename P>
concept requirable = query_cpo::applicable<T, P> && std::remove_cvref_t<P>::is_requirable;

template <typename T, typename P>
concept member = requires(T&& t, P&& p) {
  std::forward<T>(t).require(std::forward<P>(p));
};

template <typename T, typename P>
concept free = requires(T&& t, P&& p) {
  require(std::forward<T>(t), std::forward<P>(p));
};

// Asio's order: already satisfied statically (the object itself), then
// t.require(p), then require(t, p).
struct fn : chain_properties<fn> {
  using chain_properties<fn>::operator();

  template <typename T, typename P>
  requires requirable<T, P> && static_property_satisfied<T, P>
  constexpr T&& operator()(T&& t, P&& /*p*/) const noexcept { return std::forward<T>(t); }

  template <typename T, typename P>
  requires requirable<T, P> &&
      (!static_property_satisfied<T, P>)&&member<T, P> constexpr decltype(auto)
      operator()(T&& t, P&& p) const
      noexcept(noexcept(std::forward<T>(t).require(std::forward<P>(p)))) {
    return std::forward<T>(t).require(std::forward<P>(p));
  }

  template <typename T, typename P>
  requires requirable<T, P> &&
      (!static_property_satisfied<T, P>)&&(!member<T, P>)&&free<T, P> constexpr decltype(auto)
      operator()(T&& t, P&& p) const
      noexcept(noexcept(require(std::forward<T>(t), std::forward<P>(p)))) {
    return require(std::forward<T>(t), std::forward<P>(p));
  }
};

}  // namespace require_cpo
}  // namespace detail

inline namespace cpo {
inline constexpr detail::require_cpo::fn require{};
}  // namespace cpo

template <typename T, typename... Properties>
struct can_require : std::bool_constant<std::is_invocable_v<decltype(require), T, Properties...>> {
};
template <typename T, typename... Properties>
inline constexpr bool can_require_v = can_require<T, Properties...>::value;

template <typename T, typename... Properties>
struct is_nothrow_require
    : std::bool_constant<std::is_nothrow_invocable_v<decltype(require), T, Properties...>> {};
template <typename T, typename... Properties>
inline constexpr bool is_nothrow_require_v = is_nothrow_require<T, Properties...>::value;

template <typename T, typename... Properties>
struct require_result {};
template <typename T, typename... Properties>
requires can_require_v<T, Properties...>
struct require_result<T, Properties...> {
  using type = std::invoke_result_t<decltype(require), T, Properties...>;
};
template <typename T, typename... Properties>
using require_result_t = typename require_result<T, Properties...>::type;

}  // namespace rill
