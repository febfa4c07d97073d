// rill/detail/reactor.hpp - the readiness back end, one per context: epoll
// or io_uring.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <vector>

#include <rill/backend.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/detail/op_queue.hpp>
#include <rill/detail/reactor_op.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/detail/timer_queue_base.hpp>
#include <rill/execution_context.hpp>

namespace rill::detail {

// Watches descriptors and runs timer queues. The scheduler runs it
// (scheduler_task::run) on one thread at a time, when no handler is ready.
// Operations are speculative: start_op first tries the system call and only
// queues the operation if it would block. The queues, cancellation and
// timers are the same whichever mechanism waits (chosen per context, see
// rill/backend.hpp):
//  - epoll: descriptors registered once, edge-triggered (src/reactor.cpp);
//  - io_uring: a one-shot poll request on the ring for each non-empty queue
//    of a descriptor, submitted in the same io_uring_enter as the wait
//    (src/reactor_uring.cpp).
class reactor final : public execution_context_service_base<reactor>, public scheduler_task {
 public:
  enum op_types { read_op = 0, write_op = 1, except_op = 2, max_ops = 3 };

  // Per-descriptor state: the queued operations of each kind. Pooled and
  // reused, never freed while the reactor lives, because an event for a
  // descriptor that was just closed may still be in flight.
  struct descriptor_state {
    std::mutex mutex_;
    int descriptor_ = -1;
    std::uint32_t registered_events_ = 0;
    op_queue<reactor_op> queues_[max_ops];
    bool shutdown_ = false;
    // io_uring: a poll request for queues_[i] is in the kernel (or about to
    // be submitted); cleared when its completion arrives.
    bool poll_armed_[max_ops] = {};
    // io_uring: the head of queues_[i] is being carried out by the kernel
    // (ring_prepare_); it stays queued, and is not completed or destroyed,
    // until its completion arrives. cancel_sent_: its cancellation is asked.
    bool in_kernel_[max_ops] = {};
    bool cancel_sent_[max_ops] = {};
    // io_uring: the cancellation was sent by fork_prepare, so -ECANCELED
    // restarts the operation after the fork instead of aborting it.
    bool fork_cancelled_[max_ops] = {};
    // io_uring: requests naming this state whose completions have not
    // arrived yet. The state is not reused while it is positive.
    int in_flight_ = 0;
    descriptor_state* next_free_ = nullptr;
    descriptor_state* next_all_ = nullptr;  // every state ever made
  };
  using per_descriptor_data = descriptor_state*;

  explicit reactor(execution_context& ctx);
  ~reactor() override;

  // Destroys every queued operation without invoking it.
  void shutdown() override;
  void notify_fork(execution_context::fork_event event) override;

  // Starts watching descriptor; data receives its state. Returns an error
  // (e.g. EPERM for a regular file) and leaves data null if epoll refuses,
  // unless allow_unwatched: then a descriptor refused with EPERM (a regular
  // file, /dev/null: never blocking) is kept without events, as Asio keeps
  // every such descriptor, and start_op runs its operations at once
  // (posix::stream_descriptor on stdin redirected from a file).
  // known_pollable skips the check, on io_uring, that epoll would accept the
  // descriptor (a socket the caller has just created).
  std::error_code register_descriptor(int descriptor, per_descriptor_data& data,
                                      bool allow_unwatched = false, bool known_pollable = false);

  // Queues op unless it can finish at once (allow_speculative) and counts it
  // as work. Completed or failed operations are posted, never invoked here.
  // If op->cancellation_slot_ is connected, an op_cancellation is installed
  // in it first, so that emitting the slot's signal cancels exactly op.
  void start_op(int op_type, int descriptor, per_descriptor_data& data, reactor_op* op,
                bool is_continuation, bool allow_speculative);

  // Completes the queued operation of op_type whose cancellation key is key
  // with operation_aborted. Does nothing if it is no longer queued (it
  // completed, or was cancelled, already).
  void cancel_ops_by_key(per_descriptor_data data, int op_type, void* key);

