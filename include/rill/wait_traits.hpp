// rill/wait_traits.hpp - how long to wait for a clock's time point.
#pragma once

namespace rill {

// As Asio's: converts a duration or a time point of Clock into the
// duration the reactor should wait. Specialise for clocks whose time does
// not advance like real time (a test clock, say).
template <typename Clock>
struct wait_traits {
  static typename Clock::duration to_wait_duration(const typename Clock::duration& d) { return d; }

  // t - now, saturated at the duration's limits instead of overflowing.
  static typename Clock::duration to_wait_duration(const typename Clock::time_point& t) {
    using duration = typename Clock::duration;
    const duration target = t.time_since_epoch();
    const duration now = Clock::now().time_since_epoch();
    if (now < duration::zero() && target > (duration::max)() + now) return (duration::max)();
    if (now > duration::zero() && target < (duration::min)() + now) return (duration::min)();
    return target - now;
  }
};

}  // namespace rill
