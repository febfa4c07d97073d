#include <rill/detail/reactor.hpp>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <system_error>

#include <rill/error.hpp>

namespace rill::detail {

namespace {

constexpr std::uint32_t descriptor_events =
    EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLERR | EPOLLHUP | EPOLLRDHUP | EPOLLET;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::system_category(), what);
}

// The codes handlers compare against (rill::error, system category). The
// std::errc equivalents are generic-category codes that compare unequal to
// them (ec == rill::error::operation_aborted would be false).
std::error_code aborted() { return rill::error::operation_aborted; }

}  // namespace

reactor::reactor(execution_context& ctx)
    : execution_context_service_base<reactor>(ctx),
      scheduler_(use_service<scheduler>(ctx)),
      timer_queues_(context_allocator<timer_queue_base*>(ctx)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  interrupter_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (interrupter_fd_ < 0) {
    const int err = errno;
    ::close(epoll_fd_);
    throw std::system_error(err, std::system_category(), "eventfd");
  }
  try {
    choose_backend();
  } catch (...) {
    ::close(interrupter_fd_);
    ::close(epoll_fd_);
    throw;
  }
  if (backend_ == rill::backend::io_uring) {
    // The ring polls the interrupter itself (ring_create).
    scheduler_.init_task(this);
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.ptr = nullptr;  // the interrupter is the only event without a state
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, interrupter_fd_, &ev) != 0) {
    const int err = errno;
    ::close(interrupter_fd_);
    ::close(epoll_fd_);
    throw std::system_error(err, std::system_category(), "epoll_ctl");
  }
  scheduler_.init_task(this);
}

reactor::~reactor() {
  ring_destroy();
  if (interrupter_fd_ >= 0) ::close(interrupter_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  while (descriptor_state* state = states_) {
    states_ = state->next_all_;
    delete_context_object(context(), state);
  }
}

void reactor::shutdown() {
  // io_uring: first get back what the kernel still carries out.
  ring_drain();
  op_queue<operation> ops;
  {
    std::lock_guard lock(registry_mutex_);
    shutdown_ = true;
    for (descriptor_state* state = states_; state != nullptr; state = state->next_all_) {
      std::lock_guard state_lock(state->mutex_);
      for (auto& queue : state->queues_) {
        while (reactor_op* op = queue.pop()) ops.push(op);
      }
      state->shutdown_ = true;
    }
  }
  {
    std::lock_guard lock(timer_mutex_);
    for (timer_queue_base* queue : timer_queues_) queue->get_all_timers(ops);
  }
  scheduler::abandon_operations(ops);
}

namespace {

// Replaces descriptor, in this process only, by a new one made by make
// (same number, so whatever refers to it by number keeps working): after a
// fork the child must not share the parent's wake-up eventfd (each process
// could read the other's wake-up and leave it asleep) or epoll instance.
template <typename Make>
void renew_descriptor(int descriptor, Make make, const char* what) {
  const int fresh = make();
  if (fresh < 0) throw_errno(what);
  if (::dup3(fresh, descriptor, O_CLOEXEC) < 0) {
    const int err = errno;
    ::close(fresh);
    throw std::system_error(err, std::system_category(), "dup3");
  }
  ::close(fresh);
}

}  // namespace

void reactor::notify_fork(execution_context::fork_event event) {
  if (event == execution_context::fork_child) {
    renew_descriptor(
        interrupter_fd_, [] { return ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }, "eventfd");
  }
  if (backend_ == rill::backend::io_uring) {
    if (event == execution_context::fork_child) {
      renew_descriptor(
          epoll_fd_, [] { return ::epoll_create1(EPOLL_CLOEXEC); }, "epoll_create1");
    }
    switch (event) {
      case execution_context::fork_prepare:
        ring_fork_prepare();
        break;
      case execution_context::fork_parent:
        ring_fork_parent();
        break;
      case execution_context::fork_child:
        ring_fork_child();
        break;
    }
    return;
  }
  if (event != execution_context::fork_child) return;
  // The child shares the parent's epoll instance; make its own and register
  // every live descriptor again.
  const int new_epoll = ::epoll_create1(EPOLL_CLOEXEC);
  if (new_epoll < 0) throw_errno("epoll_create1");
  ::close(epoll_fd_);
  epoll_fd_ = new_epoll;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.ptr = nullptr;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, interrupter_fd_, &ev) != 0) throw_errno("epoll_ctl");
  std::lock_guard lock(registry_mutex_);
  for (descriptor_state* state = states_; state != nullptr; state = state->next_all_) {
    // Not watched (registered_events_ 0: a regular file) in the parent either.
    if (state->descriptor_ < 0 || state->registered_events_ == 0) continue;
    epoll_event dev{};
    dev.events = state->registered_events_;
    dev.data.ptr = state;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, state->descriptor_, &dev) != 0) {
      throw_errno("epoll_ctl");
    }
  }
}