  // The cancellation handler start_op installs in an operation's slot. It
  // holds the descriptor state itself (pooled, never freed while the reactor
  // lives), so emitting after the operation completed, even after the
  // socket was closed or destroyed, is a harmless search that finds nothing.
  class op_cancellation {
   public:
    op_cancellation(reactor* reactor, descriptor_state* state, int op_type) noexcept
        : reactor_(reactor), state_(state), op_type_(op_type) {}
    void operator()(cancellation_type type) {
      if ((type & (cancellation_type::terminal | cancellation_type::partial |
                   cancellation_type::total)) != cancellation_type::none) {
        reactor_->cancel_ops_by_key(state_, op_type_, this);
      }
    }

   private:
    reactor* reactor_;
    descriptor_state* state_;
    int op_type_;
  };

  // Completes every queued operation of the descriptor with operation_aborted.
  void cancel_ops(int descriptor, per_descriptor_data& data);

  // Stops watching the descriptor and aborts its operations. closing says
  // the descriptor is about to be closed (which removes it from epoll).
  void deregister_descriptor(int descriptor, per_descriptor_data& data, bool closing);

  // Forgets the descriptor without touching its operations (release()).
  void deregister_and_keep(int descriptor, per_descriptor_data& data);

  // Watches a descriptor of the library's own (the signal pipe): op stays
  // queued under op_type for as long as the registration lasts, its
  // perform() runs at each readiness edge and must return not_done. It is
  // not counted as work, so it never keeps run() from returning. On error
  // the caller keeps op and data stays null.
  std::error_code register_internal_descriptor(int op_type, int descriptor,
                                               per_descriptor_data& data, reactor_op* op);
  // Stops watching it (the descriptor stays open) and destroys its queued
  // operations without invoking them.
  void deregister_internal_descriptor(int descriptor, per_descriptor_data& data);

  // Timer queues, one per clock type, owned by the timer services.
  void add_timer_queue(timer_queue_base& queue);
  void remove_timer_queue(timer_queue_base& queue);
  // Call, holding timer_mutex(), after a change that made a timer the
  // earliest: wakes a thread blocked in run() with a later timeout.
  void update_timeout_locked();
  // Serialises access to every timer queue.
  std::mutex& timer_mutex() noexcept { return timer_mutex_; }

  scheduler& get_scheduler() noexcept { return scheduler_; }

  // The mechanism in use: backend::epoll or backend::io_uring.
  [[nodiscard]] rill::backend mechanism() const noexcept { return backend_; }
  // io_uring carries out operations that have ring_prepare_ itself (not
  // only waits for readiness): a kernel with fast poll, and not turned off.
  [[nodiscard]] bool ring_operations() const noexcept { return ring_ops_; }

  // scheduler_task
  std::size_t run(std::chrono::nanoseconds timeout, op_queue<operation>& completed) override;
  void interrupt() override;

  // For tests of how the loop batches its work, which no result shows:
  // How many turns the reactor has had (calls of run()). Written by the
  // thread that runs it; read it on that thread or once none runs.
  [[nodiscard]] std::uint64_t turns() const noexcept {
    return turns_.load(std::memory_order_relaxed);
  }
  // io_uring: the opcodes of the requests made and not yet given to the
  // kernel, in the order the next submission will give them (the queued
  // submission entries, then the receives held back behind them). Empty on
  // epoll. Call it on the thread that runs the loop, between turns.
  [[nodiscard]] std::vector<int> ring_queued_opcodes();

 private:
  descriptor_state* allocate_state();
  void free_state(descriptor_state* state);
  void reclaim_states();
  std::chrono::nanoseconds timer_wait(std::chrono::nanoseconds limit);
  void perform_io(descriptor_state* state, std::uint32_t events, op_queue<operation>& completed);

