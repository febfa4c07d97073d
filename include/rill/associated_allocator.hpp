// rill/associated_allocator.hpp - which allocator a handler's operations use.
#pragma once

#include <memory>
#include <type_traits>

#include <rill/associator.hpp>

namespace rill {

namespace detail {

template <typename T>
concept has_nested_allocator = requires(const T& t) {
  typename T::allocator_type;
  { t.get_allocator() } -> std::convertible_to<typename T::allocator_type>;
};

template <typename T, typename Allocator>
struct associated_allocator_default {
  using type = Allocator;
  static type get(const T& /*t*/, const Allocator& a = Allocator()) noexcept { return a; }
};

template <typename T, typename Allocator>
requires has_nested_allocator<T>
struct associated_allocator_default<T, Allocator> {
  using type = typename T::allocator_type;
  static type get(const T& t, const Allocator& /*a*/ = Allocator()) noexcept {
    return t.get_allocator();
  }
};

}  // namespace detail

// The allocator associated with an object of type T, as in Asio:
//  1. T::allocator_type and t.get_allocator(), when T provides them;
//  2. otherwise a user (partial) specialisation of this template;
//  3. otherwise the Allocator argument, std::allocator<void> by default.
// Asynchronous operations store their state in memory from this allocator.
template <typename T, typename Allocator = std::allocator<void>>
struct associated_allocator : detail::associated_allocator_default<T, Allocator> {};

// Wrappers that specialise rill::associator forward their handler's allocator.
template <typename T, typename Allocator>
requires(!detail::has_nested_allocator<T> &&
         detail::has_associator<associated_allocator, T,
                                Allocator>) struct associated_allocator<T, Allocator>
    : associator<associated_allocator, T, Allocator> {
};

template <typename T, typename Allocator = std::allocator<void>>
using associated_allocator_t = typename associated_allocator<T, Allocator>::type;

template <typename T>
[[nodiscard]] associated_allocator_t<T> get_associated_allocator(const T& t) noexcept {
  return associated_allocator<T>::get(t);
}

template <typename T, typename Allocator>
[[nodiscard]] associated_allocator_t<T, Allocator> get_associated_allocator(
    const T& t, const Allocator& a) noexcept {
  return associated_allocator<T, Allocator>::get(t, a);
}

}  // namespace rill
