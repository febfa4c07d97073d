// The io_uring mechanism of the reactor: the ring replaces epoll as the
// place where the loop waits. Queues, speculation, cancellation and timers
// stay in src/reactor.cpp and behave the same; only how readiness arrives
// differs:
//  - a non-empty queue of a descriptor has one one-shot IORING_OP_POLL_ADD
//    in the kernel (user_data: the state's address | the queue's index);
//    its completion runs the queue as an epoll event would, and re-arms the
//    poll if operations remain;
//  - requests are batched: the thread that runs the task submits them in
//    the same io_uring_enter that waits (io_uring_submit_and_wait_timeout,
//    with the timers' timeout passed as IORING_ENTER_EXT_ARG);
//  - the submission queue is not thread-safe. While a thread runs the task
//    it owns the queue; any other thread then appends its request to a
//    list under sq_mutex and, if the owner sleeps in the kernel, wakes it
//    through the interrupter eventfd (polled on the ring). Otherwise a
//    thread fills the SQE itself under sq_mutex, and the next run submits
//    it. So no request waits in the queue while a thread sleeps.
//  - closing a descriptor removes its polls at once (IORING_OP_POLL_REMOVE,
//    submitted immediately): a poll holds a reference to the file, which
//    would otherwise stay open. The state is reused only after the last
//    completion naming it arrived (in_flight_).
#include <liburing.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string_view>
#include <system_error>
#include <vector>

#include <rill/detail/reactor.hpp>
#include <rill/error.hpp>

namespace rill::detail {

namespace {

constexpr unsigned ring_entries = 256;

// user_data of the requests that name no descriptor state. State addresses
// are aligned to 8, and the low two bits carry the queue index.
constexpr std::uint64_t ignored_user_data = 0;  // removals: nothing to do
constexpr std::uint64_t interrupter_user_data = 1;
constexpr std::uint64_t op_type_mask = 3;
constexpr std::uint64_t ring_op_bit = 4;  // an operation, not a poll
constexpr std::uint64_t state_mask = ~std::uint64_t{7};

// What each queue waits for (errors and hang-ups always wake a poll). The
// out-of-band queue adds POLLRDBAND: the wake-up TCP sends when urgent data
// arrives does not carry POLLPRI, so a poll for POLLPRI alone would never
// fire; one that also names POLLRDBAND is woken, re-checks the socket and
// completes only if POLLPRI is then set (TCP never reports POLLRDBAND).
constexpr unsigned poll_masks[reactor::max_ops] = {POLLIN | POLLRDHUP, POLLOUT,
                                                   POLLPRI | POLLRDBAND};

std::uint64_t poll_user_data(reactor::descriptor_state* state, int op_type) noexcept {
  return reinterpret_cast<std::uintptr_t>(state) | static_cast<std::uint64_t>(op_type);
}

std::uint64_t op_user_data(reactor::descriptor_state* state, int op_type) noexcept {
  return poll_user_data(state, op_type) | ring_op_bit;
}

}  // namespace

struct reactor::ring_state {
  enum class kind : unsigned char {
    poll_add,
    poll_remove,
    recv,
    send,
    recvmsg,
    sendmsg,
    accept,
    connect,
    cancel
  };
  struct request {
    kind what;
    int descriptor;
    unsigned poll_mask;
    std::uint64_t user_data;  // of the request itself
    std::uint64_t target;     // poll_remove, cancel: the request's user_data
    void* data = nullptr;     // recv, send: the buffer; *msg: the msghdr; accept: the sockaddr
    std::size_t size = 0;
    int flags = 0;
    void* addrlen = nullptr;  // accept: the socklen_t
  };

  explicit ring_state(execution_context& ctx)
      : pending(context_allocator<request>(ctx)), late(context_allocator<request>(ctx)) {}

  io_uring ring{};
  std::mutex sq_mutex;
  // Requests made by other threads while a thread owns the queue. sq_mutex.
  std::vector<request, context_allocator<request>> pending;
  // Receives held back until the batch is submitted, so that they follow
  // the batch's sends in the SQ: the kernel issues a batch in order, and a
  // receive issued after the send that feeds it (the other end of a
  // connection in this process, a pipe) completes inline, where one issued
  // before it would arm a poll and complete from task work, which costs
  // about as much again. Only the thread that may touch the SQ touches it.
  std::vector<request, context_allocator<request>> late;
  // A thread is inside ring_run and alone may touch the SQ. sq_mutex.
  bool task_owns_sq = false;
  // That thread may sleep in the kernel, and nobody has woken it. sq_mutex.
  bool task_blocking = false;
  // The interrupter's poll is in the kernel. Only the owner touches it.
  bool interrupter_armed = false;