reactor::descriptor_state* reactor::allocate_state() {
  std::lock_guard lock(registry_mutex_);
  if (descriptor_state* state = free_states_) {
    free_states_ = state->next_free_;
    state->next_free_ = nullptr;
    return state;
  }
  descriptor_state* state = new_context_object<descriptor_state>(context());
  state->next_all_ = states_;
  states_ = state;
  return state;
}

void reactor::free_state(descriptor_state* state) {
  std::lock_guard lock(registry_mutex_);
  state->next_free_ = pending_free_states_.load(std::memory_order_relaxed);
  pending_free_states_.store(state, std::memory_order_relaxed);
}

void reactor::reclaim_states() {
  // A state freed just after this look is reclaimed by the next run.
  if (pending_free_states_.load(std::memory_order_relaxed) == nullptr) return;
  std::lock_guard lock(registry_mutex_);
  descriptor_state* still_pending = nullptr;
  while (descriptor_state* state = pending_free_states_.load(std::memory_order_relaxed)) {
    pending_free_states_.store(state->next_free_, std::memory_order_relaxed);
    bool in_flight = false;
    {
      // io_uring: a completion naming the state may still arrive; it must
      // not find the state serving another descriptor.
      std::lock_guard state_lock(state->mutex_);
      in_flight = state->in_flight_ != 0;
    }
    if (in_flight) {
      state->next_free_ = still_pending;
      still_pending = state;
    } else {
      state->next_free_ = free_states_;
      free_states_ = state;
    }
  }
  pending_free_states_.store(still_pending, std::memory_order_relaxed);
}

std::error_code reactor::register_descriptor(int descriptor, per_descriptor_data& data,
                                             bool allow_unwatched, bool known_pollable) {
  if (backend_ == rill::backend::io_uring && !known_pollable) {
    // Nothing to register with the ring, but refuse (or keep unwatched)
    // exactly what epoll refuses: add the descriptor to the empty epoll set
    // and remove it again.
    epoll_event ev{};
    ev.events = descriptor_events;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, descriptor, &ev) != 0) {
      const std::error_code ec(errno, std::system_category());
      if (!allow_unwatched || ec.value() != EPERM) {
        data = nullptr;
        return ec;
      }
      descriptor_state* state = allocate_state();
      std::lock_guard lock(state->mutex_);
      state->descriptor_ = descriptor;
      state->shutdown_ = false;
      state->registered_events_ = 0;
      data = state;
      return {};
    }
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, descriptor, &ev);
  }
  descriptor_state* state = allocate_state();
  {
    std::lock_guard lock(state->mutex_);
    state->descriptor_ = descriptor;
    state->shutdown_ = false;
    state->registered_events_ = descriptor_events;
  }
  if (backend_ == rill::backend::io_uring) {
    data = state;
    return {};
  }
  epoll_event ev{};
  ev.events = descriptor_events;
  ev.data.ptr = state;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, descriptor, &ev) != 0) {
    const std::error_code ec(errno, std::system_category());
    if (allow_unwatched && ec.value() == EPERM) {
      // epoll does not watch regular files (or /dev/null): their reads and
      // writes never block. Keep the descriptor with no events; start_op
      // then runs its operations at once.
      std::lock_guard lock(state->mutex_);
      state->registered_events_ = 0;
      data = state;
      return {};
    }
    {
      std::lock_guard lock(state->mutex_);
      state->descriptor_ = -1;
    }
    free_state(state);
    data = nullptr;
    return ec;
  }
  data = state;
  return {};
}

