// rill/experimental/parallel_group.hpp - launch asynchronous operations
// together and wait for them as one.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/detail/bind_handler.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/dispatch.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/experimental/cancellation_condition.hpp>
#include <rill/system_executor.hpp>

namespace rill::experimental {

namespace detail {

template <typename... T>
struct parallel_type_list {};

// The arguments of one completion signature.
template <typename Signature>
struct parallel_signature_args;
template <typename R, typename... Args>
struct parallel_signature_args<R(Args...)> {
  using type = parallel_type_list<Args...>;
  using result_type = std::tuple<std::decay_t<Args>...>;
};
template <typename R, typename... Args>
struct parallel_signature_args<R(Args...) noexcept> : parallel_signature_args<R(Args...)> {};

template <typename... Lists>
struct parallel_concat;
template <>
struct parallel_concat<> {
  using type = parallel_type_list<>;
};
template <typename... A>
struct parallel_concat<parallel_type_list<A...>> {
  using type = parallel_type_list<A...>;
};
template <typename... A, typename... B, typename... Rest>
struct parallel_concat<parallel_type_list<A...>, parallel_type_list<B...>, Rest...>
    : parallel_concat<parallel_type_list<A..., B...>, Rest...> {};

template <std::size_t N, typename List>
struct parallel_group_signature_from;
template <std::size_t N, typename... Args>
struct parallel_group_signature_from<N, parallel_type_list<Args...>> {
  using type = void(std::array<std::size_t, N>, Args...);
};

// void(std::array<std::size_t, N> completion_order, args of op 0...,
// args of op 1..., ...), as Asio's parallel_group_signature.
template <std::size_t N, typename... Signatures>
struct parallel_group_signature
    : parallel_group_signature_from<
          N,
          typename parallel_concat<typename parallel_signature_args<Signatures>::type...>::type> {};

// The handler's executor, kept busy while the group runs if the handler has
// an executor of its own that counts work (as Asio's group completion
// handler holds a tracked executor).
template <typename Handler>
struct parallel_group_work {
  explicit parallel_group_work(const Handler& /*handler*/) noexcept {}
  void reset() noexcept {}
};
template <typename Handler>
requires(::rill::detail::has_own_executor<Handler, system_executor>&& requires(
    const associated_executor_t<Handler>& ex) {
  ex.on_work_started();
}) struct parallel_group_work<Handler> {
  explicit parallel_group_work(const Handler& handler)
      : work_(std::in_place, get_associated_executor(handler)) {}
  void reset() noexcept { work_.reset(); }
  std::optional<executor_work_guard<associated_executor_t<Handler>>> work_;
};

template <typename State>
class parallel_group_cancellation_handler;

// Everything the group shares, in one block from the final handler's
// associated allocator: the per-operation signals, the results as they
// arrive, the completion order, the handler. It lives while any operation
// is outstanding and is freed before the handler runs.
template <typename Condition, typename Handler, typename... Ops>
class parallel_group_state {
 public:
  static constexpr std::size_t size = sizeof...(Ops);
  using results_type = std::tuple<std::optional<
      typename parallel_signature_args<completion_signature_of_t<Ops>>::result_type>...>;

  template <typename C, typename H>
  parallel_group_state(C&& condition, H&& handler, cancellation_slot user_slot)
      : condition_(std::forward<C>(condition)),
        handler_(std::forward<H>(handler)),
        work_(handler_),
        user_slot_(user_slot) {}

  [[nodiscard]] cancellation_slot op_slot(std::size_t index) noexcept {
    return signals_[index].slot();
  }

  // Handlers of operation I alive (copies included). The operation's share
  // of the group ends when the last one goes: normally the one invoked,
  // otherwise (never invoked: its context was destroyed, or its initiating
  // function threw) the group can never complete, and its handler will be
  // destroyed, never invoked.
  void add_ref(std::size_t index) noexcept { refs_[index].fetch_add(1, std::memory_order_relaxed); }
  void drop_ref(std::size_t index) {
    if (refs_[index].fetch_sub(1, std::memory_order_acq_rel) == 1) {
      if (!done_[index]) abandoned_.store(true, std::memory_order_relaxed);
      release();
    }
  }

  // Operation I completed with args.
  template <std::size_t I, typename... Args>
  void complete_op(Args&&... args) {
    done_[I] = true;
    order_[completed_.fetch_add(1, std::memory_order_relaxed)] = I;
    const cancellation_type type = condition_(args...);
    std::get<I>(results_).emplace(std::forward<Args>(args)...);
    if (type != cancellation_type::none) {
      cancel_type_.store(type, std::memory_order_relaxed);
      // Only the first request (an operation's, or the group's own slot's)
      // emits. An operation that has already completed ignores it.
      if (cancellations_requested_.fetch_add(1, std::memory_order_acq_rel) == 0) {
        for (std::size_t i = 0; i < size; ++i) {
          if (i != I) signals_[i].emit(type);
        }
      }
    }
  }

