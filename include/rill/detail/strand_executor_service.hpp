// rill/detail/strand_executor_service.hpp - the shared state of a strand and
// the service that owns every strand of one execution context.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <system_error>
#include <type_traits>
#include <utility>

#include <rill/detail/basic_scheduler_executor.hpp>
#include <rill/detail/executor_function.hpp>
#include <rill/detail/executor_op.hpp>
#include <rill/detail/executor_submit.hpp>
#include <rill/detail/op_queue.hpp>
#include <rill/detail/operation.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/execution_context.hpp>
#include <rill/is_executor.hpp>

namespace rill::detail {

class strand_executor_service;
class strand_impl;

// The strands whose handlers the calling thread is running, innermost first.
// Each frame lives on the stack of the invoker that runs a batch.
struct strand_frame {
  const strand_impl* impl;
  strand_frame* outer;
};

inline constinit thread_local strand_frame* tls_strand_top = nullptr;

// The strand's invoker when the inner executor runs on a rill scheduler
// (io_context, thread_pool): an operation embedded in the strand's state, so
// that scheduling a batch allocates nothing. At most one invoker of a strand
// is ever queued or running (the one of the thread that holds the strand), so
// one embedded operation suffices.
class strand_invoker_op final : public operation {
 public:
  explicit strand_invoker_op(strand_impl& impl) noexcept
      : operation(&strand_invoker_op::do_complete), impl_(impl) {}

  // owner is the scheduler that ran the operation (null at shutdown).
  static void do_complete(void* owner, operation* base, const std::error_code& ec,
                          std::size_t bytes);

 private:
  strand_impl& impl_;
};

// The state every copy of one strand shares: the lock that orders
// submissions, the queue of submitted functions and whether some thread holds
// the strand (a batch is queued or running).
//
// Why one reference-counted state per strand and not a pool as in Asio: Asio
// hashes strands onto 193 shared mutexes (strand) or 193 shared states
// (io_context::strand), so unrelated strands contend on one lock and, for the
// legacy class, even wait for each other's handlers. A state of its own costs
// each strand one allocation when it is made (never per handler) and an
// atomic increment per copy, and lets the invoker live inside it.
class strand_impl {
 public:
  strand_impl(const strand_impl&) = delete;
  strand_impl& operator=(const strand_impl&) = delete;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

  // Queues op behind the functions already submitted. Returns true when the
  // strand was idle: the caller then holds the strand, with one reference
  // for the invoker it must launch. A strand whose context has shut down
  // destroys op without invoking it.
  bool enqueue(operation* op) noexcept {
    std::unique_lock lock(mutex_);
    if (shutdown_) {
      lock.unlock();
      op->destroy();
      return false;
    }
    if (locked_) {
      waiting_.push(op);
      return false;
    }
    locked_ = true;
    ready_.push(op);
    add_ref();
    return true;
  }

  // Called by the holder when its batch ends: what was submitted meanwhile
  // becomes the next batch. Returns false (and lets go of the strand) when
  // there is none. The lock orders this batch's handlers before the next
  // batch's, which may run on another thread.
  bool push_waiting_to_ready() noexcept {
    std::lock_guard lock(mutex_);
    ready_.push(waiting_);
    locked_ = !ready_.empty();
    return locked_;
  }

  [[nodiscard]] bool running_in_this_thread() const noexcept {
    for (const strand_frame* f = tls_strand_top; f != nullptr; f = f->outer) {
      if (f->impl == this) return true;
    }
    return false;
  }

  // Runs the current batch as the strand's holder. Functions submitted to
  // the strand meanwhile wait for the next batch, so a strand that keeps
  // posting to itself still lets the context run other work in between. If
  // a function throws, the rest of the batch stays queued.
  void run_ready(void* owner) {
    const frame_scope scope(this);
    const std::error_code ec;
    // ready_ belongs to the holder: no lock is needed to pop it.
    while (operation* op = ready_.pop()) op->complete(owner, ec, 0);
  }