  // An SQE for a thread that may touch the queue; submits what is queued
  // if the queue is full.
  io_uring_sqe* get_sqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    while (sqe == nullptr) {
      io_uring_submit(&ring);
      sqe = io_uring_get_sqe(&ring);
    }
    return sqe;
  }

  void fill(const request& r) {
    io_uring_sqe* sqe = get_sqe();
    switch (r.what) {
      case kind::poll_add:
        io_uring_prep_poll_add(sqe, r.descriptor, r.poll_mask);
        break;
      case kind::poll_remove:
        io_uring_prep_poll_remove(sqe, r.target);
        break;
      case kind::recv:
        io_uring_prep_recv(sqe, r.descriptor, r.data, r.size, r.flags);
        break;
      case kind::send:
        io_uring_prep_send(sqe, r.descriptor, r.data, r.size, r.flags);
        break;
      case kind::recvmsg:
        io_uring_prep_recvmsg(sqe, r.descriptor, static_cast<msghdr*>(r.data),
                              static_cast<unsigned>(r.flags));
        break;
      case kind::sendmsg:
        io_uring_prep_sendmsg(sqe, r.descriptor, static_cast<const msghdr*>(r.data),
                              static_cast<unsigned>(r.flags));
        break;
      case kind::accept:
        io_uring_prep_accept(sqe, r.descriptor, static_cast<sockaddr*>(r.data),
                             static_cast<socklen_t*>(r.addrlen), r.flags);
        break;
      case kind::connect:
        io_uring_prep_connect(sqe, r.descriptor, static_cast<const sockaddr*>(r.data),
                              static_cast<socklen_t>(r.size));
        break;
      case kind::cancel:
        io_uring_prep_cancel64(sqe, r.target, 0);
        break;
    }
    io_uring_sqe_set_data64(sqe, r.user_data);
  }

  // Puts r in the SQ, or a receive in the late list. A cancellation or a
  // poll removal may name a receive still in the list: that goes first.
  void place(const request& r) {
    if (r.what == kind::recv || r.what == kind::recvmsg) {
      late.push_back(r);
      return;
    }
    if (r.what == kind::cancel || r.what == kind::poll_remove) flush_late();
    fill(r);
  }

  // Moves the held-back receives into the SQ, behind everything else.
  void flush_late() {
    for (const request& r : late) fill(r);
    late.clear();
  }

  // Fills the SQE now if the queue is free, else hands it to the owner.
  // urgent: submit at once (or wake the owner, who submits on its next turn).
  void submit(const request& r, bool urgent, int interrupter_fd) {
    std::lock_guard lock(sq_mutex);
    if (!task_owns_sq) {
      place(r);
      if (urgent) {
        flush_late();
        io_uring_submit(&ring);
      }
      return;
    }
    pending.push_back(r);
    if (task_blocking) {
      task_blocking = false;
      const std::uint64_t one = 1;
      [[maybe_unused]] const ssize_t n = ::write(interrupter_fd, &one, sizeof(one));
    }
  }

  // Moves the other threads' requests into the SQ. Requires sq_mutex and
  // the right to touch the queue.
  void take_pending() {
    for (const request& r : pending) place(r);
    pending.clear();
  }

  void arm_interrupter(int interrupter_fd) {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_poll_add(sqe, interrupter_fd, POLLIN);
    io_uring_sqe_set_data64(sqe, interrupter_user_data);
    interrupter_armed = true;
  }
};

