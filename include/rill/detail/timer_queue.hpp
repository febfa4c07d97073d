// rill/detail/timer_queue.hpp - the timers of one clock, ordered by expiry:
// a run of timers armed in order, and a binary min-heap for the rest.
#pragma once

#include <atomic>
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

// Timers with pending waits are kept in two ordered structures, each
// entry naming its timer, which keeps its own FIFO of waits and where its
// entry is:
//  - the run: entries in non-decreasing expiry order, appended at the back
//    and taken from the front in O(1). A timer armed no earlier than the
//    run's last entry goes there, which is what most programs do: timeouts
//    of one length re-armed as time goes on, zero-delay waits, periodic
//    ticks. (libevent's "common timeouts" rest on the same observation.)
//    It is a ring buffer. Cancelling leaves a tombstone; the run is
//    compacted when tombstones make up half of it, so its size stays within
//    twice the live entries.
//  - a binary min-heap for the others, O(log n).
// The earliest timer is the earlier of the two fronts. Not thread-safe: the
// reactor's timer mutex guards every call.
template <typename Clock, typename WaitTraits>
class timer_queue final : public timer_queue_base {
 public:
  using time_point = typename Clock::time_point;

  static constexpr std::size_t not_queued = std::numeric_limits<std::size_t>::max();

  // What each timer object holds for the queue.
  class per_timer_data {
   public:
    per_timer_data() = default;
    per_timer_data(const per_timer_data&) = delete;
    per_timer_data& operator=(const per_timer_data&) = delete;

   private:
    friend class timer_queue;
    std::size_t index() const noexcept { return index_.load(std::memory_order_relaxed); }
    void set_index(std::size_t index) noexcept { index_.store(index, std::memory_order_relaxed); }

    op_queue<wait_op> waits_;
    // not_queued, an index in the heap, or in_run | an index in the run.
    // Written under the timer mutex; atomic so that has_waits may read it
    // without the mutex (plain loads and stores on the machines rill runs on).
    std::atomic<std::size_t> index_{not_queued};
  };

  // Whether the timer may have waits in the queue, without the timer mutex.
  // Called by the timer's owner, who alone adds waits: if it reads false,
  // the reactor took the timer's last waits out (they are completing), and
  // there is nothing to cancel. Re-arming a timer whose wait completed then
  // takes no lock, where Asio takes one.
  static bool has_waits(const per_timer_data& timer) noexcept {
    return timer.index_.load(std::memory_order_acquire) != not_queued;
  }

  timer_queue() = default;
  // The queue's memory comes from the context's (its allocator, if any).
  explicit timer_queue(execution_context& ctx)
      : heap_(context_allocator<entry>(ctx)), run_(context_allocator<entry>(ctx)) {}

  // Adds a wait for the timer expiring at time. Returns true if the timer
  // is now the earliest, so the reactor's sleep must be shortened.
  bool enqueue_timer(const time_point& time, per_timer_data& timer, wait_op* op) {
    if (timer.index() == not_queued) {
      if (run_begin_ == run_end_ || !(time < run_at(run_end_ - 1).time)) {
        if (run_end_ - run_begin_ == run_.size()) grow_run();
        timer.set_index(in_run | run_end_);
        // Member by member: an entry built on the stack and copied whole
        // is read back with one 16-byte load from two 8-byte stores, which
        // store forwarding cannot serve (measured: the hottest instruction
        // of a zero-delay timer loop).
        entry& e = run_at(run_end_++);
        e.time = time;
        e.timer = &timer;
      } else {
        const entry e{time, &timer};
        heap_.push_back(e);
        up_heap(heap_.size() - 1, e);
      }
    }
    timer.waits_.push(op);
    const entry* first = earliest();
    return first->timer == &timer && timer.waits_.front() == op;
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
    const std::size_t index = source.index();
    target.set_index(index);
    source.set_index(not_queued);
    if (index != not_queued) slot(index).timer = &target;
  }

  [[nodiscard]] bool empty() const noexcept { return earliest() == nullptr; }

  std::chrono::nanoseconds wait_duration(std::chrono::nanoseconds limit) const override {
    const entry* first = earliest();
    if (first == nullptr) return limit;
    const auto until = WaitTraits::to_wait_duration(first->time);
    if (until <= Clock::duration::zero()) return std::chrono::nanoseconds::zero();
    // Round up: waking a little late is correct, waking early only costs a
    // spin, but truncating to zero would spin until the expiry.
    const auto ns = std::chrono::ceil<std::chrono::nanoseconds>(until);
    if (limit < std::chrono::nanoseconds::zero() || ns < limit) return ns;
    return limit;
  }