  // Runs batches on a thread that runs sched, as the holder: after the
  // batch, the next one (if any) is queued on sched, also when a function
  // throws; otherwise the holder's reference is dropped. continuation keeps
  // the next batch on this thread.
  void run_on_scheduler(scheduler& sched, bool continuation) {
    const reschedule_on_exit exit{*this, sched, continuation};
    run_ready(&sched);
  }

  // Takes an idle strand without queuing anything, with one reference for
  // the holder. False if it is held or shut down.
  bool try_acquire() noexcept {
    std::lock_guard lock(mutex_);
    if (locked_ || shutdown_) return false;
    locked_ = true;
    add_ref();
    return true;
  }

  // Runs f inside the strand just acquired with try_acquire, on a thread
  // that runs sched, then goes on as run_on_scheduler: dispatching to an
  // idle strand needs no operation at all.
  template <typename Function>
  void run_acquired_on_scheduler(Function&& f, scheduler& sched) {
    const reschedule_on_exit exit{*this, sched, false};
    const frame_scope scope(this);
    std::decay_t<Function> tmp(std::forward<Function>(f));
    std::move(tmp)();
  }

  // Queues the embedded invoker on sched; the holder's reference goes with it.
  void schedule_on(scheduler& sched, bool continuation) noexcept {
    sched.post_immediate(&invoker_, continuation);
  }

 private:
  friend class strand_executor_service;

  // Marks the calling thread as running this strand, for
  // running_in_this_thread.
  class frame_scope {
   public:
    explicit frame_scope(const strand_impl* impl) noexcept : frame_{impl, tls_strand_top} {
      tls_strand_top = &frame_;
    }
    frame_scope(const frame_scope&) = delete;
    frame_scope& operator=(const frame_scope&) = delete;
    ~frame_scope() { tls_strand_top = frame_.outer; }

   private:
    strand_frame frame_;
  };

  // Ends a batch: the next one (if any) is queued on sched, otherwise the
  // holder's reference is dropped. Runs also when a function throws.
  struct reschedule_on_exit {
    strand_impl& impl;
    scheduler& sched;
    bool continuation;
    ~reschedule_on_exit() {
      if (impl.push_waiting_to_ready()) {
        sched.post_immediate(&impl.invoker_, continuation);
      } else {
        impl.release();
      }
    }
  };

  explicit strand_impl(strand_executor_service* service) noexcept
      : invoker_(*this), service_(service) {}
  ~strand_impl() = default;

  // Unlinks from the service and frees (src/strand_executor_service.cpp).
  void destroy() noexcept;

