// rill/detail/base_from_cancellation_state.hpp - the cancellation state a
// composed operation keeps for its handler.
#pragma once

#include <utility>

#include <rill/associated_cancellation_slot.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_state.hpp>
#include <rill/cancellation_type.hpp>

namespace rill::detail {

// A composed operation whose handler has a cancellation slot attaches a
// cancellation_state to it, as Asio's composed operations do: the state
// records a request, forwards it to the step in flight (whose operation
// listens on the state's child slot, this base's get_cancellation_slot()),
// and lets the operation stop between steps even when the request arrived
// after a step had already completed (when it could cancel nothing).
//
// A handler without a slot of its own costs nothing: the base is empty and
// the operation has no slot either.
template <typename Handler>
class base_from_cancellation_state {
 public:
  using cancellation_slot_type = cancellation_slot;

  [[nodiscard]] cancellation_slot_type get_cancellation_slot() const noexcept {
    return state_.slot();
  }
  [[nodiscard]] cancellation_state get_cancellation_state() const noexcept { return state_; }

 protected:
  explicit base_from_cancellation_state(const Handler& handler)
      : state_(handler_cancellation_slot(handler)) {}

  template <typename Filter>
  base_from_cancellation_state(const Handler& handler, Filter filter)
      : state_(handler_cancellation_slot(handler), filter, filter) {}

  template <typename InFilter, typename OutFilter>
  base_from_cancellation_state(const Handler& handler, InFilter&& in_filter, OutFilter&& out_filter)
      : state_(handler_cancellation_slot(handler), std::forward<InFilter>(in_filter),
               std::forward<OutFilter>(out_filter)) {}

  void reset_cancellation_state(const Handler& handler) {
    state_ = cancellation_state(handler_cancellation_slot(handler));
  }

  template <typename Filter>
  void reset_cancellation_state(const Handler& handler, Filter filter) {
    state_ = cancellation_state(handler_cancellation_slot(handler), filter, filter);
  }

  template <typename InFilter, typename OutFilter>
  void reset_cancellation_state(const Handler& handler, InFilter&& in_filter,
                                OutFilter&& out_filter) {
    state_ =
        cancellation_state(handler_cancellation_slot(handler), std::forward<InFilter>(in_filter),
                           std::forward<OutFilter>(out_filter));
  }

  [[nodiscard]] cancellation_type cancelled() const noexcept { return state_.cancelled(); }

 private:
  cancellation_state state_;
};

template <typename Handler>
requires(!has_own_cancellation_slot<Handler>) class base_from_cancellation_state<Handler> {
 public:
  [[nodiscard]] cancellation_state get_cancellation_state() const noexcept {
    return cancellation_state();
  }

 protected:
  explicit base_from_cancellation_state(const Handler& /*handler*/) noexcept {}
  template <typename Filter>
  base_from_cancellation_state(const Handler& /*handler*/, Filter /*filter*/) noexcept {}
  template <typename InFilter, typename OutFilter>
  base_from_cancellation_state(const Handler& /*handler*/, InFilter&& /*in_filter*/,
                               OutFilter&& /*out_filter*/) noexcept {}

  void reset_cancellation_state(const Handler& /*handler*/) noexcept {}
  template <typename Filter>
  void reset_cancellation_state(const Handler& /*handler*/, Filter /*filter*/) noexcept {}
  template <typename InFilter, typename OutFilter>
  void reset_cancellation_state(const Handler& /*handler*/, InFilter&& /*in_filter*/,
                                OutFilter&& /*out_filter*/) noexcept {}

  [[nodiscard]] static constexpr cancellation_type cancelled() noexcept {
    return cancellation_type::none;
  }
};

}  // namespace rill::detail