void reactor::start_op(int op_type, int descriptor, per_descriptor_data& data, reactor_op* op,
                       bool is_continuation, bool allow_speculative) {
  descriptor_state* state = data;
  if (state == nullptr) {
    op->ec_ = rill::error::bad_descriptor;
    scheduler_.post_immediate(op, is_continuation);
    return;
  }
  // Installed before the descriptor lock is taken: emplace destroys the
  // slot's previous handler, whose destructor may do anything (even close a
  // socket and so take this lock). An emit cannot come in between: the
  // slot's owner serialises it with this initiating call.
  if (op->cancellation_slot_.is_connected()) {
    op->cancellation_key_ = &op->cancellation_slot_.emplace<op_cancellation>(this, state, op_type);
  }
  std::unique_lock lock(state->mutex_);
  if (state->shutdown_) {
    lock.unlock();
    op->ec_ = aborted();
    scheduler_.post_immediate(op, is_continuation);
    return;
  }
  if (state->registered_events_ == 0) {
    // Not watched by epoll (see register_descriptor): try the operation
    // now; one that would have to wait for readiness is not supported.
    if (!allow_speculative || op->perform() != reactor_op::status::done) {
      op->ec_ = rill::error::operation_not_supported;
    }
    lock.unlock();
    scheduler_.post_immediate(op, is_continuation);
    return;
  }
  op_queue<reactor_op>& queue = state->queues_[op_type];
  if (ring_ops_ && op->ring_prepare_ != nullptr && queue.empty() &&
      (op_type != read_op || state->queues_[except_op].empty())) {
    // io_uring: the kernel carries the operation out, without an attempt
    // here. A receive would mostly find nothing yet, and the ring tries at
    // once too. A send would complete inline, but measured with many
    // connections, sends gathered into one io_uring_enter per loop
    // iteration beat one send system call each (bench/ping_pong: 64
    // connections about 1.3x faster; one connection about 10% slower).
    reactor_op::ring_io io{};
    if (op->ring_prepare_(op, io)) {
      queue.push(op);
      scheduler_.work_started_for_operation();
      ring_submit_op(state, op_type, io);
      return;
    }
  }
  // Speculate only when no earlier operation of the kind is waiting (order)
  // and, for reads, no out-of-band wait is pending (Asio's rule).
  if (queue.empty()) {
    if (allow_speculative && (op_type != read_op || state->queues_[except_op].empty())) {
      if (op->perform() == reactor_op::status::done) {
        lock.unlock();
        scheduler_.post_immediate(op, is_continuation);
        return;
      }
    } else if (backend_ == rill::backend::epoll) {
      // Not tried now (async_wait, connect, out-of-band, or a read behind an
      // out-of-band wait): the descriptor may already be ready, its one edge
      // reported while nothing was queued and so lost. Re-arming with
      // EPOLL_CTL_MOD makes epoll report the current readiness again, as
      // Asio does. (A failed speculative attempt needs no re-arm: readiness
      // after it is a new edge.)
      epoll_event ev{};
      ev.events = state->registered_events_;
      ev.data.ptr = state;
      if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, descriptor, &ev) != 0) {
        op->ec_ = std::error_code(errno, std::system_category());
        lock.unlock();
        scheduler_.post_immediate(op, is_continuation);
        return;
      }
    }
  }
  // The descriptor lock orders this with perform_io: an edge that arrives
  // after the failed attempt finds the operation queued.
  queue.push(op);
  scheduler_.work_started_for_operation();
  // io_uring: a poll request checks the current readiness when it starts,
  // so nothing is lost between the failed attempt and the request.
  if (backend_ == rill::backend::io_uring) ring_start_head(state, op_type);
}

void reactor::take_ops(descriptor_state* state, op_queue<operation>& ops, const std::error_code& ec,
                       bool urgent) {
  for (int i = 0; i < max_ops; ++i) {
    op_queue<reactor_op>& queue = state->queues_[i];
    // The kernel may still write into a head it carries out: it stays
    // queued until its completion, which the cancellation hastens.
    reactor_op* kept = nullptr;
    if (state->in_kernel_[i]) {
      kept = queue.pop();
      ring_cancel_op(state, i, urgent);
    }
    while (reactor_op* op = queue.pop()) {
      op->ec_ = ec;
      ops.push(op);
    }
    if (kept != nullptr) queue.push(kept);
  }
}

