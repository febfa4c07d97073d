// rill/detail/scheduler.hpp - the run queue behind io_context: run/poll/stop,
// work counting and wake-ups.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <thread>

#include <rill/backend.hpp>
#include <rill/detail/op_queue.hpp>
#include <rill/detail/operation.hpp>
#include <rill/execution_context.hpp>

namespace rill::detail {

class scheduler;

// The blocking part of a loop iteration: the reactor (epoll today). The
// scheduler lets one thread at a time run it, when no handler is ready.
class scheduler_task {
 public:
  // Waits up to timeout (negative: no limit, zero: do not block) for I/O
  // readiness and timer expiry, and appends the operations that completed.
  // Returns about how many completed (the events and expired waits it
  // handled), which sets how long handlers may run before the next turn;
  // counting the queue instead would walk a list of cold operations.
  virtual std::size_t run(std::chrono::nanoseconds timeout, op_queue<operation>& completed) = 0;
  // Makes a blocked run() return as soon as possible. Thread-safe.
  virtual void interrupt() = 0;

 protected:
  scheduler_task() = default;
  ~scheduler_task() = default;
  scheduler_task(const scheduler_task&) = delete;
  scheduler_task& operator=(const scheduler_task&) = delete;
};

// State of one thread inside one scheduler's run/poll call. Lives on that
// call's stack; the innermost one is reachable through tls_thread_top.
//
// Why it exists: work posted by a handler that runs on this thread goes to
// private_queue and is counted in private_work, with no lock and no atomic
// read-modify-write. The private state is folded into the scheduler's shared
// queue and work count only when this thread has to look at shared state
// anyway (its private queue ran dry, another thread is idle and could take
// work, or another thread has posted), and when the call returns.
struct scheduler_thread_info {
  scheduler* owner;
  scheduler_thread_info* outer;
  op_queue<operation> private_queue;
  // Work started minus work finished by this thread, not yet in the shared
  // count. While it is positive the shared count still includes the handler
  // this thread took from the shared queue, so it never reaches zero early.
  long private_work = 0;
  // Handlers run from private_queue since this thread last took the lock;
  // when the scheduler has a reactor, it gets a turn after turn_interval.
  unsigned fast_runs = 0;
  // What was left of the scheduler's task_turn_interval_ when this thread
  // last took the lock.
  unsigned turn_interval = 64;
  // The last operation of a batch taken whole from the shared queue, while
  // it is still in private_queue. The batch was queued before anything the
  // shared queue has now, so it goes back in front of that, not behind
  // (posts from one thread run in order, as Asio's queue runs them).
  operation* batch_last = nullptr;
};

inline constinit thread_local scheduler_thread_info* tls_thread_top = nullptr;

class scheduler final : public execution_context_service_base<scheduler> {
 public:
  using clock = std::chrono::steady_clock;

  explicit scheduler(execution_context& ctx, int concurrency_hint = -1);
  ~scheduler() override;
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  std::size_t run();
  std::size_t run_one();
  std::size_t run_one_until(clock::time_point deadline);
  // Runs handlers until the deadline, the work runs out or stop(); the clock
  // is read before each handler, as Asio does.
  std::size_t run_until(clock::time_point deadline);
  std::size_t poll();
  std::size_t poll_one();

  void stop();
  [[nodiscard]] bool stopped() const noexcept;
  void restart();

  [[nodiscard]] int concurrency_hint() const noexcept { return concurrency_hint_; }

  // The back end the context's owner asked for (io_context's constructor);
  // the reactor reads it when it is created.
  void set_requested_backend(backend b) noexcept { requested_backend_ = b; }
  [[nodiscard]] backend requested_backend() const noexcept { return requested_backend_; }

  // True when the calling thread is inside run/poll of this scheduler.
  [[nodiscard]] bool running_in_this_thread() const noexcept { return this_thread() != nullptr; }

  // For tests of the fast path, which no result shows: how many times a
  // thread took the lock to find a handler (the fast path found none, or
  // the reactor's turn was due).
  [[nodiscard]] std::uint64_t locked_takes() const noexcept {
    return locked_takes_.load(std::memory_order_relaxed);
  }

  void work_started() noexcept { outstanding_work_.fetch_add(1, std::memory_order_relaxed); }
  void work_finished() noexcept {
    if (outstanding_work_.fetch_sub(1, std::memory_order_acq_rel) == 1) stop();
  }

  // Queues op and counts it as work. From a thread running this scheduler it
  // goes to that thread's private queue unless another thread is idle and
  // could run it now; continuations (defer) always stay on this thread.
  void post_immediate(operation* op, bool is_continuation) {
    if (scheduler_thread_info* ti = this_thread()) {
      if (is_continuation || idle_threads_.load(std::memory_order_relaxed) == 0) {
        ++ti->private_work;
        ti->private_queue.push(op);
        return;
      }
    }
    work_started();
    post_shared(op);
  }

  // Counts a started asynchronous operation (I/O, timer wait) as work. It
  // goes straight into the shared count, never into the starting thread's
  // private one: the operation may complete, and its handler finish, on
  // another thread, which subtracts it from the shared count. Were the start
  // still private (not yet folded), that count could reach zero and stop the
  // scheduler while the starting thread still runs a handler.
  void work_started_for_operation() noexcept { work_started(); }

  // Queues operations that completed inside the task or were cancelled; their
  // work was counted when they started.
  void post_deferred_completions(op_queue<operation>& ops);
  void post_deferred_completion(operation* op);

  // Destroys, without invoking, operations abandoned at shutdown.
  static void abandon_operations(op_queue<operation>& ops) noexcept {
    while (operation* op = ops.pop()) op->destroy();
  }

