// rill/associated_cancellation_slot.hpp - where a handler listens for
// per-operation cancellation.
#pragma once

#include <concepts>

#include <rill/associator.hpp>
#include <rill/cancellation_signal.hpp>

namespace rill {

namespace detail {

template <typename T>
concept has_nested_cancellation_slot = requires(const T& t) {
  typename T::cancellation_slot_type;
  { t.get_cancellation_slot() } -> std::convertible_to<typename T::cancellation_slot_type>;
};

template <typename T, typename CancellationSlot>
struct associated_cancellation_slot_default {
  // Marks "T has no slot of its own", so that composed operations can skip
  // keeping a cancellation state at compile time, as Asio does. User
  // specialisations do not have it.
  using rill_unspecialised = void;
  using type = CancellationSlot;
  static type get(const T& /*t*/, const CancellationSlot& s = CancellationSlot()) noexcept {
    return s;
  }
};

template <typename T, typename CancellationSlot>
requires has_nested_cancellation_slot<T>
struct associated_cancellation_slot_default<T, CancellationSlot> {
  using type = typename T::cancellation_slot_type;
  static type get(const T& t, const CancellationSlot& /*s*/ = CancellationSlot()) noexcept {
    return t.get_cancellation_slot();
  }
};

}  // namespace detail

// The cancellation slot associated with an object of type T, found like the
// associated allocator: T::cancellation_slot_type and
// t.get_cancellation_slot(); otherwise a user (partial) specialisation of
// this template; otherwise the CancellationSlot argument, a slot connected
// to nothing by default. An operation whose handler has a connected slot
// installs a handler in it that cancels that operation.
template <typename T, typename CancellationSlot = cancellation_slot>
struct associated_cancellation_slot
    : detail::associated_cancellation_slot_default<T, CancellationSlot> {};

// Wrappers that specialise rill::associator forward their handler's slot.
template <typename T, typename CancellationSlot>
requires(!detail::has_nested_cancellation_slot<T> &&
         detail::has_associator<
             associated_cancellation_slot, T,
             CancellationSlot>) struct associated_cancellation_slot<T, CancellationSlot>
    : associator<associated_cancellation_slot, T, CancellationSlot> {
};

template <typename T, typename CancellationSlot = cancellation_slot>
using associated_cancellation_slot_t =
    typename associated_cancellation_slot<T, CancellationSlot>::type;

template <typename T>
[[nodiscard]] associated_cancellation_slot_t<T> get_associated_cancellation_slot(
    const T& t) noexcept {
  return associated_cancellation_slot<T>::get(t);
}

template <typename T, typename CancellationSlot>
[[nodiscard]] associated_cancellation_slot_t<T, CancellationSlot> get_associated_cancellation_slot(
    const T& t, const CancellationSlot& s) noexcept {
  return associated_cancellation_slot<T, CancellationSlot>::get(t, s);
}

namespace detail {
// True when T names a cancellation slot of its own (nested type,
// specialisation, binder), false when its slot is just the default.
template <typename T, typename CancellationSlot = cancellation_slot>
concept has_own_cancellation_slot = !requires {
  typename associated_cancellation_slot<T, CancellationSlot>::rill_unspecialised;
};

// The handler's slot as a rill::cancellation_slot, which is what the
// library's operations install their handlers in; a handler associated with
// some other slot type gets no per-operation cancellation from them.
template <typename Handler>
cancellation_slot handler_cancellation_slot(const Handler& handler) noexcept {
  if constexpr (!has_own_cancellation_slot<Handler>) {
    return cancellation_slot();
  } else if constexpr (std::convertible_to<associated_cancellation_slot_t<Handler>,
                                           cancellation_slot>) {
    return get_associated_cancellation_slot(handler);
  } else {
    return cancellation_slot();
  }
}
}  // namespace detail

}  // namespace rill
