// rill/prefer.hpp - asking for a property without insisting on it, as Asio's
// asio::prefer customisation point.
#pragma once

#include <type_traits>
#include <utility>

#include <rill/is_applicable_property.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>

namespace rill {

namespace detail::prefer_cpo {

void require() = delete;
void prefer() = delete;

template <typename T, typename P>
concept preferable = query_cpo::applicable<T, P> && std::remove_cvref_t<P>::is_preferable;

template <typename T, typename P>
concept member_require = requires(T&& t, P&& p) {
  std::forward<T>(t).require(std::forward<P>(p));
};
template <typename T, typename P>
concept free_require = requires(T&& t, P&& p) {
  require(std::forward<T>(t), std::forward<P>(p));
};
template <typename T, typename P>
concept member_prefer = requires(T&& t, P&& p) {
  std::forward<T>(t).prefer(std::forward<P>(p));
};
template <typename T, typename P>
concept free_prefer = requires(T&& t, P&& p) {
  prefer(std::forward<T>(t), std::forward<P>(p));
};

// Which customisation applies, in Asio's order.
enum class way { identity, member_require, free_require, member_prefer, free_prefer, none };

template <typename T, typename P>
consteval way choose() {
  if constexpr (!preferable<T, P>) {
    return way::none;
  } else if constexpr (static_property_satisfied<T, P>) {
    return way::identity;
  } else if constexpr (member_require<T, P>) {
    return way::member_require;
  } else if constexpr (free_require<T, P>) {
    return way::free_require;
  } else if constexpr (member_prefer<T, P>) {
    return way::member_prefer;
  } else if constexpr (free_prefer<T, P>) {
    return way::free_prefer;
  } else {
    // Nothing supports it: a preference may be ignored.
    return way::identity;
  }
}

template <typename T, typename P>
consteval bool is_nothrow() {
  constexpr way w = choose<T, P>();
  if constexpr (w == way::member_require) {
    return noexcept(std::declval<T>().require(std::declval<P>()));
  } else if constexpr (w == way::free_require) {
    return noexcept(require(std::declval<T>(), std::declval<P>()));
  } else if constexpr (w == way::member_prefer) {
    return noexcept(std::declval<T>().prefer(std::declval<P>()));
  } else if constexpr (w == way::free_prefer) {
    return noexcept(prefer(std::declval<T>(), std::declval<P>()));
  } else {
    return true;
  }
}

struct fn : chain_properties<fn> {
  using chain_properties<fn>::operator();

  template <typename T, typename P>
  requires(choose<T, P>() == way::identity) constexpr T&& operator()(T&& t,
                                                                     P&& /*p*/) const noexcept {
    return std::forward<T>(t);
  }

  template <typename T, typename P>
  requires(choose<T, P>() != way::identity && choose<T, P>() != way::none) constexpr decltype(auto)
  operator()(T&& t, P&& p) const noexcept(is_nothrow<T, P>()) {
    constexpr way w = choose<T, P>();
    if constexpr (w == way::member_require) {
      return std::forward<T>(t).require(std::forward<P>(p));
    } else if constexpr (w == way::free_require) {
      return require(std::forward<T>(t), std::forward<P>(p));
    } else if constexpr (w == way::member_prefer) {
      return std::forward<T>(t).prefer(std::forward<P>(p));
    } else {
      return prefer(std::forward<T>(t), std::forward<P>(p));
    }
  }
};

}  // namespace detail::prefer_cpo

inline namespace cpo {
inline constexpr detail::prefer_cpo::fn prefer{};
}  // namespace cpo

template <typename T, typename... Properties>
struct can_prefer : std::bool_constant<std::is_invocable_v<decltype(prefer), T, Properties...>> {};
template <typename T, typename... Properties>
inline constexpr bool can_prefer_v = can_prefer<T, Properties...>::value;

template <typename T, typename... Properties>
struct is_nothrow_prefer
    : std::bool_constant<std::is_nothrow_invocable_v<decltype(prefer), T, Properties...>> {};
template <typename T, typename... Properties>
inline constexpr bool is_nothrow_prefer_v = is_nothrow_prefer<T, Properties...>::value;

template <typename T, typename... Properties>
struct prefer_result {};
template <typename T, typename... Properties>
requires can_prefer_v<T, Properties...>
struct prefer_result<T, Properties...> {
  using type = std::invoke_result_t<decltype(prefer), T, Properties...>;
};
template <typename T, typename... Properties>
using prefer_result_t = typename prefer_result<T, Properties...>::type;

}  // namespace rill