bool reactor::ring_create(const char*& reason) {
  if (const char* knob = std::getenv("RILL_IO_URING_DISABLE");
      knob != nullptr && *knob != '\0' && std::string_view(knob) != "0") {
    reason = "disabled by RILL_IO_URING_DISABLE";
    return false;
  }
  ring_state* state = new_context_object<ring_state>(context(), context());
  const int r = io_uring_queue_init(ring_entries, &state->ring, 0);
  if (r < 0) {
    delete_context_object(context(), state);
    switch (-r) {
      case ENOSYS:
        reason = "io_uring_setup: not implemented by this kernel";
        break;
      case EPERM:
        reason = "io_uring_setup: not permitted (kernel.io_uring_disabled or seccomp)";
        break;
      case ENOMEM:
        reason = "io_uring_setup: out of memory (locked memory limit?)";
        break;
      default:
        reason = "io_uring_setup failed";
        break;
    }
    return false;
  }
  // What the loop relies on: a wait with a timeout and no timeout request
  // (EXT_ARG), completions never dropped (NODROP), and the opcodes it uses.
  const unsigned needed = IORING_FEAT_EXT_ARG | IORING_FEAT_NODROP;
  if ((state->ring.features & needed) != needed) {
    reason = "kernel lacks IORING_FEAT_EXT_ARG or IORING_FEAT_NODROP (Linux 5.11 or later needed)";
    io_uring_queue_exit(&state->ring);
    delete_context_object(context(), state);
    return false;
  }
  io_uring_probe* probe = io_uring_get_probe_ring(&state->ring);
  const bool have_ops = probe != nullptr &&
                        io_uring_opcode_supported(probe, IORING_OP_POLL_ADD) != 0 &&
                        io_uring_opcode_supported(probe, IORING_OP_POLL_REMOVE) != 0 &&
                        io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL) != 0;
  const bool probe_recv = probe != nullptr &&
                          io_uring_opcode_supported(probe, IORING_OP_RECV) != 0 &&
                          io_uring_opcode_supported(probe, IORING_OP_SEND) != 0 &&
                          io_uring_opcode_supported(probe, IORING_OP_RECVMSG) != 0 &&
                          io_uring_opcode_supported(probe, IORING_OP_SENDMSG) != 0 &&
                          io_uring_opcode_supported(probe, IORING_OP_ACCEPT) != 0 &&
                          io_uring_opcode_supported(probe, IORING_OP_CONNECT) != 0;
  if (probe != nullptr) io_uring_free_probe(probe);
  if (!have_ops) {
    reason = "kernel lacks the io_uring poll or cancel opcodes";
    io_uring_queue_exit(&state->ring);
    delete_context_object(context(), state);
    return false;
  }
  const char* poll_only = std::getenv("RILL_IO_URING_POLL_ONLY");
  ring_ops_ = (state->ring.features & IORING_FEAT_FAST_POLL) != 0 && probe_recv &&
              (poll_only == nullptr || *poll_only == '\0' || std::string_view(poll_only) == "0");
  state->arm_interrupter(interrupter_fd_);
  ring_ = state;
  return true;
}

void reactor::ring_destroy() noexcept {
  if (ring_ == nullptr) return;
  // Poll requests write nothing into the program's memory: closing the
  // ring cancels them, and the states may be freed right after.
  io_uring_queue_exit(&ring_->ring);
  delete_context_object(context(), ring_);
  ring_ = nullptr;
}

void reactor::choose_backend() {
  rill::backend wanted = scheduler_.requested_backend();
  if (wanted == rill::backend::automatic) {
    if (const char* env = std::getenv("RILL_BACKEND"); env != nullptr && *env != '\0') {
      const std::string_view v(env);
      if (v == "epoll") {
        wanted = rill::backend::epoll;
      } else if (v == "io_uring") {
        wanted = rill::backend::io_uring;
      } else if (v == "io_uring_required") {
        wanted = rill::backend::io_uring_required;
      } else if (v != "automatic") {
        std::fprintf(stderr, "rill: unknown RILL_BACKEND value '%s'; using automatic\n", env);
      }
    }
  }
  backend_ = rill::backend::epoll;
  if (wanted == rill::backend::epoll) return;
  const char* reason = "unknown";
  if (ring_create(reason)) {
    backend_ = rill::backend::io_uring;
    return;
  }
  if (wanted == rill::backend::io_uring_required) {
    throw std::system_error(
        std::make_error_code(std::errc::function_not_supported),
        std::string("rill: io_uring required but unavailable (") + reason + ")");
  }
  if (wanted == rill::backend::io_uring) {
    std::fprintf(stderr, "rill: io_uring unavailable (%s); using epoll\n", reason);
  }
}

