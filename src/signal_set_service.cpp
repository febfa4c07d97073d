#include <rill/detail/signal_set_service.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <mutex>

#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>

namespace rill::detail {

namespace {

// What every context's signal sets share. Constant-initialised, so that the
// signal handler never meets a guard variable or an unconstructed object.
struct signal_state {
  // Guards everything below except write_descriptor, and every set's
  // registrations and queue of waits. Lock order: a reactor's descriptor
  // lock (held while the pipe is read) before this one, before a
  // scheduler's.
  std::mutex mutex;
  int read_descriptor = -1;
  // The signal handler reads it, so it is a lock-free atomic, set to -1
  // before the pipe is closed.
  std::atomic<int> write_descriptor{-1};
  // Set at fork_prepare: the child must make its own pipe.
  bool fork_prepared = false;
  signal_set_service* service_list = nullptr;
  // How many sets (of any context) hold each signal: the handler is
  // installed when this leaves 0 and the default restored when it returns.
  std::size_t registration_count[max_signal_number] = {};
};

static_assert(std::atomic<int>::is_always_lock_free);

constinit signal_state g_state;

// Requires g_state.mutex.
void open_descriptors() {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    throw_error(std::error_code(errno, std::system_category()), "signal_set_service pipe");
  }
  g_state.read_descriptor = fds[0];
  g_state.write_descriptor.store(fds[1], std::memory_order_relaxed);
}

// Requires g_state.mutex.
void close_descriptors() {
  const int write_descriptor = g_state.write_descriptor.exchange(-1, std::memory_order_relaxed);
  if (write_descriptor != -1) ::close(write_descriptor);
  if (g_state.read_descriptor != -1) ::close(g_state.read_descriptor);
  g_state.read_descriptor = -1;
}

}  // namespace

}  // namespace rill::detail

extern "C" {
// The handler of every signal a set holds: only async-signal-safe calls.
// A full pipe (thousands of undelivered signals) drops the signal.
static void rill_signal_handler(int signal_number) {
  const int saved_errno = errno;
  const int fd = rill::detail::g_state.write_descriptor.load(std::memory_order_relaxed);
  [[maybe_unused]] const ssize_t n = ::write(fd, &signal_number, sizeof(signal_number));
  errno = saved_errno;
}
}

