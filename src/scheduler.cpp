#include <rill/detail/scheduler.hpp>

#include <algorithm>
#include <limits>

#include <rill/detail/memory_counters.hpp>

namespace rill::detail {

// Makes the calling thread "inside" a scheduler for the duration of one
// run/poll call, and folds its private state back when the call ends, also
// when a handler's exception unwinds through it.
class scheduler_thread_scope {
 public:
  explicit scheduler_thread_scope(scheduler& s) : info{&s, tls_thread_top, {}, 0, 0} {
    // The handlers run here may free operations that other threads
    // allocated: this thread's memory counters must be registered.
    memory_counters::ensure_registered();
    // A nested run/poll of the same scheduler must see the work that the
    // outer call queued privately, so move it to the shared queue first.
    if (scheduler_thread_info* outer = s.this_thread()) {
      std::lock_guard lock(s.mutex_);
      s.fold_private(*outer);
    }
    tls_thread_top = &info;
  }

  ~scheduler_thread_scope() {
    tls_thread_top = info.outer;
    if (!info.private_queue.empty() || info.private_work != 0) {
      std::lock_guard lock(info.owner->mutex_);
      info.owner->fold_private(info);
    }
  }

  scheduler_thread_scope(const scheduler_thread_scope&) = delete;
  scheduler_thread_scope& operator=(const scheduler_thread_scope&) = delete;

  scheduler_thread_info info;
};

namespace {

// Counts the work unit of the operation being run as finished, also when
// its handler throws.
struct finish_one {
  scheduler_thread_info& ti;
  ~finish_one() { --ti.private_work; }
};

constexpr std::size_t max_count = std::numeric_limits<std::size_t>::max();

}  // namespace

scheduler::scheduler(execution_context& ctx, int concurrency_hint)
    : execution_context_service_base<scheduler>(ctx), concurrency_hint_(concurrency_hint) {}

scheduler::~scheduler() = default;

void scheduler::shutdown() {
  for (;;) {
    op_queue<operation> ops;
    {
      std::lock_guard lock(mutex_);
      shutdown_ = true;
      ops.push(queue_);
      set_attention_locked(attention_queued, false);
    }
    if (ops.empty()) return;
    // Destroying a handler may queue more work (its destructor may post), so
    // loop until nothing is left.
    while (operation* op = ops.pop()) op->destroy();
  }
}

void scheduler::wake_one_locked() {
  if (idle_threads_.load(std::memory_order_relaxed) > 0) {
    wakeup_.notify_one();
  } else if (task_running_ && !task_interrupted_) {
    task_interrupted_ = true;
    task_.load(std::memory_order_relaxed)->interrupt();
  }
}

void scheduler::post_shared(operation* op) {
  bool notify = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push(op);
    set_attention_locked(attention_queued, true);
    if (idle_threads_.load(std::memory_order_relaxed) > 0) {
      notify = true;
    } else if (task_running_ && !task_interrupted_) {
      task_interrupted_ = true;
      task_.load(std::memory_order_relaxed)->interrupt();
    }
  }
  // Signalled after unlocking, as Asio does: the woken thread can take the
  // mutex at once instead of blocking on it again (a cross-thread hand-off
  // otherwise costs an extra context switch).
  if (notify) wakeup_.notify_one();
}

void scheduler::post_deferred_completion(operation* op) {
  if (scheduler_thread_info* ti = this_thread()) {
    ti->private_queue.push(op);
    return;
  }
  post_shared(op);
}

void scheduler::post_deferred_completions(op_queue<operation>& ops) {
  if (ops.empty()) return;
  if (scheduler_thread_info* ti = this_thread()) {
    ti->private_queue.push(ops);
    return;
  }
  bool notify = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push(ops);
    set_attention_locked(attention_queued, true);
    if (idle_threads_.load(std::memory_order_relaxed) > 0) {
      notify = true;
    } else if (task_running_ && !task_interrupted_) {
      task_interrupted_ = true;
      task_.load(std::memory_order_relaxed)->interrupt();
    }
  }
  if (notify) wakeup_.notify_one();
}