void reactor::ring_arm_poll(descriptor_state* state, int op_type) {
  state->poll_armed_[op_type] = true;
  ++state->in_flight_;
  ring_->submit({ring_state::kind::poll_add, state->descriptor_, poll_masks[op_type],
                 poll_user_data(state, op_type), 0},
                false, interrupter_fd_);
}

void reactor::ring_remove_polls(descriptor_state* state, bool urgent) {
  for (int i = 0; i < max_ops; ++i) {
    if (!state->poll_armed_[i]) continue;
    // The poll's own completion (-ECANCELED, or its result if it won the
    // race) clears the flag and the in-flight count.
    ring_->submit(
        {ring_state::kind::poll_remove, -1, 0, ignored_user_data, poll_user_data(state, i)}, urgent,
        interrupter_fd_);
  }
}

void reactor::ring_complete_poll(descriptor_state* state, int op_type, int result,
                                 op_queue<operation>& completed) {
  std::lock_guard lock(state->mutex_);
  state->poll_armed_[op_type] = false;
  --state->in_flight_;
  // A head the kernel carries out is not retried here (a poll left over
  // from an operation cancelled before it).
  if (state->shutdown_ || state->in_kernel_[op_type]) return;
  op_queue<reactor_op>& queue = state->queues_[op_type];
  // The result (the ready events, or an error) is not needed: the
  // operations' system calls find out, as after an epoll event.
  static_cast<void>(result);
  while (reactor_op* op = queue.front()) {
    if (op->perform() != reactor_op::status::done) break;
    queue.pop();
    completed.push(op);
  }
  ring_start_head(state, op_type);
}

void reactor::ring_start_head(descriptor_state* state, int op_type) {
  reactor_op* head = state->queues_[op_type].front();
  if (head == nullptr || state->in_kernel_[op_type] || forking_) return;
  if (ring_ops_ && head->ring_prepare_ != nullptr &&
      (op_type != read_op || state->queues_[except_op].empty())) {
    reactor_op::ring_io io{};
    if (head->ring_prepare_(head, io)) {
      ring_submit_op(state, op_type, io);
      return;
    }
  }
  if (!state->poll_armed_[op_type]) ring_arm_poll(state, op_type);
}

void reactor::ring_submit_op(descriptor_state* state, int op_type, const reactor_op::ring_io& io) {
  state->in_kernel_[op_type] = true;
  state->cancel_sent_[op_type] = false;
  ++state->in_flight_;
  ring_state::kind what = op_type == write_op ? ring_state::kind::send : ring_state::kind::recv;
  switch (io.opcode) {
    case reactor_op::ring_opcode::transfer:
      break;
    case reactor_op::ring_opcode::accept:
      what = ring_state::kind::accept;
      break;
    case reactor_op::ring_opcode::connect:
      what = ring_state::kind::connect;
      break;
    case reactor_op::ring_opcode::message:
      what = op_type == write_op ? ring_state::kind::sendmsg : ring_state::kind::recvmsg;
      break;
  }
  ring_state::request r{what, io.descriptor, 0, op_user_data(state, op_type), 0};
  r.data = io.data;
  r.size = io.size;
  r.flags = io.flags;
  r.addrlen = io.addrlen;
  ring_->submit(r, false, interrupter_fd_);
}

void reactor::ring_cancel_op(descriptor_state* state, int op_type, bool urgent) {
  if (!state->in_kernel_[op_type]) return;
  // A cancellation asked for now (by the program, or by close) wins over
  // one a fork_prepare sent: the operation then ends aborted.
  state->fork_cancelled_[op_type] = false;
  if (state->cancel_sent_[op_type]) return;
  state->cancel_sent_[op_type] = true;
  ring_->submit({ring_state::kind::cancel, -1, 0, ignored_user_data, op_user_data(state, op_type)},
                urgent, interrupter_fd_);
}

