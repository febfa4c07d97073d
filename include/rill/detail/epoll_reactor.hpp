// rill/detail/epoll_reactor.hpp - the readiness back end: epoll, one per context.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <vector>

#include <rill/cancellation_type.hpp>
#include <rill/detail/op_queue.hpp>
#include <rill/detail/reactor_op.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/detail/timer_queue_base.hpp>
#include <rill/execution_context.hpp>

namespace rill::detail {

// Watches descriptors with edge-triggered epoll and runs timer queues. The
// scheduler runs it (scheduler_task::run) on one thread at a time, when no
// handler is ready. Operations are speculative: start_op first tries the
// system call and only queues the operation if it would block.
class epoll_reactor final : public execution_context_service_base<epoll_reactor>,
                            public scheduler_task {
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
    descriptor_state* next_free_ = nullptr;
    descriptor_state* next_all_ = nullptr;  // every state ever made
  };
  using per_descriptor_data = descriptor_state*;

  explicit epoll_reactor(execution_context& ctx);
  ~epoll_reactor() override;

  // Destroys every queued operation without invoking it.
  void shutdown() override;
  void notify_fork(execution_context::fork_event event) override;

  // Starts watching descriptor; data receives its state. Returns an error
  // (e.g. EPERM for a regular file) and leaves data null if epoll refuses,
  // unless allow_unwatched: then a descriptor refused with EPERM (a regular
  // file, /dev/null: never blocking) is kept without events, as Asio keeps
  // every such descriptor, and start_op runs its operations at once
  // (posix::stream_descriptor on stdin redirected from a file).
  std::error_code register_descriptor(int descriptor, per_descriptor_data& data,
                                      bool allow_unwatched = false);

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
    op_cancellation(epoll_reactor* reactor, descriptor_state* state, int op_type) noexcept
        : reactor_(reactor), state_(state), op_type_(op_type) {}
    void operator()(cancellation_type type) {
      if ((type & (cancellation_type::terminal | cancellation_type::partial |
                   cancellation_type::total)) != cancellation_type::none) {
        reactor_->cancel_ops_by_key(state_, op_type_, this);
      }
    }

   private:
    epoll_reactor* reactor_;
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

  // scheduler_task
  void run(std::chrono::nanoseconds timeout, op_queue<operation>& completed) override;
  void interrupt() override;

 private:
  descriptor_state* allocate_state();
  void free_state(descriptor_state* state);
  void reclaim_states();
  std::chrono::nanoseconds timer_wait(std::chrono::nanoseconds limit);
  void perform_io(descriptor_state* state, std::uint32_t events, op_queue<operation>& completed);

  scheduler& scheduler_;
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
  // next run() (one thread at a time runs the reactor).
  descriptor_state* pending_free_states_ = nullptr;

  std::mutex timer_mutex_;
  std::vector<timer_queue_base*, context_allocator<timer_queue_base*>> timer_queues_;
  // True while run() blocks with a timeout computed from the timer queues;
  // written under timer_mutex_, so a new earliest timer knows whether it
  // must interrupt the wait.
  bool blocked_in_wait_ = false;
  bool shutdown_ = false;
};

}  // namespace rill::detail