void scheduler::init_task(scheduler_task* task) {
  std::lock_guard lock(mutex_);
  if (shutdown_ || task_.load(std::memory_order_relaxed) != nullptr) return;
  task_.store(task, std::memory_order_release);
}

bool scheduler::fold_private(scheduler_thread_info& ti) {
  if (!ti.private_queue.empty()) {
    if (ti.batch_last != nullptr) {
      // What is left of a batch taken from the shared queue was queued
      // before everything there now (another thread's posts since): it goes
      // in front. What this thread's handlers queued since goes behind.
      op_queue<operation> posted_here;
      ti.private_queue.split_after(ti.batch_last, posted_here);
      queue_.push_front(ti.private_queue);
      queue_.push(posted_here);
    } else {
      queue_.push(ti.private_queue);
    }
    set_attention_locked(attention_queued, true);
    // The caller runs one of them; another thread may take the rest.
    if (idle_threads_.load(std::memory_order_relaxed) > 0) wakeup_.notify_one();
  }
  ti.batch_last = nullptr;
  if (ti.private_work != 0) {
    const long delta = ti.private_work;
    ti.private_work = 0;
    if (outstanding_work_.fetch_add(delta, std::memory_order_acq_rel) + delta == 0) {
      stop_locked();
      return false;
    }
  }
  return true;
}

void scheduler::stop_locked() {
  stopped_.store(true, std::memory_order_release);
  set_attention_locked(attention_stopped, true);
  wakeup_.notify_all();
  if (task_running_ && !task_interrupted_) {
    task_interrupted_ = true;
    task_.load(std::memory_order_relaxed)->interrupt();
  }
}

void scheduler::stop() {
  std::lock_guard lock(mutex_);
  stop_locked();
}

bool scheduler::stopped() const noexcept { return stopped_.load(std::memory_order_acquire); }

void scheduler::restart() {
  std::lock_guard lock(mutex_);
  stopped_.store(false, std::memory_order_release);
  set_attention_locked(attention_stopped, false);
}

void scheduler::run_task(std::unique_lock<std::mutex>& lock, scheduler_task& task,
                         std::chrono::nanoseconds timeout) {
  task_running_ = true;
  task_interrupted_ = timeout == std::chrono::nanoseconds::zero();
  handlers_since_task_ = 0;
  lock.unlock();
  op_queue<operation> completed;
  std::size_t handled = 0;
  // Relocks and publishes the completions also if the task throws.
  struct relock {
    std::unique_lock<std::mutex>& lock;
    scheduler& self;
    op_queue<operation>& completed;
    const std::size_t& handled;
    ~relock() {
      lock.lock();
      self.task_running_ = false;
      self.task_interrupted_ = true;
      self.task_turn_interval_ = static_cast<unsigned>(
          std::clamp<std::size_t>(handled, min_turn_interval, max_turn_interval));
      if (!completed.empty()) {
        self.queue_.push(completed);
        self.set_attention_locked(attention_queued, true);
        // An idle thread may take over the task while this one runs handlers.
        if (self.idle_threads_.load(std::memory_order_relaxed) > 0) self.wakeup_.notify_one();
      }
    }
  };
  relock guard{lock, *this, completed, handled};
  handled = task.run(timeout, completed);
}