  // Installs the reactor; called once by the reactor service's constructor.
  void init_task(scheduler_task* task);

  // Destroys every queued operation without invoking it.
  void shutdown() override;

 private:
  friend class scheduler_thread_scope;

  scheduler_thread_info* this_thread() const noexcept {
    for (scheduler_thread_info* ti = tls_thread_top; ti != nullptr; ti = ti->outer) {
      if (ti->owner == this) return ti;
    }
    return nullptr;
  }

  void post_shared(operation* op);
  // Wakes an idle thread, or the thread blocked in the task. Requires mutex_.
  void wake_one_locked();
  // Runs one operation; waits for one until deadline if wait is true.
  std::size_t do_one(scheduler_thread_info& ti, bool wait, const clock::time_point* deadline);
  // The lock-free fast path: the next operation of the thread's private
  // queue, or null when the queue is empty or the thread must take the lock.
  operation* take_private(scheduler_thread_info& ti) noexcept;
  // The slow path: locks and takes an operation from the shared state.
  operation* take_locked(scheduler_thread_info& ti, bool wait, const clock::time_point* deadline);
  // Before a thread sleeps on the condition variable: spins a few
  // microseconds, unlocked, watching for a post or stop(). A post from
  // another thread then costs no futex wake-up and no context switch on
  // either side (the poster does not signal a thread that is not idle).
  // Returns whether it spun (the caller looks at the queue again), false if
  // spinning is not allowed now. Requires mutex_ (released meanwhile).
  bool spin_for_work(std::unique_lock<std::mutex>& lock);

  operation* take_shared(scheduler_thread_info& ti, std::unique_lock<std::mutex>& lock, bool wait,
                         const clock::time_point* deadline);
  // Moves the thread's private queue and work count into the shared state.
  // Returns false if that made the work count zero (the scheduler is then
  // stopped). Requires mutex_.
  bool fold_private(scheduler_thread_info& ti);
  void stop_locked();
  // Keeps one bit of attention_ equal to the state it stands for. Requires
  // mutex_, so a load and a store suffice (no atomic read-modify-write).
  void set_attention_locked(unsigned bit, bool on) noexcept {
    const unsigned old = attention_.load(std::memory_order_relaxed);
    attention_.store(on ? (old | bit) : (old & ~bit), std::memory_order_relaxed);
  }
  // Runs the task with mutex_ released; queues what completed. Requires mutex_.
  void run_task(std::unique_lock<std::mutex>& lock, scheduler_task& task,
                std::chrono::nanoseconds timeout);

  // Handlers run before the reactor gets a non-blocking turn, at least (Asio
  // gives it one per pass over the queue) and at most.
  static constexpr unsigned min_turn_interval = 64;
  static constexpr unsigned max_turn_interval = 1024;

  // The reasons for a thread on the fast path to take the lock, in one word
  // so that the path tests them with one load: stop() was called, the shared
  // queue holds operations (posted from outside, or completed by the
  // reactor), a thread is idle and could take a share of the work.
  enum : unsigned { attention_stopped = 1, attention_queued = 2, attention_idle = 4 };

  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  op_queue<operation> queue_;
  std::atomic<long> outstanding_work_{0};
  std::atomic<bool> stopped_{false};
  // Hints for the lock-free fast path, written under mutex_ (the fast path
  // reads them relaxed; what they announce is then read under the lock).
  std::atomic<unsigned> attention_{0};
  std::atomic<int> idle_threads_{0};
  // Passed to every operation that completes without an error: building a
  // std::error_code calls std::system_category(), a call into the shared
  // libstdc++, which is too much for every handler.
  const std::error_code success_{};
  bool shutdown_ = false;
  const int concurrency_hint_;
  backend requested_backend_ = backend::automatic;
  // The reactor, once an I/O object or timer exists. Set once under mutex_.
  std::atomic<scheduler_task*> task_{nullptr};
  // A thread is inside task_->run(); only it may run the task. mutex_.
  bool task_running_ = false;
  // The running task has been told to return, or is not blocking. mutex_.
  bool task_interrupted_ = true;
  // Handlers run by any thread, in any run/poll call, since the task last
  // ran; each call's lock-free count (fast_runs) is added in take_shared.
  // Kept here, not per call, so that stepping with run_one()/poll_one(),
  // one call per handler, also gives the reactor its turn. mutex_.
  unsigned handlers_since_task_ = 0;
  // How many handlers run before the reactor's next non-blocking turn: the
  // number of events its last run handled (what it returned), within the
  // bounds above.
  // A turn in the middle of those handlers would split the loop
  // iteration's requests in two (on io_uring, a receive then goes to the
  // kernel before the send that feeds it and waits for a poll: 64-connection
  // ping-pong 1.09x -> 1.24x Asio with the turn after the whole batch).
  // Handler chains still cannot starve I/O. mutex_.
  unsigned task_turn_interval_ = min_turn_interval;
  // Written under mutex_ (no read-modify-write); read by tests.
  std::atomic<std::uint64_t> locked_takes_{0};

  // Spinning before sleeping (spin_for_work). mutex_, except the constant.
  static constexpr std::chrono::microseconds spin_duration{20};
  static constexpr unsigned spin_miss_limit = 4;
  static constexpr unsigned spin_retry_period = 32;
  const bool spin_allowed_ = std::thread::hardware_concurrency() > 1;
  bool spinning_ = false;
  unsigned spin_misses_ = 0;
  unsigned sleeps_without_spin_ = 0;
};

}  // namespace rill::detail
