// rill/detail/enumerated_property.hpp - the shape shared by blocking,
// relationship, outstanding_work and mapping: a property whose value is one
// of a few nested properties (blocking_t and blocking_t::never_t ...).
#pragma once

#include <utility>

#include <rill/execution/executor.hpp>
#include <rill/query.hpp>

namespace rill::detail {

// One value of an enumerated property (blocking_t::never_t is
// property_value<blocking_t, 2>). Requirable and preferable; queried, it
// answers with the enclosing property type.
template <typename Property, int Index>
struct property_value;

// True when T can be asked for value I of Property, I not being Self.
template <typename T, typename Property, int Self, int I>
consteval bool queries_other_value() {
  if constexpr (I == Self) {
    return false;
  } else {
    return can_query_v<const T&, const property_value<Property, I>&>;
  }
}

// T says nothing about Property: then its default value holds for T.
template <typename T, typename Property, int Self, int... I>
consteval bool silent_about(std::integer_sequence<int, I...> /*values*/) {
  if constexpr (query_cpo::member<const T&, property_value<Property, Self>>) {
    return false;
  } else if constexpr (query_cpo::free<const T&, property_value<Property, Self>>) {
    return false;
  } else {
    return !(queries_other_value<T, Property, Self, I>() || ...);
  }
}

template <typename Property, int Index>
struct property_value {
 private:
  template <typename T>
  static constexpr auto make_static() noexcept {
    if constexpr (static_member_query<T, property_value>) {
      return T::query(property_value());
    } else {
      return property_value();
    }
  }

 public:
  static constexpr bool is_requirable = true;
  static constexpr bool is_preferable = true;
  using polymorphic_query_result_type = Property;

  template <typename T>
  static constexpr bool is_applicable_property_v = execution::detail::executes_functions<T>;

  // The value T states in its type (a static constexpr query member). The
  // default value also holds for every executor that says nothing about the
  // property, as in Asio (blocking.possibly, relationship.fork, ...).
  template <typename T>
  requires static_member_query<T, property_value> ||
      (Index == Property::default_value &&
       silent_about<T, Property, Index>(
           std::make_integer_sequence<
               int, Property::value_count>())) static constexpr auto static_query_v =
          make_static<T>();

  static constexpr Property value() noexcept { return Property(property_value()); }
};

// The first value of Property whose static query T answers, or -1.
template <typename T, typename Property, int... I>
consteval int first_static_value(std::integer_sequence<int, I...> /*values*/) {
  int found = -1;
  static_cast<void>(
      ((has_static_query<T, property_value<Property, I>> ? (found = I, true) : false) || ...));
  return found;
}

// The enclosing property (blocking_t): query only, and compares equal to
// the value it holds (query(ex, blocking) == blocking.never).
template <typename Derived, int Count, int Default>
class enumerated_property {
  template <typename T>
  static constexpr auto make_static() noexcept -> Derived {
    if constexpr (static_member_query<T, Derived>) {
      return T::query(Derived());
    } else {
      constexpr int i = first_static_value<T, Derived>(std::make_integer_sequence<int, Count>());
      return Derived(property_value<Derived, i>::template static_query_v<T>);
    }
  }

 public:
  static constexpr int value_count = Count;
  static constexpr int default_value = Default;
  static constexpr bool is_requirable = false;
  static constexpr bool is_preferable = false;
  using polymorphic_query_result_type = Derived;

  template <typename T>
  static constexpr bool is_applicable_property_v = execution::detail::executes_functions<T>;

  // A default-constructed property holds none of the values.
  constexpr enumerated_property() noexcept = default;
  template <int I>
  constexpr enumerated_property(property_value<Derived, I> /*v*/) noexcept  // NOLINT
      : value_(I) {}

  // Known from T's type: T's static constexpr query, or the first value
  // that T states statically (or by default).
  template <typename T>
  requires static_member_query<T, Derived> ||
      (!query_cpo::member<const T&, Derived> &&
       first_static_value<T, Derived>(std::make_integer_sequence<int, Count>()) >=
           0) static constexpr auto static_query_v = make_static<T>();

  friend constexpr bool operator==(const Derived& a, const Derived& b) noexcept {
    return a.value_ == b.value_;
  }

 private:
  int value_ = -1;
};

}  // namespace rill::detail