  // The group's own cancellation slot was emitted.
  void cancel_all(cancellation_type type) {
    if (cancellations_requested_.fetch_add(1, std::memory_order_acq_rel) == 0) {
      for (auto& signal : signals_) signal.emit(type);
    }
  }

  template <std::size_t... I>
  static void launch(parallel_group_state* state, std::tuple<Ops...>& ops,
                     std::index_sequence<I...> /*indices*/);

 private:
  template <typename S>
  friend class parallel_group_cancellation_handler;

  void release() {
    if (outstanding_.fetch_sub(1, std::memory_order_acq_rel) == 1) finish();
  }

  void finish() {
    auto alloc = get_associated_allocator(handler_);
    if (abandoned_.load(std::memory_order_relaxed)) {
      // The user's slot is not touched: it may be gone with the context.
      ::rill::detail::deallocate_operation(alloc, this);
      return;
    }
    // Emitting the group's slot after completion must be harmless: take the
    // group's handler out of it, unless the user installed another since.
    if (group_handler_ != nullptr &&
        cancellation_slot_access::installed_handler(user_slot_) == group_handler_) {
      user_slot_.clear();
    }
    invoke(std::make_index_sequence<size>());
  }

  template <std::size_t... I>
  void invoke(std::index_sequence<I...> /*indices*/) {
    // Move what the upcall needs to the stack and free the state first: the
    // handler may start another group in the same memory.
    auto alloc = get_associated_allocator(handler_);
    Handler handler(std::move(handler_));
    parallel_group_work<Handler> work(std::move(work_));
    auto args = std::tuple_cat(std::tuple<std::array<std::size_t, size>>(order_),
                               std::move(*std::get<I>(results_))...);
    ::rill::detail::deallocate_operation(alloc, this);
    std::apply(
        [&handler](auto&... a) {
          rill::dispatch(::rill::detail::bind_handler(std::move(handler), std::move(a)...));
        },
        args);
    work.reset();
  }

  using cancellation_slot_access = ::rill::detail::cancellation_slot_access;

  // Starts at size + 1: one count per operation, and one held by the
  // launcher until every operation is started, so that operations finishing
  // on other threads meanwhile cannot free the state under it.
  std::atomic<std::size_t> outstanding_{size + 1};
  std::atomic<std::size_t> completed_{0};
  // Starts at size, so that no operation's request emits before all are
  // started; the launcher then emits any request made meanwhile.
  std::atomic<std::size_t> cancellations_requested_{size};
  std::atomic<cancellation_type> cancel_type_{cancellation_type::none};
  std::atomic<bool> abandoned_{false};
  std::atomic<std::size_t> refs_[size] = {};
  bool done_[size] = {};
  cancellation_signal signals_[size];
  [[no_unique_address]] Condition condition_;
  Handler handler_;
  [[no_unique_address]] parallel_group_work<Handler> work_;
  std::array<std::size_t, size> order_{};
  results_type results_;
  cancellation_slot user_slot_;
  const void* group_handler_ = nullptr;
};

// The handler of operation I: records its results in the state. Its slot
// is the operation's own signal, through which the group cancels it. It may
// be copied (an operation function takes its token by value and passes it
// on as an lvalue); the state counts the copies.
template <std::size_t I, typename State>
class parallel_group_op_handler {
 public:
  using cancellation_slot_type = cancellation_slot;

  explicit parallel_group_op_handler(State* state) noexcept : state_(state) { state_->add_ref(I); }
  parallel_group_op_handler(const parallel_group_op_handler& other) noexcept
      : state_(other.state_) {
    if (state_ != nullptr) state_->add_ref(I);
  }
  parallel_group_op_handler(parallel_group_op_handler&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)) {}
  parallel_group_op_handler& operator=(const parallel_group_op_handler&) = delete;
  parallel_group_op_handler& operator=(parallel_group_op_handler&&) = delete;
  ~parallel_group_op_handler() {
    if (state_ != nullptr) state_->drop_ref(I);
  }

  [[nodiscard]] cancellation_slot_type get_cancellation_slot() const noexcept {
    return state_ != nullptr ? state_->op_slot(I) : cancellation_slot();
  }

  template <typename... Args>
  void operator()(Args... args) {
    State* state = std::exchange(state_, nullptr);
    state->template complete_op<I>(std::move(args)...);
    state->drop_ref(I);  // the last operation's last handler completes the group
  }