void reactor::cancel_ops(int /*descriptor*/, per_descriptor_data& data) {
  descriptor_state* state = data;
  if (state == nullptr) return;
  op_queue<operation> ops;
  {
    std::lock_guard lock(state->mutex_);
    // A receive the kernel carries out is cancelled at once: after
    // release() the caller reads the descriptor itself.
    take_ops(state, ops, aborted(), true);
  }
  scheduler_.post_deferred_completions(ops);
}

void reactor::cancel_ops_by_key(per_descriptor_data data, int op_type, void* key) {
  descriptor_state* state = data;
  if (state == nullptr || key == nullptr) return;
  op_queue<operation> ops;
  {
    std::lock_guard lock(state->mutex_);
    // The queue is singly linked: rebuild it without the matching operation,
    // keeping the others in order.
    op_queue<reactor_op>& queue = state->queues_[op_type];
    op_queue<reactor_op> rest;
    bool head = true;
    while (reactor_op* op = queue.pop()) {
      // A head the kernel carries out completes when the kernel says so.
      const bool in_kernel = head && state->in_kernel_[op_type];
      head = false;
      if (op->cancellation_key_ == key && !in_kernel) {
        op->ec_ = aborted();
        ops.push(op);
      } else {
        if (op->cancellation_key_ == key) ring_cancel_op(state, op_type, false);
        rest.push(op);
      }
    }
    queue.push(rest);
    if (backend_ == rill::backend::io_uring && !state->shutdown_) {
      ring_start_head(state, op_type);
    }
  }
  scheduler_.post_deferred_completions(ops);
}

void reactor::deregister_descriptor(int descriptor, per_descriptor_data& data, bool closing) {
  descriptor_state* state = data;
  if (state == nullptr) return;
  op_queue<operation> ops;
  {
    std::lock_guard lock(state->mutex_);
    if (!state->shutdown_) {
      if (backend_ == rill::backend::io_uring) {
        ring_remove_polls(state, true);
      } else if (!closing) {
        // Closing the descriptor removes it from the epoll set by itself.
        epoll_event ev{};
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, descriptor, &ev);
      }
      take_ops(state, ops, aborted(), true);
      state->descriptor_ = -1;
      state->shutdown_ = true;
    }
  }
  data = nullptr;
  free_state(state);
  scheduler_.post_deferred_completions(ops);
}

void reactor::deregister_and_keep(int descriptor, per_descriptor_data& data) {
  descriptor_state* state = data;
  if (state == nullptr) return;
  {
    std::lock_guard lock(state->mutex_);
    if (!state->shutdown_) {
      if (backend_ == rill::backend::io_uring) {
        ring_remove_polls(state, false);
      } else {
        epoll_event ev{};
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, descriptor, &ev);
      }
      state->descriptor_ = -1;
      state->shutdown_ = true;
    }
  }
  data = nullptr;
  free_state(state);
}

std::error_code reactor::register_internal_descriptor(int op_type, int descriptor,
                                                      per_descriptor_data& data, reactor_op* op) {
  descriptor_state* state = allocate_state();
  {
    std::lock_guard lock(state->mutex_);
    state->descriptor_ = descriptor;
    state->shutdown_ = false;
    state->registered_events_ = descriptor_events;
    // Queued before the descriptor is added, so that the first edge finds it.
    state->queues_[op_type].push(op);
    if (backend_ == rill::backend::io_uring) {
      ring_arm_poll(state, op_type);
      data = state;
      return {};
    }
  }
  epoll_event ev{};
  ev.events = descriptor_events;
  ev.data.ptr = state;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, descriptor, &ev) != 0) {
    const std::error_code ec(errno, std::system_category());
    {
      std::lock_guard lock(state->mutex_);
      state->queues_[op_type].pop();  // back to the caller
      state->descriptor_ = -1;
    }
    free_state(state);
    data = nullptr;
    return ec;
  }
  data = state;
  return {};
}

