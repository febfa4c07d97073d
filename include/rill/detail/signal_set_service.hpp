// rill/detail/signal_set_service.hpp - the signal sets of one context, and
// the process-wide signal handler they share.
#pragma once

#include <signal.h>

#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/handler_work.hpp>
#include <rill/detail/op_queue.hpp>
#include <rill/detail/operation.hpp>
#include <rill/detail/reactor.hpp>
#include <rill/detail/reactor_op.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/execution_context.hpp>

namespace rill::detail {

// Signal numbers a set accepts: 0 <= n < max_signal_number.
inline constexpr int max_signal_number = NSIG;

// A wait for a signal: queued on its set until a signal of the set arrives
// (signal_number_ set) or the wait is cancelled (ec_ = operation_aborted).
class signal_op : public operation {
 public:
  std::error_code ec_;
  int signal_number_ = 0;
  // The address of the cancellation handler installed for this wait, which
  // finds it among its set's waits (per-operation cancellation).
  void* cancellation_key_ = nullptr;

 protected:
  explicit signal_op(func_type complete_func) noexcept : operation(complete_func) {}
};

template <typename Handler, typename IoExecutor>
class signal_handler final : public signal_op {
 public:
  template <typename H>
  signal_handler(H&& handler, const IoExecutor& io_ex)
      : signal_op(&signal_handler::do_complete),
        handler_(std::forward<H>(handler)),
        work_(handler_, io_ex) {}

  static void do_complete(void* owner, operation* base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<signal_handler*>(base);
    // Take the handler and the results, free the operation, then invoke:
    // the handler may start its next wait in the same block.
    auto alloc = get_associated_allocator(op->handler_);
    handler_work<Handler, IoExecutor> work(std::move(op->work_));
    Handler handler(std::move(op->handler_));
    const std::error_code ec = op->ec_;
    const int signal_number = op->signal_number_;
    deallocate_operation(alloc, op);
    if (owner != nullptr) work.complete(handler, ec, signal_number);
  }

 private:
  Handler handler_;
  [[no_unique_address]] handler_work<Handler, IoExecutor> work_;
};

// Asio's design: add() installs one process-wide handler (sigaction) for
// the signal, which writes the signal number to a pipe; every context with
// signal sets watches the pipe's read end with its reactor, and whichever
// reactor reads a number delivers it to every set of every context that
// holds the signal. A set with no wait pending counts the signal and gives
// it to its next wait. The state shared by all contexts (pipe, handler
// registrations, the list of services) lives in src/signal_set_service.cpp
// behind one mutex; the signal handler itself only writes to the pipe.
class signal_set_service final : public execution_context_service_base<signal_set_service> {
 public:
  // One signal of one set: linked in the set (sorted by number) and in the
  // service's table (all sets of this context holding the number).
  class registration {
   public:
    registration() = default;

   private:
    friend class signal_set_service;
    int signal_number_ = 0;
    op_queue<signal_op>* queue_ = nullptr;
    std::size_t undelivered_ = 0;
    registration* next_in_table_ = nullptr;
    registration* prev_in_table_ = nullptr;
    registration* next_in_set_ = nullptr;
  };

  class implementation_type {
   public:
    implementation_type() = default;

   private:
    friend class signal_set_service;
    op_queue<signal_op> queue_;
    registration* signals_ = nullptr;
    // Every set of the service, so that shutdown finds each pending wait.
    implementation_type* next_ = nullptr;
    implementation_type* prev_ = nullptr;
  };

  explicit signal_set_service(execution_context& ctx);
  ~signal_set_service() override;

  // Destroys every pending wait without invoking it and stops watching the
  // pipe. Registered signals stay registered until their sets go.
  void shutdown() override;
  void notify_fork(execution_context::fork_event event) override;

  void construct(implementation_type& impl);
  // Removes every signal and cancels the pending waits (operation_aborted).
  void destroy(implementation_type& impl);

  std::error_code add(implementation_type& impl, int signal_number, std::error_code& ec);
  std::error_code remove(implementation_type& impl, int signal_number, std::error_code& ec);
  std::error_code clear(implementation_type& impl, std::error_code& ec);
  std::error_code cancel(implementation_type& impl, std::error_code& ec);

  template <typename Handler, typename IoExecutor>
  void async_wait(implementation_type& impl, Handler&& handler, const IoExecutor& io_ex) {
    using op_type = signal_handler<std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    cancellation_slot slot = handler_cancellation_slot(handler);
    op_type* op = allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex);
    // Installed before the state lock is taken: emplace destroys the slot's
    // previous handler, whose destructor may do anything.
    if (slot.is_connected()) {
      op->cancellation_key_ = &slot.template emplace<op_cancellation>(this, &impl);
    }
    start_wait_op(impl, op);
  }

  // Completes the pending wait installed with key with operation_aborted;
  // does nothing if it is no longer pending.
  void cancel_ops_by_key(implementation_type& impl, void* key);

  // The cancellation handler of a wait, as Asio's: it refers to the set,
  // which must therefore outlive any emit (after the wait completed, the
  // emit finds nothing and does nothing).
  class op_cancellation {
   public:
    op_cancellation(signal_set_service* service, implementation_type* impl) noexcept
        : service_(service), impl_(impl) {}
    void operator()(cancellation_type type) {
      if ((type & (cancellation_type::terminal | cancellation_type::partial |
                   cancellation_type::total)) != cancellation_type::none) {
        service_->cancel_ops_by_key(*impl_, this);
      }
    }

   private:
    signal_set_service* service_;
    implementation_type* impl_;
  };

  // Gives signal_number to every set holding it, in every context. Called
  // by the reactors that read the pipe.
  static void deliver_signal(int signal_number);

 private:
  // The reactor operation that drains the pipe: queued on the read end for
  // the service's lifetime, never completed, owned by the service.
  class pipe_read_op final : public reactor_op {
   public:
    pipe_read_op() noexcept : reactor_op(&pipe_read_op::do_perform, &pipe_read_op::do_complete) {}
    int descriptor_ = -1;

   private:
    static status do_perform(reactor_op* base);
    // Called only to abandon it (reactor shutdown); the service owns it.
    static void do_complete(void* /*owner*/, operation* /*base*/, const std::error_code& /*ec*/,
                            std::size_t /*bytes*/) {}
  };

  void start_wait_op(implementation_type& impl, signal_op* op);
  // Unlinks reg from this service's table (the set's list is the caller's).
  // Requires the state lock.
  static void unlink_from_table(registration* reg, registration*& table_head) noexcept;
  // Add to / remove from the process-wide list and watch / stop watching
  // the pipe. Idempotent.
  void add_service();
  void remove_service();
  void register_pipe(int read_descriptor);
  void unregister_pipe();

  scheduler& scheduler_;
  reactor& reactor_;
  reactor::per_descriptor_data reactor_data_ = nullptr;
  pipe_read_op pipe_op_;
  registration* registrations_[max_signal_number] = {};
  implementation_type* impls_ = nullptr;
  bool shutdown_ = false;
  // Linked in the process-wide list of services while in_list_.
  bool in_list_ = false;
  signal_set_service* next_ = nullptr;
  signal_set_service* prev_ = nullptr;
};

}  // namespace rill::detail
