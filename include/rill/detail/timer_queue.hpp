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
      timer.heap_index_ = heap_.size();
      heap_.push_back(entry{time, &timer});
      up_heap(heap_.size() - 1);
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
      remove_timer(*timer);
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
    const std::size_t last = heap_.size() - 1;
    if (index != last) {
      heap_[index] = heap_[last];
      heap_[index].timer->heap_index_ = index;
      heap_.pop_back();
      if (index > 0 && heap_[index].time < heap_[(index - 1) / 2].time) {
        up_heap(index);
      } else {
        down_heap(index);
      }
    } else {
      heap_.pop_back();
    }
  }

  void up_heap(std::size_t index) {
    while (index > 0) {
      const std::size_t parent = (index - 1) / 2;
      if (!(heap_[index].time < heap_[parent].time)) break;
      swap_entries(index, parent);
      index = parent;
    }
  }

  void down_heap(std::size_t index) {
    const std::size_t size = heap_.size();
    for (;;) {
      const std::size_t left = index * 2 + 1;
      if (left >= size) break;
      const std::size_t right = left + 1;
      const std::size_t child =
          (right < size && heap_[right].time < heap_[left].time) ? right : left;
      if (!(heap_[child].time < heap_[index].time)) break;
      swap_entries(index, child);
      index = child;
    }
  }

  void swap_entries(std::size_t a, std::size_t b) {
    std::swap(heap_[a], heap_[b]);
    heap_[a].timer->heap_index_ = a;
    heap_[b].timer->heap_index_ = b;
  }

  // Grows once to the largest number of armed timers, then never allocates.
  std::vector<entry, context_allocator<entry>> heap_;
};

}  // namespace rill::detail