operation* scheduler::take_shared(scheduler_thread_info& ti, std::unique_lock<std::mutex>& lock,
                                  bool wait, const clock::time_point* deadline) {
  locked_takes_.store(locked_takes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (!fold_private(ti)) return nullptr;
  bool task_polled = false;
  bool spun = false;
  // fast_runs also counts when there is no reactor (take_private resets it
  // then); only a context with a reactor needs the count.
  if (task_.load(std::memory_order_relaxed) != nullptr) handlers_since_task_ += ti.fast_runs;
  ti.fast_runs = 0;
  if (handlers_since_task_ >= task_turn_interval_) {
    // Many handlers ran without a look at I/O: give the reactor a
    // non-blocking turn first, so handler chains cannot starve it.
    scheduler_task* task = task_.load(std::memory_order_relaxed);
    if (task != nullptr && !task_running_) {
      run_task(lock, *task, std::chrono::nanoseconds::zero());
      if (!fold_private(ti)) return nullptr;
    }
  }
  for (;;) {
    if (stopped_.load(std::memory_order_relaxed)) return nullptr;
    if (operation* op = queue_.pop()) {
      // Only a context with a reactor needs the count (as fast_runs).
      if (task_.load(std::memory_order_relaxed) != nullptr) ++handlers_since_task_;
      if (idle_threads_.load(std::memory_order_relaxed) == 0) {
        // Nobody is waiting for a share: take the whole queue, so that the
        // following handlers (and what they post) run from the private
        // queue without the lock. Order is kept: these ran before anything
        // this thread posts next. If another thread goes idle meanwhile, the
        // fast path sees it and gives the batch back.
        ti.batch_last = queue_.back();
        ti.private_queue.push(queue_);
      } else if (!queue_.empty()) {
        wakeup_.notify_one();
      }
      set_attention_locked(attention_queued, !queue_.empty());
      // The fast path may run what is left of the interval: this handler
      // and the ones before it since the task's turn count already. None
      // left means another thread is in the task (else it had its turn
      // above) and serves I/O meanwhile: a whole interval then, or every
      // handler would take the lock until that thread wakes.
      ti.turn_interval = handlers_since_task_ < task_turn_interval_
                             ? task_turn_interval_ - handlers_since_task_
                             : task_turn_interval_;
      return op;
    }
    if (outstanding_work_.load(std::memory_order_acquire) == 0) {
      stop_locked();
      return nullptr;
    }
    scheduler_task* task = task_.load(std::memory_order_relaxed);
    if (task != nullptr && !task_running_ && !task_polled) {
      // Nothing is ready: this thread runs the reactor, blocking in the
      // kernel only if it may wait and nothing else is pending.
      std::chrono::nanoseconds timeout{-1};
      if (!wait) {
        timeout = std::chrono::nanoseconds::zero();
      } else if (deadline != nullptr) {
        const auto now = clock::now();
        timeout = *deadline > now ? std::chrono::nanoseconds(*deadline - now)
                                  : std::chrono::nanoseconds::zero();
      }
      run_task(lock, *task, timeout);
      // Completions posted from inside the task on this thread (a signal
      // the reactor read from the signal pipe, for a wait of this context)
      // went to the private queue: publish them before looking again.
      if (!fold_private(ti)) return nullptr;
      // A non-blocking pass, or a timed one that found nothing, is not
      // repeated: the caller then returns (poll) or checks its deadline.
      if (!wait || (deadline != nullptr && clock::now() >= *deadline)) task_polled = true;
      continue;
    }
    if (!wait) return nullptr;
    if (deadline != nullptr && clock::now() >= *deadline) return nullptr;
    if (!spun && deadline == nullptr && spin_for_work(lock)) {
      spun = true;
      continue;
    }
    // Under the lock, hence plain loads and stores.
    const int idle = idle_threads_.load(std::memory_order_relaxed);
    idle_threads_.store(idle + 1, std::memory_order_relaxed);
    set_attention_locked(attention_idle, true);
    if (deadline != nullptr) {
      wakeup_.wait_until(lock, *deadline);
    } else {
      wakeup_.wait(lock);
    }
    const int still_idle = idle_threads_.load(std::memory_order_relaxed) - 1;
    idle_threads_.store(still_idle, std::memory_order_relaxed);
    set_attention_locked(attention_idle, still_idle > 0);
  }
}

bool scheduler::spin_for_work(std::unique_lock<std::mutex>& lock) {
  // One spinner at a time, never on one CPU, and only while spinning pays:
  // after spin_miss_limit spins in a row found nothing, only one idle
  // period in spin_retry_period spins, to notice when it pays again.
  if (spinning_ || !spin_allowed_) return false;
  if (spin_misses_ >= spin_miss_limit && ++sleeps_without_spin_ % spin_retry_period != 0) {
    return false;
  }
  spinning_ = true;
  lock.unlock();
  bool found = false;
  const auto start = clock::now();
  for (unsigned i = 1;; ++i) {
    // What a poster or stop() announces; everything is re-checked under
    // the lock afterwards, so a post that arrives as the spin gives up is
    // found by the caller's next pass, never lost.
    if ((attention_.load(std::memory_order_acquire) & (attention_queued | attention_stopped)) !=
        0) {
      found = true;
      break;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 64 == 0 && clock::now() - start >= spin_duration) break;
  }
  lock.lock();
  spinning_ = false;
  spin_misses_ = found ? 0 : spin_misses_ + 1;
  return true;
}

// The fast path: our own queued work, nobody else waiting for a share of it,
// nothing posted from other threads, no stop: no lock, no atomic RMW, one
// relaxed load of shared state. Inlined into every run/poll loop.
inline operation* scheduler::take_private(scheduler_thread_info& ti) noexcept {
  if (attention_.load(std::memory_order_relaxed) != 0) return nullptr;
  if (ti.fast_runs >= ti.turn_interval) [[unlikely]] {
    // Time for the reactor's turn, which needs the lock; without a reactor
    // there is nothing to give a turn to.
    if (task_.load(std::memory_order_relaxed) != nullptr) return nullptr;
    ti.fast_runs = 0;
  }
  operation* op = ti.private_queue.pop();
  // Past the batch's last operation, nothing in the queue predates the
  // shared queue's contents (its memory may come back in a new operation).
  if (op == ti.batch_last) ti.batch_last = nullptr;
  ++ti.fast_runs;
  return op;
}

operation* scheduler::take_locked(scheduler_thread_info& ti, bool wait,
                                  const clock::time_point* deadline) {
  if (stopped_.load(std::memory_order_acquire)) return nullptr;
  std::unique_lock lock(mutex_);
  return take_shared(ti, lock, wait, deadline);
}

inline std::size_t scheduler::do_one(scheduler_thread_info& ti, bool wait,
                                     const clock::time_point* deadline) {
  operation* op = take_private(ti);
  if (op == nullptr) [[unlikely]] {
    op = take_locked(ti, wait, deadline);
    if (op == nullptr) return 0;
  }
  finish_one finish{ti};
  op->complete(this, success_, 0);
  return 1;
}

std::size_t scheduler::run() {
  if (outstanding_work_.load(std::memory_order_acquire) == 0) {
    stop();
    return 0;
  }
  scheduler_thread_scope scope(*this);
  std::size_t n = 0;
  while (do_one(scope.info, true, nullptr) != 0) {
    if (n != max_count) ++n;
  }
  return n;
}

std::size_t scheduler::run_one() {
  if (outstanding_work_.load(std::memory_order_acquire) == 0) {
    stop();
    return 0;
  }
  scheduler_thread_scope scope(*this);
  return do_one(scope.info, true, nullptr);
}

std::size_t scheduler::run_one_until(clock::time_point deadline) {
  if (outstanding_work_.load(std::memory_order_acquire) == 0) {
    stop();
    return 0;
  }
  scheduler_thread_scope scope(*this);
  return do_one(scope.info, true, &deadline);
}

std::size_t scheduler::run_until(clock::time_point deadline) {
  if (outstanding_work_.load(std::memory_order_acquire) == 0) {
    stop();
    return 0;
  }
  scheduler_thread_scope scope(*this);
  std::size_t n = 0;
  while (clock::now() < deadline && do_one(scope.info, true, &deadline) != 0) {
    if (n != max_count) ++n;
  }
  return n;
}

std::size_t scheduler::poll() {
  if (outstanding_work_.load(std::memory_order_acquire) == 0) {
    stop();
    return 0;
  }
  scheduler_thread_scope scope(*this);
  std::size_t n = 0;
  while (do_one(scope.info, false, nullptr) != 0) {
    if (n != max_count) ++n;
  }
  return n;
}

std::size_t scheduler::poll_one() {
  if (outstanding_work_.load(std::memory_order_acquire) == 0) {
    stop();
    return 0;
  }
  scheduler_thread_scope scope(*this);
  return do_one(scope.info, false, nullptr);
}

}  // namespace rill::detail