 private:
  State* state_;
};

// Installed in the final handler's slot: cancels every operation.
template <typename State>
class parallel_group_cancellation_handler {
 public:
  explicit parallel_group_cancellation_handler(State* state) noexcept : state_(state) {}
  void operator()(cancellation_type type) {
    if (type != cancellation_type::none) state_->cancel_all(type);
  }

 private:
  State* state_;
};

template <typename Condition, typename Handler, typename... Ops>
template <std::size_t... I>
void parallel_group_state<Condition, Handler, Ops...>::launch(parallel_group_state* state,
                                                              std::tuple<Ops...>& ops,
                                                              std::index_sequence<I...>) {
  std::size_t launched = 0;
  try {
    ((std::move(std::get<I>(ops))(parallel_group_op_handler<I, parallel_group_state>(state)),
      ++launched),
     ...);
  } catch (...) {
    // The operation that threw gave up its handler (every copy destroyed:
    // abandoned); those after it never got one. The group will not complete; its state
    // goes once the operations already started are done.
    if (launched + 1 < size) {
      state->abandoned_.store(true, std::memory_order_relaxed);
      state->outstanding_.fetch_sub(size - launched - 1, std::memory_order_acq_rel);
    }
    state->release();
    throw;
  }

  // Requests made by operations that completed while others were starting.
  if (state->cancellations_requested_.fetch_sub(size, std::memory_order_acq_rel) > size) {
    const cancellation_type type = state->cancel_type_.load(std::memory_order_relaxed);
    for (auto& signal : state->signals_) signal.emit(type);
  }

  // The group itself can be cancelled through the final handler's slot.
  if (state->user_slot_.is_connected()) {
    state->group_handler_ =
        &state->user_slot_
             .template emplace<parallel_group_cancellation_handler<parallel_group_state>>(state);
  }
  state->release();
}

template <typename Condition, typename Handler, typename... Ops>
void parallel_group_launch(Condition&& condition, Handler&& handler, std::tuple<Ops...>& ops) {
  using state_type = parallel_group_state<std::decay_t<Condition>, std::decay_t<Handler>, Ops...>;
  const cancellation_slot user_slot = ::rill::detail::handler_cancellation_slot(handler);
  auto alloc = get_associated_allocator(handler);
  state_type* state = ::rill::detail::allocate_operation<state_type>(
      alloc, std::forward<Condition>(condition), std::forward<Handler>(handler), user_slot);
  state_type::launch(state, ops, std::make_index_sequence<sizeof...(Ops)>());
}

}  // namespace detail

// A group of asynchronous operations launched together, as Asio's
// experimental::parallel_group. Each operation is a function object that
// launches it when called with a completion token
// ([&](auto token) { return timer.async_wait(token); }) or a deferred
// operation (timer.async_wait(rill::deferred)).
template <typename... Ops>
class parallel_group {
 public:
  explicit parallel_group(Ops... ops) : ops_(std::move(ops)...) {}

  // The group's completion signature: void(std::array<std::size_t, N>
  // completion_order, the results of operation 0..., of operation 1...,
  // ...).
  using signature =
      typename detail::parallel_group_signature<sizeof...(Ops),
                                                completion_signature_of_t<Ops>...>::type;

  // Launches every operation and completes once all have completed.
  // cancellation_condition (wait_for_all, wait_for_one, wait_for_one_error,
  // wait_for_one_success, or any function object taking an operation's
  // results and returning a cancellation_type) is called with each
  // operation's results as it completes; the first time it returns other
  // than cancellation_type::none, the operations not yet finished are
  // cancelled with that type through their own cancellation slots.
  // Emitting the final handler's associated cancellation slot cancels every
  // operation. The group's state is allocated with the final handler's
  // associated allocator and freed before the handler runs; the handler is
  // dispatched to its associated executor (invoked at once if it has none).
  template <typename CancellationCondition, typename CompletionToken>
  decltype(auto) async_wait(CancellationCondition cancellation_condition, CompletionToken&& token) {
    return async_initiate<CompletionToken, signature>(
        initiate_async_wait(), token, std::move(cancellation_condition), std::move(ops_));
  }

 private:
  struct initiate_async_wait {
    template <typename Handler, typename Condition>
    void operator()(Handler&& handler, Condition&& condition, std::tuple<Ops...>&& ops) const {
      detail::parallel_group_launch(std::forward<Condition>(condition),
                                    std::forward<Handler>(handler), ops);
    }
  };

  std::tuple<Ops...> ops_;
};

template <typename... Ops>
[[nodiscard]] parallel_group<Ops...> make_parallel_group(Ops... ops) {
  return parallel_group<Ops...>(std::move(ops)...);
}

}  // namespace rill::experimental