void reactor::deregister_internal_descriptor(int descriptor, per_descriptor_data& data) {
  descriptor_state* state = data;
  if (state == nullptr) return;
  op_queue<operation> ops;
  {
    std::lock_guard lock(state->mutex_);
    if (!state->shutdown_) {
      // The descriptor stays open (other contexts may watch it too), so
      // remove it from this epoll set (or the ring) explicitly.
      if (backend_ == rill::backend::io_uring) {
        ring_remove_polls(state, false);
      } else {
        epoll_event ev{};
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, descriptor, &ev);
      }
      for (auto& queue : state->queues_) {
        while (reactor_op* op = queue.pop()) ops.push(op);
      }
      state->descriptor_ = -1;
      state->shutdown_ = true;
    }
  }
  data = nullptr;
  free_state(state);
  scheduler::abandon_operations(ops);
}

void reactor::add_timer_queue(timer_queue_base& queue) {
  std::lock_guard lock(timer_mutex_);
  timer_queues_.push_back(&queue);
}

void reactor::remove_timer_queue(timer_queue_base& queue) {
  std::lock_guard lock(timer_mutex_);
  std::erase(timer_queues_, &queue);
}

void reactor::update_timeout_locked() {
  if (blocked_in_wait_) interrupt();
}

std::chrono::nanoseconds reactor::timer_wait(std::chrono::nanoseconds limit) {
  for (timer_queue_base* queue : timer_queues_) limit = queue->wait_duration(limit);
  return limit;
}

void reactor::interrupt() {
  const std::uint64_t one = 1;
  // A full counter (never in practice) still leaves the fd readable.
  [[maybe_unused]] const ssize_t n = ::write(interrupter_fd_, &one, sizeof(one));
}

void reactor::perform_io(descriptor_state* state, std::uint32_t events,
                         op_queue<operation>& completed) {
  static constexpr std::uint32_t flags[max_ops] = {EPOLLIN | EPOLLRDHUP, EPOLLOUT, EPOLLPRI};
  std::lock_guard lock(state->mutex_);
  if (state->shutdown_) return;
  // Errors and hang-ups wake every kind: the system calls report them.
  const std::uint32_t any = EPOLLERR | EPOLLHUP;
  for (int j = max_ops - 1; j >= 0; --j) {
    if ((events & (flags[j] | any)) == 0) continue;
    op_queue<reactor_op>& queue = state->queues_[j];
    while (reactor_op* op = queue.front()) {
      if (op->perform() != reactor_op::status::done) break;
      queue.pop();
      completed.push(op);
    }
  }
}

std::size_t reactor::run(std::chrono::nanoseconds timeout, op_queue<operation>& completed) {
  turns_.store(turns_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (backend_ == rill::backend::io_uring) return ring_run(timeout, completed);
  // No event array from an earlier run survives into this one, so states
  // released before now can safely be handed out again.
  reclaim_states();
  {
    std::lock_guard lock(timer_mutex_);
    timeout = timer_wait(timeout);
    blocked_in_wait_ = timeout != std::chrono::nanoseconds::zero();
  }

  epoll_event events[128];
  timespec ts{};
  const timespec* tsp = nullptr;
  if (timeout >= std::chrono::nanoseconds::zero()) {
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
    tsp = &ts;
  }
  int n = ::epoll_pwait2(epoll_fd_, events, 128, tsp, nullptr);
  if (n < 0 && errno == ENOSYS) {
    // Kernels before 5.11: millisecond timeouts, rounded up.
    const int ms = tsp == nullptr ? -1
                                  : static_cast<int>(std::min<long long>(
                                        (timeout.count() + 999'999) / 1'000'000, 1 << 30));
    n = ::epoll_wait(epoll_fd_, events, 128, ms);
  }

  std::size_t handled = 0;
  for (int i = 0; i < n; ++i) {
    auto* state = static_cast<descriptor_state*>(events[i].data.ptr);
    if (state == nullptr) {
      std::uint64_t value = 0;
      [[maybe_unused]] const ssize_t r = ::read(interrupter_fd_, &value, sizeof(value));
      continue;
    }
    perform_io(state, events[i].events, completed);
    ++handled;
  }

  // blocked_in_wait_ is cleared only here, with the timers: a new earliest
  // timer set meanwhile interrupts a wait that is already over, which wastes
  // one turn but spares every run a lock round trip.
  std::lock_guard lock(timer_mutex_);
  blocked_in_wait_ = false;
  for (timer_queue_base* queue : timer_queues_) handled += queue->get_ready_timers(completed);
  return handled;
}

}  // namespace rill::detail