void reactor::ring_complete_op(descriptor_state* state, int op_type, int result,
                               op_queue<operation>& completed) {
  std::lock_guard lock(state->mutex_);
  state->in_kernel_[op_type] = false;
  // Cancelled for a fork, not by the program: see below.
  const bool for_fork = state->fork_cancelled_[op_type];
  const bool cancelled = state->cancel_sent_[op_type] && !for_fork;
  state->cancel_sent_[op_type] = false;
  state->fork_cancelled_[op_type] = false;
  --state->in_flight_;
  op_queue<reactor_op>& queue = state->queues_[op_type];
  reactor_op* op = queue.front();
  if (op == nullptr) return;
  if (for_fork && result == -ECANCELED && !state->shutdown_) {
    // Stopped by fork_prepare: it stays queued, and starts again after the
    // fork (ring_start_head waits for fork_parent or fork_child). A connect
    // stopped so is under way in the kernel: connecting again would fail
    // (EALREADY, or EISCONN once it is made), so it waits for writability
    // and asks for the result, as on epoll.
    reactor_op::ring_io io{};
    if (op->ring_prepare_ != nullptr && op->ring_prepare_(op, io) &&
        io.opcode == reactor_op::ring_opcode::connect) {
      op->ring_prepare_ = nullptr;
    }
    ring_start_head(state, op_type);
    return;
  }
  if (state->shutdown_) {
    // Closed (or released) meanwhile: aborted, as close() aborts on epoll.
    // The result is taken first all the same: an accepted descriptor then
    // belongs to the operation, which closes it.
    if (result >= 0) static_cast<void>(op->ring_complete_(op, result));
    queue.pop();
    op->ec_ = rill::error::operation_aborted;
    op->bytes_transferred_ = 0;
    completed.push(op);
    return;
  }
  // A cancelled operation that the kernel finished first keeps its result
  // (the data was received); one that was stopped reports -ECANCELED.
  if (op->ring_complete_(op, result) == reactor_op::status::not_done) {
    if (!cancelled) {
      // The kernel would block (-EAGAIN: a kernel without fast poll for
      // this file): from now on this operation waits for readiness.
      op->ring_prepare_ = nullptr;
      ring_start_head(state, op_type);
      return;
    }
    op->ec_ = rill::error::operation_aborted;
    op->bytes_transferred_ = 0;
  }
  queue.pop();
  completed.push(op);
  ring_start_head(state, op_type);
}

bool reactor::ring_in_kernel(in_kernel_action action) {
  bool any = false;
  std::lock_guard lock(registry_mutex_);
  for (descriptor_state* state = states_; state != nullptr; state = state->next_all_) {
    std::lock_guard state_lock(state->mutex_);
    for (int i = 0; i < max_ops; ++i) {
      if (!state->in_kernel_[i]) continue;
      any = true;
      if (action == in_kernel_action::none || state->cancel_sent_[i]) continue;
      ring_cancel_op(state, i, false);
      // For a fork, an operation the program cancelled already (above)
      // ends as it would have; this one is started again afterwards.
      state->fork_cancelled_[i] = action == in_kernel_action::cancel_for_fork;
    }
  }
  return any;
}

void reactor::ring_drain() {
  if (ring_ == nullptr) return;
  ring_state& rs = *ring_;
  if (!ring_in_kernel(in_kernel_action::cancel)) return;
  {
    std::lock_guard lock(rs.sq_mutex);
    rs.take_pending();
    rs.flush_late();
    io_uring_submit(&rs.ring);
  }
  // Nobody runs the loop any more: wait here for every cancelled operation,
  // so that none is destroyed while the kernel may still write into its
  // buffer. The operations stay queued; shutdown() destroys them.
  while (ring_in_kernel(in_kernel_action::none)) {
    io_uring_cqe* cqe = nullptr;
    const int r = io_uring_wait_cqe(&rs.ring, &cqe);
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -ETIME) return;
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_for_each_cqe(&rs.ring, head, cqe) {
      ++seen;
      const std::uint64_t user_data = cqe->user_data;
      if (user_data == ignored_user_data) continue;
      if (user_data == interrupter_user_data) {
        rs.interrupter_armed = false;
        continue;
      }
      auto* state = reinterpret_cast<descriptor_state*>(user_data & state_mask);
      const auto i = static_cast<int>(user_data & op_type_mask);
      std::lock_guard lock(state->mutex_);
      --state->in_flight_;
      if ((user_data & ring_op_bit) != 0) {
        state->in_kernel_[i] = false;
        state->cancel_sent_[i] = false;
        // An accept the kernel finished first: its descriptor goes to the
        // operation, whose destruction closes it.
        reactor_op* op = state->queues_[i].front();
        if (cqe->res >= 0 && op != nullptr) static_cast<void>(op->ring_complete_(op, cqe->res));
      } else {
        state->poll_armed_[i] = false;
      }
    }
    io_uring_cq_advance(&rs.ring, seen);
  }
}