namespace rill::detail {

namespace {

// Installs the library's handler (handler true) or the default disposition.
std::error_code set_disposition(int signal_number, bool handler) {
  struct sigaction sa {};
  if (handler) {
    sa.sa_handler = rill_signal_handler;
    // As Asio: no other signal interrupts the handler.
    sigfillset(&sa.sa_mask);
  } else {
    sa.sa_handler = SIG_DFL;
  }
  if (::sigaction(signal_number, &sa, nullptr) == -1) {
    return std::error_code(errno, std::system_category());
  }
  return {};
}

}  // namespace

reactor_op::status signal_set_service::pipe_read_op::do_perform(reactor_op* base) {
  auto* op = static_cast<pipe_read_op*>(base);
  // Edge-triggered: read until the pipe is empty, or no edge comes again.
  for (;;) {
    int signal_number = 0;
    const ssize_t n = ::read(op->descriptor_, &signal_number, sizeof(signal_number));
    if (n == static_cast<ssize_t>(sizeof(signal_number))) {
      if (signal_number >= 0 && signal_number < max_signal_number) deliver_signal(signal_number);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return status::not_done;
}

signal_set_service::signal_set_service(execution_context& ctx)
    : execution_context_service_base<signal_set_service>(ctx),
      scheduler_(use_service<scheduler>(ctx)),
      reactor_(use_service<reactor>(ctx)) {
  add_service();
}

signal_set_service::~signal_set_service() { remove_service(); }

void signal_set_service::shutdown() {
  remove_service();
  op_queue<operation> ops;
  {
    std::lock_guard lock(g_state.mutex);
    shutdown_ = true;
    for (implementation_type* impl = impls_; impl != nullptr; impl = impl->next_) {
      while (signal_op* op = impl->queue_.pop()) ops.push(op);
    }
  }
  scheduler::abandon_operations(ops);
}

void signal_set_service::notify_fork(execution_context::fork_event event) {
  int read_descriptor = -1;
  {
    std::lock_guard lock(g_state.mutex);
    if (!in_list_) return;
    switch (event) {
      case execution_context::fork_prepare:
        // Stop watching the pipe, so that the reactor does not carry the
        // parent's pipe into the child.
        g_state.fork_prepared = true;
        break;
      case execution_context::fork_parent:
        g_state.fork_prepared = false;
        read_descriptor = g_state.read_descriptor;
        break;
      case execution_context::fork_child:
        if (g_state.fork_prepared) {
          // The child gets its own pipe, or its signals could be read by
          // the parent. The first service notified makes it; the others
          // watch it. No signal may be written while there is none.
          sigset_t all;
          sigset_t old;
          sigfillset(&all);
          ::pthread_sigmask(SIG_BLOCK, &all, &old);
          close_descriptors();
          try {
            open_descriptors();
          } catch (...) {
            ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
            throw;
          }
          ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
          g_state.fork_prepared = false;
        }
        read_descriptor = g_state.read_descriptor;
        break;
    }
  }
  if (event == execution_context::fork_prepare) {
    unregister_pipe();
  } else if (reactor_data_ == nullptr) {
    register_pipe(read_descriptor);
  }
}

void signal_set_service::construct(implementation_type& impl) {
  std::lock_guard lock(g_state.mutex);
  impl.signals_ = nullptr;
  impl.prev_ = nullptr;
  impl.next_ = impls_;
  if (impls_ != nullptr) impls_->prev_ = &impl;
  impls_ = &impl;
}

void signal_set_service::destroy(implementation_type& impl) {
  std::error_code ignored;
  clear(impl, ignored);
  cancel(impl, ignored);
  std::lock_guard lock(g_state.mutex);
  if (impls_ == &impl) impls_ = impl.next_;
  if (impl.prev_ != nullptr) impl.prev_->next_ = impl.next_;
  if (impl.next_ != nullptr) impl.next_->prev_ = impl.prev_;
  impl.next_ = impl.prev_ = nullptr;
}

std::error_code signal_set_service::add(implementation_type& impl, int signal_number,
                                        std::error_code& ec) {
  if (signal_number < 0 || signal_number >= max_signal_number) {
    ec = rill::error::invalid_argument;
    return ec;
  }
  std::lock_guard lock(g_state.mutex);
  // The set's list is sorted by number, so queued signals are handed out
  // in ascending order, as Asio documents.
  registration** insertion_point = &impl.signals_;
  registration* next = impl.signals_;
  while (next != nullptr && next->signal_number_ < signal_number) {
    insertion_point = &next->next_in_set_;
    next = next->next_in_set_;
  }
  if (next == nullptr || next->signal_number_ != signal_number) {
    // In the context's memory (its allocator, if it was given one).
    registration* reg = new_context_object<registration>(context());
    if (g_state.registration_count[signal_number] == 0) {
      if (std::error_code err = set_disposition(signal_number, true)) {
        delete_context_object(context(), reg);
        ec = err;
        return ec;
      }
    }
    reg->signal_number_ = signal_number;
    reg->queue_ = &impl.queue_;
    reg->next_in_set_ = next;
    reg->next_in_table_ = registrations_[signal_number];
    if (registrations_[signal_number] != nullptr) {
      registrations_[signal_number]->prev_in_table_ = reg;
    }
    registrations_[signal_number] = reg;
    *insertion_point = reg;
    ++g_state.registration_count[signal_number];
  }
  ec.clear();
  return ec;
}

void signal_set_service::unlink_from_table(registration* reg, registration*& table_head) noexcept {
  if (table_head == reg) table_head = reg->next_in_table_;
  if (reg->prev_in_table_ != nullptr) reg->prev_in_table_->next_in_table_ = reg->next_in_table_;
  if (reg->next_in_table_ != nullptr) reg->next_in_table_->prev_in_table_ = reg->prev_in_table_;
}

std::error_code signal_set_service::remove(implementation_type& impl, int signal_number,
                                           std::error_code& ec) {
  if (signal_number < 0 || signal_number >= max_signal_number) {
    ec = rill::error::invalid_argument;
    return ec;
  }
  std::lock_guard lock(g_state.mutex);
  registration** deletion_point = &impl.signals_;
  registration* reg = impl.signals_;
  while (reg != nullptr && reg->signal_number_ < signal_number) {
    deletion_point = &reg->next_in_set_;
    reg = reg->next_in_set_;
  }
  if (reg != nullptr && reg->signal_number_ == signal_number) {
    // The last set to hold the signal restores the default disposition.
    if (g_state.registration_count[signal_number] == 1) {
      if (std::error_code err = set_disposition(signal_number, false)) {
        ec = err;
        return ec;
      }
    }
    *deletion_point = reg->next_in_set_;
    unlink_from_table(reg, registrations_[signal_number]);
    --g_state.registration_count[signal_number];
    // Its undelivered signals go with it.
    delete_context_object(context(), reg);
  }
  ec.clear();
  return ec;
}

std::error_code signal_set_service::clear(implementation_type& impl, std::error_code& ec) {
  std::lock_guard lock(g_state.mutex);
  while (registration* reg = impl.signals_) {
    const int signal_number = reg->signal_number_;
    if (g_state.registration_count[signal_number] == 1) {
      if (std::error_code err = set_disposition(signal_number, false)) {
        ec = err;
        return ec;
      }
    }
    unlink_from_table(reg, registrations_[signal_number]);
    --g_state.registration_count[signal_number];
    impl.signals_ = reg->next_in_set_;
    delete_context_object(context(), reg);
  }
  ec.clear();
  return ec;
}

std::error_code signal_set_service::cancel(implementation_type& impl, std::error_code& ec) {
  op_queue<operation> ops;
  {
    std::lock_guard lock(g_state.mutex);
    while (signal_op* op = impl.queue_.pop()) {
      op->ec_ = rill::error::operation_aborted;
      ops.push(op);
    }
  }
  scheduler_.post_deferred_completions(ops);
  ec.clear();
  return ec;
}

void signal_set_service::cancel_ops_by_key(implementation_type& impl, void* key) {
  if (key == nullptr) return;
  op_queue<operation> ops;
  {
    std::lock_guard lock(g_state.mutex);
    // The queue is singly linked: rebuild it without the matching wait,
    // keeping the others in order.
    op_queue<signal_op> rest;
    while (signal_op* op = impl.queue_.pop()) {
      if (op->cancellation_key_ == key) {
        op->ec_ = rill::error::operation_aborted;
        ops.push(op);
      } else {
        rest.push(op);
      }
    }
    impl.queue_.push(rest);
  }
  scheduler_.post_deferred_completions(ops);
}

void signal_set_service::deliver_signal(int signal_number) {
  std::lock_guard lock(g_state.mutex);
  for (signal_set_service* service = g_state.service_list; service != nullptr;
       service = service->next_) {
    op_queue<operation> ops;
    for (registration* reg = service->registrations_[signal_number]; reg != nullptr;
         reg = reg->next_in_table_) {
      if (reg->queue_->empty()) {
        // Nobody waits: keep it for the set's next wait.
        ++reg->undelivered_;
        continue;
      }
      while (signal_op* op = reg->queue_->pop()) {
        op->signal_number_ = signal_number;
        ops.push(op);
      }
    }
    service->scheduler_.post_deferred_completions(ops);
  }
}

void signal_set_service::start_wait_op(implementation_type& impl, signal_op* op) {
  scheduler_.work_started_for_operation();
  {
    std::lock_guard lock(g_state.mutex);
    if (shutdown_) {
      op->ec_ = rill::error::operation_aborted;
    } else {
      registration* reg = impl.signals_;
      while (reg != nullptr && reg->undelivered_ == 0) reg = reg->next_in_set_;
      if (reg == nullptr) {
        impl.queue_.push(op);
        return;
      }
      // A signal arrived while nobody waited: this wait takes it.
      --reg->undelivered_;
      op->signal_number_ = reg->signal_number_;
    }
  }
  // Never invoked inside the initiating function.
  scheduler_.post_deferred_completion(op);
}

void signal_set_service::add_service() {
  int read_descriptor = -1;
  {
    std::lock_guard lock(g_state.mutex);
    if (in_list_) return;
    if (g_state.service_list == nullptr) open_descriptors();
    next_ = g_state.service_list;
    prev_ = nullptr;
    if (g_state.service_list != nullptr) g_state.service_list->prev_ = this;
    g_state.service_list = this;
    in_list_ = true;
    read_descriptor = g_state.read_descriptor;
  }
  try {
    register_pipe(read_descriptor);
  } catch (...) {
    remove_service();
    throw;
  }
}

void signal_set_service::remove_service() {
  {
    std::lock_guard lock(g_state.mutex);
    if (!in_list_) return;
  }
  // Without the state lock: the reactor holds the pipe's descriptor lock
  // while it delivers, which takes the state lock.
  unregister_pipe();
  std::lock_guard lock(g_state.mutex);
  if (g_state.service_list == this) g_state.service_list = next_;
  if (prev_ != nullptr) prev_->next_ = next_;
  if (next_ != nullptr) next_->prev_ = prev_;
  next_ = prev_ = nullptr;
  in_list_ = false;
  if (g_state.service_list == nullptr) close_descriptors();
}

void signal_set_service::register_pipe(int read_descriptor) {
  pipe_op_.descriptor_ = read_descriptor;
  if (std::error_code ec = reactor_.register_internal_descriptor(reactor::read_op, read_descriptor,
                                                                 reactor_data_, &pipe_op_)) {
    throw_error(ec, "signal_set_service register");
  }
}

void signal_set_service::unregister_pipe() {
  reactor_.deregister_internal_descriptor(pipe_op_.descriptor_, reactor_data_);
}

}  // namespace rill::detail
