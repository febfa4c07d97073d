// rill/this_coro.hpp - what a coroutine can ask about itself, and the
// cancellation settings it can change, as Asio's this_coro.
//
//   auto ex = co_await rill::this_coro::executor;
//   rill::cancellation_state cs = co_await rill::this_coro::cancellation_state;
//   co_await rill::this_coro::reset_cancellation_state(rill::enable_total_cancellation());
//   co_await rill::this_coro::throw_if_cancelled(false);
#pragma once

#include <utility>

namespace rill::this_coro {

// `co_await this_coro::executor` inside an awaitable coroutine yields the
// executor the coroutine runs on, as in Asio.
struct executor_t {
  constexpr executor_t() = default;
};
inline constexpr executor_t executor;

// `co_await this_coro::cancellation_state` yields the coroutine thread's
// cancellation_state: which cancellation was requested through the slot of
// co_spawn's completion handler (cancelled()), and the slot its awaited
// operations are given.
struct cancellation_state_t {
  constexpr cancellation_state_t() = default;
};
inline constexpr cancellation_state_t cancellation_state;

// Resets the cancellation state to accept terminal cancellation only
// (no argument), Filter for requests in both directions, or InFilter for
// requests coming in and OutFilter for those passed on to awaited operations.
// Forgets a cancellation already requested.
struct reset_cancellation_state_0_t {
  constexpr reset_cancellation_state_0_t() = default;
};
template <typename Filter>
struct reset_cancellation_state_1_t {
  explicit reset_cancellation_state_1_t(Filter f) : filter(std::move(f)) {}
  Filter filter;
};
template <typename InFilter, typename OutFilter>
struct reset_cancellation_state_2_t {
  reset_cancellation_state_2_t(InFilter in, OutFilter out)
      : in_filter(std::move(in)), out_filter(std::move(out)) {}
  InFilter in_filter;
  OutFilter out_filter;
};

[[nodiscard]] constexpr reset_cancellation_state_0_t reset_cancellation_state() { return {}; }
template <typename Filter>
[[nodiscard]] reset_cancellation_state_1_t<Filter> reset_cancellation_state(Filter filter) {
  return reset_cancellation_state_1_t<Filter>(std::move(filter));
}
template <typename InFilter, typename OutFilter>
[[nodiscard]] reset_cancellation_state_2_t<InFilter, OutFilter> reset_cancellation_state(
    InFilter in_filter, OutFilter out_filter) {
  return reset_cancellation_state_2_t<InFilter, OutFilter>(std::move(in_filter),
                                                           std::move(out_filter));
}

// Whether a co_await after a cancellation was requested throws
// system_error(operation_aborted) instead of waiting (true by default).
// `co_await throw_if_cancelled()` yields the setting, `co_await
// throw_if_cancelled(b)` changes it.
struct throw_if_cancelled_0_t {
  constexpr throw_if_cancelled_0_t() = default;
};
struct throw_if_cancelled_1_t {
  explicit constexpr throw_if_cancelled_1_t(bool v) : value(v) {}
  bool value;
};

[[nodiscard]] constexpr throw_if_cancelled_0_t throw_if_cancelled() { return {}; }
[[nodiscard]] constexpr throw_if_cancelled_1_t throw_if_cancelled(bool value) {
  return throw_if_cancelled_1_t(value);
}

}  // namespace rill::this_coro