void reactor::ring_dispatch(std::uint64_t user_data, int result, op_queue<operation>& completed) {
  if (user_data == ignored_user_data) return;
  if (user_data == interrupter_user_data) {
    std::uint64_t value = 0;
    [[maybe_unused]] const ssize_t r = ::read(interrupter_fd_, &value, sizeof(value));
    ring_->interrupter_armed = false;
    return;
  }
  auto* state = reinterpret_cast<descriptor_state*>(user_data & state_mask);
  const auto op_type = static_cast<int>(user_data & op_type_mask);
  if ((user_data & ring_op_bit) != 0) {
    ring_complete_op(state, op_type, result, completed);
  } else {
    ring_complete_poll(state, op_type, result, completed);
  }
}

std::size_t reactor::ring_run(std::chrono::nanoseconds timeout, op_queue<operation>& completed) {
  reclaim_states();
  {
    std::lock_guard lock(timer_mutex_);
    timeout = timer_wait(timeout);
    blocked_in_wait_ = timeout != std::chrono::nanoseconds::zero();
  }
  // The flags that say this thread may sleep stay set until the end of the
  // run, where they are cleared in the critical sections the run needs
  // anyway: a thread that sees them meanwhile wakes the loop for nothing
  // once, which costs less than two more lock round trips on every run.
  ring_state& rs = *ring_;
  {
    std::lock_guard lock(rs.sq_mutex);
    rs.task_owns_sq = true;
    rs.take_pending();
    rs.task_blocking = timeout != std::chrono::nanoseconds::zero();
  }
  if (!rs.interrupter_armed) rs.arm_interrupter(interrupter_fd_);
  rs.flush_late();

  __kernel_timespec ts{};
  __kernel_timespec* tsp = nullptr;
  if (timeout >= std::chrono::nanoseconds::zero()) {
    ts.tv_sec = static_cast<long long>(timeout.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long long>(timeout.count() % 1'000'000'000);
    tsp = &ts;
  }
  // Submits everything queued since the last run and waits, in one call.
  // -ETIME (timeout), -EINTR (a signal) and the like just end the wait;
  // requests the kernel did not take stay queued for the next run.
  io_uring_cqe* cqe = nullptr;
  if (io_uring_cq_ready(&rs.ring) == 0) {
    if (timeout == std::chrono::nanoseconds::zero()) {
      // A turn that must not block (handlers are waiting, or a timer is
      // due): waiting for a completion with a zero timeout still arms a
      // timer in the kernel and can sleep for the timer slack (tens of
      // microseconds), which made zero-delay timers 5x slower than on
      // epoll. Submit what is queued and take what has already completed.
      if (io_uring_sq_ready(&rs.ring) > 0) io_uring_submit(&rs.ring);
    } else {
      io_uring_submit_and_wait_timeout(&rs.ring, &cqe, 1, tsp, nullptr);
    }
  }
  // Otherwise completions are already there (posted when this thread last
  // returned from a system call, a send for instance): take them without
  // entering the kernel. The queued requests stay for the next run, which
  // submits them in the io_uring_enter that waits; meanwhile this thread is
  // the one that will run the task again, so nothing waits for them while
  // a thread sleeps.

  unsigned head = 0;
  unsigned seen = 0;
  io_uring_for_each_cqe(&rs.ring, head, cqe) {
    ++seen;
    ring_dispatch(cqe->user_data, cqe->res, completed);
  }
  io_uring_cq_advance(&rs.ring, seen);
  if (!rs.interrupter_armed) rs.arm_interrupter(interrupter_fd_);

  {
    // Requests made meanwhile go into the SQ; the next run submits them.
    std::lock_guard lock(rs.sq_mutex);
    rs.take_pending();
    rs.task_owns_sq = false;
    rs.task_blocking = false;
  }

  std::size_t handled = seen;
  std::lock_guard lock(timer_mutex_);
  blocked_in_wait_ = false;
  for (timer_queue_base* queue : timer_queues_) handled += queue->get_ready_timers(completed);
  return handled;
}

std::vector<int> reactor::ring_queued_opcodes() {
  std::vector<int> opcodes;
  if (ring_ == nullptr) return opcodes;
  ring_state& rs = *ring_;
  std::lock_guard lock(rs.sq_mutex);
  const io_uring_sq& sq = rs.ring.sq;
  for (unsigned i = sq.sqe_head; i != sq.sqe_tail; ++i) {
    opcodes.push_back(sq.sqes[i & sq.ring_mask].opcode);
  }
  for (const ring_state::request& r : rs.late) {
    opcodes.push_back(r.what == ring_state::kind::recvmsg ? IORING_OP_RECVMSG : IORING_OP_RECV);
  }
  return opcodes;
}

void reactor::ring_fork_prepare() {
  ring_state& rs = *ring_;
  forking_ = true;
  if (!ring_in_kernel(in_kernel_action::cancel_for_fork)) return;
  {
    std::lock_guard lock(rs.sq_mutex);
    rs.take_pending();
    rs.flush_late();
    io_uring_submit(&rs.ring);
  }
  // Operations that finished complete as usual; those the cancellation
  // stopped stay queued (ring_complete_op). Should the wait fail, those
  // still in the kernel complete later in the same way.
  op_queue<operation> completed;
  while (ring_in_kernel(in_kernel_action::none)) {
    io_uring_cqe* cqe = nullptr;
    const int r = io_uring_wait_cqe(&rs.ring, &cqe);
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -ETIME) break;
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_for_each_cqe(&rs.ring, head, cqe) {
      ++seen;
      ring_dispatch(cqe->user_data, cqe->res, completed);
    }
    io_uring_cq_advance(&rs.ring, seen);
  }
  scheduler_.post_deferred_completions(completed);
}

void reactor::ring_fork_parent() {
  forking_ = false;
  std::lock_guard lock(registry_mutex_);
  ring_restart_heads();
}

void reactor::ring_restart_heads() {
  for (descriptor_state* state = states_; state != nullptr; state = state->next_all_) {
    std::lock_guard state_lock(state->mutex_);
    if (state->shutdown_ || state->registered_events_ == 0) continue;
    for (int i = 0; i < max_ops; ++i) ring_start_head(state, i);
  }
}

void reactor::ring_fork_child() {
  // The child shares the parent's ring (its memory is mapped shared): make
  // its own, and poll again for every queue that waits. The parent's
  // requests are the parent's business.
  const char* reason = nullptr;
  ring_state* old = ring_;
  ring_ = nullptr;
  io_uring_queue_exit(&old->ring);
  delete_context_object(context(), old);
  if (!ring_create(reason)) {
    throw std::system_error(
        std::make_error_code(std::errc::function_not_supported),
        std::string("rill: io_uring unavailable in the child (") + reason + ")");
  }
  forking_ = false;
  op_queue<operation> aborted_ops;
  {
    std::lock_guard lock(registry_mutex_);
    for (descriptor_state* state = states_; state != nullptr; state = state->next_all_) {
      std::lock_guard state_lock(state->mutex_);
      state->in_flight_ = 0;
      for (int i = 0; i < max_ops; ++i) {
        // A head the parent's ring still carries out (no fork_prepare, which
        // leaves only polls there) writes into the parent's memory: the
        // child starts its own request for it, unless its descriptor was
        // closed or the program cancelled it, which the completion the
        // child will never see would have ended as operation_aborted.
        const bool abort_head =
            state->in_kernel_[i] &&
            (state->shutdown_ || (state->cancel_sent_[i] && !state->fork_cancelled_[i]));
        state->poll_armed_[i] = false;
        state->in_kernel_[i] = false;
        state->cancel_sent_[i] = false;
        state->fork_cancelled_[i] = false;
        if (!abort_head) continue;
        if (reactor_op* op = state->queues_[i].pop()) {
          op->ec_ = rill::error::operation_aborted;
          op->bytes_transferred_ = 0;
          aborted_ops.push(op);
        }
      }
    }
    ring_restart_heads();
  }
  scheduler_.post_deferred_completions(aborted_ops);
}

}  // namespace rill::detail