  // io_uring (src/reactor_uring.cpp). The ring's state is kept out of this
  // header so that users of rill need no liburing headers.
  struct ring_state;
  // Tries to set up the ring; on failure returns false with a reason.
  bool ring_create(const char*& reason);
  void ring_destroy() noexcept;
  // Asks for a poll request for state's queue op_type. Requires state's lock.
  void ring_arm_poll(descriptor_state* state, int op_type);
  // Asks the kernel to drop state's poll requests (the descriptor is being
  // closed or forgotten); urgent: submit now, so that a closed descriptor
  // is not kept open by a poll holding it. Requires state's lock.
  void ring_remove_polls(descriptor_state* state, bool urgent);
  std::size_t ring_run(std::chrono::nanoseconds timeout, op_queue<operation>& completed);
  // Takes one completion (its user_data and result).
  void ring_dispatch(std::uint64_t user_data, int result, op_queue<operation>& completed);
  void ring_complete_poll(descriptor_state* state, int op_type, int result,
                          op_queue<operation>& completed);
  // fork_prepare: nothing the program owns may be in the kernel across a
  // fork (the child would not know of an accepted descriptor, and would
  // connect again), so every operation the kernel carries out is cancelled
  // and its completion awaited; those that finished complete as usual, the
  // others stay queued. fork_parent and fork_child start them again.
  void ring_fork_prepare();
  void ring_fork_parent();
  void ring_fork_child();
  // Starts every queue's head again after a fork. Requires registry_mutex_.
  void ring_restart_heads();
  // Starts the head of state's queue op_type on the ring, or polls for it.
  // Requires state's lock.
  void ring_start_head(descriptor_state* state, int op_type);
  void ring_submit_op(descriptor_state* state, int op_type, const reactor_op::ring_io& io);
  // Asks the kernel to cancel the head in the kernel, if any. Requires
  // state's lock.
  void ring_cancel_op(descriptor_state* state, int op_type, bool urgent);
  void ring_complete_op(descriptor_state* state, int op_type, int result,
                        op_queue<operation>& completed);
  // Shutdown: cancels what the kernel carries out and waits for it.
  void ring_drain();
  // Whether the kernel carries out any operation; cancel (and, for a fork,
  // mark fork_cancelled_) each one not cancelled yet.
  enum class in_kernel_action { none, cancel, cancel_for_fork };
  bool ring_in_kernel(in_kernel_action action);
  // Moves state's queued operations to ops with ec, except a head the
  // kernel carries out: that one gets a cancellation request instead.
  // Requires state's lock.
  void take_ops(descriptor_state* state, op_queue<operation>& ops, const std::error_code& ec,
                bool urgent);
  // Chooses the mechanism from the requested one and the environment.
  void choose_backend();

  scheduler& scheduler_;
  rill::backend backend_ = rill::backend::epoll;
  ring_state* ring_ = nullptr;
  // io_uring: operations with ring_prepare_ go to the ring (the kernel has
  // IORING_FEAT_FAST_POLL and IORING_OP_RECV, and RILL_IO_URING_POLL_ONLY
  // is not set); otherwise every operation waits for readiness.
  bool ring_ops_ = false;
  // Between fork_prepare and fork_parent or fork_child: no head is started
  // (the restart after the fork starts them), so one of the two must follow
  // fork_prepare, as Asio requires. Only the thread that calls notify_fork
  // touches it; nothing else may run meanwhile (as in Asio).
  bool forking_ = false;
  // epoll: the set every descriptor is in. io_uring: empty, used only to
  // check that a descriptor can be watched at all (as epoll would refuse a
  // regular file), so that registration fails the same way on both.
  int epoll_fd_ = -1;
  int interrupter_fd_ = -1;  // an eventfd, readable when interrupt() was called

  std::mutex registry_mutex_;
  // Every state ever made, linked through next_all_, in the context's
  // memory; freed when the reactor is destroyed.
  descriptor_state* states_ = nullptr;
  descriptor_state* free_states_ = nullptr;
  // States released since the reactor last started a run(). An event array
  // fetched before a descriptor was closed may still point at its state, so
  // a state is reused only once no such array can exist: at the start of the
  // next run() (one thread at a time runs the reactor). Written under
  // registry_mutex_; atomic so that a run with nothing to reclaim (most)
  // need not take the lock to find out.
  std::atomic<descriptor_state*> pending_free_states_{nullptr};
  // See turns(). Atomic so that reading it is never a data race; one
  // writer, so a load and a store suffice.
  std::atomic<std::uint64_t> turns_{0};

  std::mutex timer_mutex_;
  std::vector<timer_queue_base*, context_allocator<timer_queue_base*>> timer_queues_;
  // True while run() blocks with a timeout computed from the timer queues;
  // written under timer_mutex_, so a new earliest timer knows whether it
  // must interrupt the wait.
  bool blocked_in_wait_ = false;
  bool shutdown_ = false;
};

}  // namespace rill::detail
