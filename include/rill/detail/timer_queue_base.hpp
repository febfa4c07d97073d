// rill/detail/timer_queue_base.hpp - what the reactor needs of a timer queue.
#pragma once

#include <chrono>

#include <rill/detail/op_queue.hpp>
#include <rill/detail/operation.hpp>

namespace rill::detail {

// One queue per clock type; the reactor asks each how long it may sleep and
// collects the waits whose timers expired. Called with the reactor's timer
// mutex held.
class timer_queue_base {
 public:
  virtual ~timer_queue_base() = default;

  // Time until the earliest expiry, clamped to [0, limit]; limit if none
  // (a negative limit means "no limit" and is returned when empty).
  virtual std::chrono::nanoseconds wait_duration(std::chrono::nanoseconds limit) const = 0;
  // Moves the waits of every expired timer to ops (completed successfully);
  // returns how many it moved.
  virtual std::size_t get_ready_timers(op_queue<operation>& ops) = 0;
  // Moves every wait to ops (shutdown).
  virtual void get_all_timers(op_queue<operation>& ops) = 0;

 protected:
  timer_queue_base() = default;
  timer_queue_base(const timer_queue_base&) = delete;
  timer_queue_base& operator=(const timer_queue_base&) = delete;
};

}  // namespace rill::detail
