// rill/detail/timer_queue.hpp - the timers of one clock: a binary min-heap
// keyed by expiry.
#pragma once

#include <chrono>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include <rill/detail/op_queue.hpp>
#include <rill/detail/timer_queue_base.hpp>
#include <rill/detail/wait_op.hpp>
#include <rill/error.hpp>
#include <rill/execution_context.hpp>

namespace rill::detail {

// Timers with pending waits sit in a heap ordered by expiry; each timer
// keeps its own FIFO of waits and its index in the heap, so cancelling or
// re-arming one is O(log n). Not thread-safe: the reactor's timer mutex
// guards every call.
template <typename Clock, typename WaitTraits>
class timer_queue final : public timer_queue_base {
 public:
  using time_point = typename Clock::time_point;

  static constexpr std::size_t not_in_heap = std::numeric_limits<std::size_t>::max();

  // What each timer object holds for the queue.
  class per_timer_data {
   public:
    per_timer_data() = default;
    per_timer_data(const per_timer_data&) = delete;
    per_timer_data& operator=(const per_timer_data&) = delete;

   private:
    friend class timer_queue;
    op_queue<wait_op> waits_;
    std::size_t heap_index_ = not_in_heap;
  };

  timer_queue() = default;
  // The heap's memory comes from the context's (its allocator, if any).
  explicit timer_queue(execution_context& ctx) : heap_(context_allocator<entry>(ctx)) {}

  // Adds a wait for the timer expiring at time. Returns true if the timer
  // is now the earliest, so the reactor's sleep must be shortened.
  bool enqueue_timer(const time_point& time, per_timer_data& timer, wait_op* op) {
    if (timer.heap_index_ == not_in_heap) {
      const entry e{time, &timer};
      heap_.push_back(e);
      up_heap(heap_.size() - 1, e);
    }
    timer.waits_.push(op);
    return timer.heap_index_ == 0 && timer.waits_.front() == op;
  }

  // Moves up to max_cancelled waits of the timer to ops with
  // operation_aborted; returns how many.
  std::size_t cancel_timer(per_timer_data& timer, op_queue<operation>& ops,
                           std::size_t max_cancelled = std::numeric_limits<std::size_t>::max()) {
    std::size_t n = 0;
    while (n < max_cancelled) {
      wait_op* op = timer.waits_.pop();
      if (op == nullptr) break;
      // rill::error::operation_aborted (system category), the value handlers
      // compare against; std::errc::operation_canceled would be the generic
      // category and compare unequal to it.
      op->ec_ = rill::error::operation_aborted;
      ops.push(op);
      ++n;
    }
    if (timer.waits_.empty()) remove_timer(timer);
    return n;
  }

  // Moves the wait of the timer whose cancellation key is key to ops with
  // operation_aborted; returns 1, or 0 if it is no longer pending.
  std::size_t cancel_timer_by_key(per_timer_data& timer, op_queue<operation>& ops, void* key) {
    if (key == nullptr) return 0;
    std::size_t n = 0;
    op_queue<wait_op> rest;
    while (wait_op* op = timer.waits_.pop()) {
      if (op->cancellation_key_ == key) {
        op->ec_ = rill::error::operation_aborted;
        ops.push(op);
        ++n;
      } else {
        rest.push(op);
      }
    }
    timer.waits_.push(rest);
    if (timer.waits_.empty()) remove_timer(timer);
    return n;
  }

  // Transfers source's waits to target (timer move construction/assignment).
  void move_timer(per_timer_data& target, per_timer_data& source) {
    target.waits_.push(source.waits_);
    target.heap_index_ = source.heap_index_;
    source.heap_index_ = not_in_heap;
    if (target.heap_index_ != not_in_heap) heap_[target.heap_index_].timer = &target;
  }

  [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }

  std::chrono::nanoseconds wait_duration(std::chrono::nanoseconds limit) const override {
    if (heap_.empty()) return limit;
    const auto until = WaitTraits::to_wait_duration(heap_.front().time);
    if (until <= Clock::duration::zero()) return std::chrono::nanoseconds::zero();
    // Round up: waking a little late is correct, waking early only costs a
    // spin, but truncating to zero would spin until the expiry.
    const auto ns = std::chrono::ceil<std::chrono::nanoseconds>(until);
    if (limit < std::chrono::nanoseconds::zero() || ns < limit) return ns;
    return limit;
  }

  void get_ready_timers(op_queue<operation>& ops) override {
    if (heap_.empty()) return;
    const time_point now = Clock::now();
    while (!heap_.empty() && !(now < heap_.front().time)) {
      per_timer_data* timer = heap_.front().timer;
      while (wait_op* op = timer->waits_.pop()) ops.push(op);
      timer->heap_index_ = not_in_heap;
      pop_front();
    }
  }

  void get_all_timers(op_queue<operation>& ops) override {
    while (!heap_.empty()) {
      per_timer_data* timer = heap_.back().timer;
      while (wait_op* op = timer->waits_.pop()) ops.push(op);
      remove_timer(*timer);
    }
  }

 private:
  struct entry {
    time_point time;
    per_timer_data* timer;
  };

  void remove_timer(per_timer_data& timer) {
    const std::size_t index = timer.heap_index_;
    if (index == not_in_heap) return;
    timer.heap_index_ = not_in_heap;
    const entry last = heap_.back();
    heap_.pop_back();
    if (index == heap_.size()) return;
    if (index > 0 && last.time < heap_[(index - 1) / 2].time) {
      up_heap(index, last);
    } else {
      down_heap(index, last);
    }
  }

  // Removes the earliest entry (its timer's index is already reset). The
  // heap's last entry, which takes its place, is one of the latest, so
  // instead of sifting it down from the root with two comparisons a level
  // (as remove_timer does), the hole goes down to a leaf along the earlier
  // children, one comparison a level, and the entry rises from there,
  // usually not at all (Floyd). Zero-delay timers pop the whole heap each
  // loop turn; this halves the work per pop.
  void pop_front() {
    const entry last = heap_.back();
    heap_.pop_back();
    const std::size_t size = heap_.size();
    if (size == 0) return;
    std::size_t hole = 0;
    for (;;) {
      std::size_t child = hole * 2 + 1;
      if (child >= size) break;
      if (child + 1 < size && heap_[child + 1].time < heap_[child].time) ++child;
      place(hole, heap_[child]);
      hole = child;
    }
    up_heap(hole, last);
  }

  // Puts e at index, keeping its timer's index in step.
  void place(std::size_t index, const entry& e) {
    heap_[index] = e;
    e.timer->heap_index_ = index;
  }

  // Sifts e up from the hole at index: entries are moved, not swapped.
  void up_heap(std::size_t index, const entry& e) {
    while (index > 0) {
      const std::size_t parent = (index - 1) / 2;
      if (!(e.time < heap_[parent].time)) break;
      place(index, heap_[parent]);
      index = parent;
    }
    place(index, e);
  }

  // Sifts e down from the hole at index.
  void down_heap(std::size_t index, const entry& e) {
    const std::size_t size = heap_.size();
    for (;;) {
      std::size_t child = index * 2 + 1;
      if (child >= size) break;
      if (child + 1 < size && heap_[child + 1].time < heap_[child].time) ++child;
      if (!(heap_[child].time < e.time)) break;
      place(index, heap_[child]);
      index = child;
    }
    place(index, e);
  }

  // Grows once to the largest number of armed timers, then never allocates.
  std::vector<entry, context_allocator<entry>> heap_;
};

}  // namespace rill::detail