  strand_invoker_op invoker_;
  std::atomic<std::size_t> refs_{1};
  // Held only to push or splice a queue and flip a flag. A mutex, not a
  // spin lock: on a machine with more running threads than cores a
  // preempted holder would make spinning waiters burn their time slices,
  // and an uncontended std::mutex costs about as little.
  std::mutex mutex_;
  // Some thread holds the strand: a batch is queued or running. mutex_.
  bool locked_ = false;
  // The context has shut down; functions submitted now are destroyed. mutex_.
  bool shutdown_ = false;
  // Submitted while the strand was held; the next batch. mutex_.
  op_queue<operation> waiting_;
  // The current batch; only the holder touches it.
  op_queue<operation> ready_;
  // The service that lists this strand; null once it is destroyed. The
  // links are guarded by the service's mutex.
  strand_executor_service* service_;
  strand_impl* prev_ = nullptr;
  strand_impl* next_ = nullptr;
};

inline void strand_invoker_op::do_complete(void* owner, operation* base,
                                           const std::error_code& /*ec*/, std::size_t /*bytes*/) {
  strand_impl& impl = static_cast<strand_invoker_op*>(base)->impl_;
  if (owner == nullptr) {
    // Abandoned by a scheduler that shut down; the strand's service has
    // already destroyed the queued functions.
    impl.release();
    return;
  }
  // A strand that keeps running continues on this thread, as Asio's legacy
  // strand does.
  impl.run_on_scheduler(*static_cast<scheduler*>(owner), true);
}

// Owns every strand state of one execution context, so that destroying the
// context destroys the functions still queued in its strands without
// invoking them (before the scheduler abandons the invokers).
class strand_executor_service final
    : public execution_context_service_base<strand_executor_service> {
 public:
  explicit strand_executor_service(execution_context& ctx);
  ~strand_executor_service() override;
  strand_executor_service(const strand_executor_service&) = delete;
  strand_executor_service& operator=(const strand_executor_service&) = delete;

  // A new strand state with one reference, for the caller.
  strand_impl* create_implementation();

 private:
  friend class strand_impl;

  // Destroys every queued function of every strand without invoking it, and
  // makes the strands destroy whatever is submitted later.
  void shutdown() override;
  void unlink(strand_impl* impl) noexcept;

  std::mutex mutex_;
  strand_impl* first_ = nullptr;
};

// True for the executors of contexts that run on a rill scheduler: their
// strands use the invoker embedded in the strand's state.
template <typename Executor>
struct is_scheduler_executor : std::false_type {};
template <typename Context, typename Allocator, unsigned int Bits>
struct is_scheduler_executor<basic_scheduler_executor<Context, Allocator, Bits>> : std::true_type {
};

// The strand's invoker for any other inner executor (any_io_executor, a
// system_executor, a user's executor): a small function object holding the
// holder's reference and a copy of the executor, submitted to that executor
// for each batch. Its memory comes from the recycling cache, never from the
// handlers' allocators, so that a chain keeps exactly one block of its own.
template <typename Executor>
class strand_invoker {
 public:
  // Adopts the holder's reference.
  strand_invoker(strand_impl* impl, const Executor& ex) noexcept : impl_(impl), executor_(ex) {}

  strand_invoker(const strand_invoker& other) noexcept
      : impl_(other.impl_), executor_(other.executor_) {
    if (impl_ != nullptr) impl_->add_ref();
  }
  strand_invoker(strand_invoker&& other) noexcept
      : impl_(std::exchange(other.impl_, nullptr)), executor_(std::move(other.executor_)) {}
  strand_invoker& operator=(const strand_invoker&) = delete;
  strand_invoker& operator=(strand_invoker&&) = delete;

  // An invoker dropped without running (its executor's context was
  // destroyed) lets go of the strand's state; whatever is still queued is
  // destroyed with it.
  ~strand_invoker() {
    if (impl_ != nullptr) impl_->release();
  }

  void operator()() {
    // The next batch, if any, is submitted on the way out, also when a
    // function throws, as Asio's invoker does.
    struct on_exit {
      strand_invoker& self;
      ~on_exit() {
        if (self.impl_->push_waiting_to_ready()) self.resubmit();
      }
    } exit{*this};
    impl_->run_ready(impl_);
  }

 private:
  // Posted, never run inline (for an executor of the standard model:
  // executed with blocking.never required, as in Asio), so that a strand
  // that stays busy does not recurse.
  void resubmit() {
    const Executor ex(executor_);
    executor_submit<submit_kind::post>(ex, std::move(*this), std::allocator<void>());
  }

  strand_impl* impl_;
  Executor executor_;
};

// The operation that holds f in a strand's queue. A type-erased function
// (what any_io_executor hands on) already is an operation allocated through
// the submitter's allocator: it is queued as it is, without a second block.
// Returns null when there is nothing to run.
template <typename Function, typename Alloc>
operation* make_strand_op(Function&& f, const Alloc& a) {
  if constexpr (std::is_same_v<std::remove_cvref_t<Function>, executor_function> &&
                !std::is_lvalue_reference_v<Function>) {
    return f.release();  // null for an empty function: nothing to run
  } else {
    return make_executor_op(std::forward<Function>(f), a);
  }
}

}  // namespace rill::detail