  std::size_t get_ready_timers(op_queue<operation>& ops) override {
    const entry* first = earliest();
    if (first == nullptr) return 0;
    const time_point now = Clock::now();
    std::size_t moved = 0;
    while (first != nullptr && !(now < first->time)) {
      per_timer_data* timer = first->timer;
      while (wait_op* op = timer->waits_.pop()) {
        ops.push(op);
        ++moved;
      }
      remove_timer(*timer);
      first = earliest();
    }
    return moved;
  }

  void get_all_timers(op_queue<operation>& ops) override {
    while (const entry* first = earliest()) {
      per_timer_data* timer = first->timer;
      while (wait_op* op = timer->waits_.pop()) ops.push(op);
      remove_timer(*timer);
    }
  }

 private:
  struct entry {
    time_point time;
    per_timer_data* timer;  // null: a tombstone in the run
  };

  static constexpr std::size_t in_run = std::size_t{1}
                                        << (std::numeric_limits<std::size_t>::digits - 1);

  entry& slot(std::size_t index) noexcept {
    return (index & in_run) != 0 ? run_at(index & ~in_run) : heap_[index];
  }

  // The run is a ring buffer: the entry of sequence number n is at n
  // modulo the capacity, a power of two, so taking the front moves nothing.
  entry& run_at(std::size_t n) noexcept { return run_[n & (run_.size() - 1)]; }
  const entry& run_at(std::size_t n) const noexcept { return run_[n & (run_.size() - 1)]; }

  // Doubles the ring. Sequence numbers do not change, so no timer is told.
  void grow_run() {
    const std::size_t capacity = run_.empty() ? 16 : 2 * run_.size();
    std::vector<entry, context_allocator<entry>> bigger(capacity, entry{}, run_.get_allocator());
    for (std::size_t n = run_begin_; n != run_end_; ++n) bigger[n & (capacity - 1)] = run_at(n);
    run_.swap(bigger);
  }

  // The entry of the earliest timer, or null. The run's front is never a
  // tombstone (remove_timer skips them).
  const entry* earliest() const noexcept {
    const entry* first = run_begin_ != run_end_ ? &run_at(run_begin_) : nullptr;
    if (!heap_.empty() && (first == nullptr || heap_.front().time < first->time)) {
      first = &heap_.front();
    }
    return first;
  }

  void remove_timer(per_timer_data& timer) {
    const std::size_t index = timer.index();
    if (index == not_queued) return;
    timer.set_index(not_queued);
    if ((index & in_run) != 0) {
      remove_from_run(index & ~in_run);
    } else if (index == 0) {
      pop_heap_front();
    } else {
      remove_from_heap(index);
    }
  }

  void remove_from_run(std::size_t n) {
    if (n == run_begin_) {
      // The front went: skip the tombstones behind it.
      ++run_begin_;
      while (run_begin_ != run_end_ && run_at(run_begin_).timer == nullptr) {
        ++run_begin_;
        --run_dead_;
      }
      return;
    }
    run_at(n).timer = nullptr;
    ++run_dead_;
    if (2 * run_dead_ > run_end_ - run_begin_) compact_run();
  }

  // Moves the live entries of the run together behind its front, in order,
  // renumbering them. Each tombstone is moved over once.
  void compact_run() {
    std::size_t to = run_begin_;
    for (std::size_t from = run_begin_; from != run_end_; ++from) {
      const entry& e = run_at(from);
      if (e.timer == nullptr) continue;
      if (to != from) {
        run_at(to) = e;
        e.timer->set_index(in_run | to);
      }
      ++to;
    }
    run_end_ = to;
    run_dead_ = 0;
  }

  void remove_from_heap(std::size_t index) {
    const entry last = heap_.back();
    heap_.pop_back();
    if (index == heap_.size()) return;
    if (index > 0 && last.time < heap_[(index - 1) / 2].time) {
      up_heap(index, last);
    } else {
      down_heap(index, last);
    }
  }

  // Removes the heap's earliest entry. The last entry, which takes its
  // place, is one of the latest, so instead of sifting it down from the
  // root with two comparisons a level (as remove_from_heap does), the hole
  // goes down to a leaf along the earlier children, one comparison a level,
  // and the entry rises from there, usually not at all (Floyd).
  void pop_heap_front() {
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

  // Puts e at index in the heap, keeping its timer's index in step.
  void place(std::size_t index, const entry& e) {
    heap_[index] = e;
    e.timer->set_index(index);
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

  // Both grow to the largest number of armed timers (the run to the power
  // of two at or above twice that), then never allocate.
  std::vector<entry, context_allocator<entry>> heap_;
  std::vector<entry, context_allocator<entry>> run_;
  std::size_t run_begin_ = 0;  // sequence number of the run's front
  std::size_t run_end_ = 0;    // one past the back
  std::size_t run_dead_ = 0;   // tombstones between them
};

}  // namespace rill::detail
