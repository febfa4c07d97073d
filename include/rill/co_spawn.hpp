// rill/co_spawn.hpp - launching a coroutine thread, as Asio's co_spawn.
#pragma once

#include <concepts>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/awaitable.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/detail/bind_handler.hpp>
#include <rill/detail/coro_allocator.hpp>
#include <rill/detail/executor_submit.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/execution_context.hpp>
#include <rill/is_executor.hpp>
// As in Asio, co_spawn.hpp also provides use_awaitable.
#include <rill/use_awaitable.hpp>

namespace rill {

namespace detail {

template <typename T>
struct co_spawn_signature {
  using type = void(std::exception_ptr, T);
};
template <>
struct co_spawn_signature<void> {
  using type = void(std::exception_ptr);
};

// What co_spawn puts in its completion handler's cancellation slot: a signal
// of its own, which the coroutine thread's cancellation state listens to,
// emitted on the coroutine's executor (an emit from another thread must not
// touch the awaited operation there), as Asio does. It lives in the slot's
// memory, so it outlives the coroutine thread; emitting after the thread
// ended reaches nothing.
template <typename Executor>
class co_spawn_cancellation_proxy {
 public:
  explicit co_spawn_cancellation_proxy(const Executor& ex) : executor_(ex) {}

  void operator()(cancellation_type type) {
    cancellation_signal* signal = &signal_;
    executor_submit<submit_kind::dispatch>(
        executor_, [signal, type] { signal->emit(type); }, std::allocator<void>());
  }

  [[nodiscard]] cancellation_slot slot() noexcept { return signal_.slot(); }

 private:
  cancellation_signal signal_;
  Executor executor_;
};

template <typename Alloc>
inline constexpr bool is_default_allocator_v =
    std::is_same_v<typename std::allocator_traits<Alloc>::template rebind_alloc<std::byte>,
                   std::allocator<std::byte>>;

// The bottom of a coroutine thread: the completion handler, the outermost
// awaitable (or the function object that makes it, kept alive as Asio
// keeps it), and the thread's allocator. Allocated through the handler's
// associated allocator; every frame of the thread is allocated through the
// same allocator unless it is the default one.
template <typename T, typename Executor, typename Handler, typename Function>
class spawn_state final : public awaitable_thread<Executor> {
  using alloc_type = associated_allocator_t<Handler>;
  static constexpr bool own_allocator = !is_default_allocator_v<alloc_type>;

 public:
  template <typename H, typename F>
  spawn_state(const Executor& ex, H&& handler, F&& function)
      : awaitable_thread<Executor>(ex, &spawn_state::do_finish, &spawn_state::do_abandon),
        handler_(std::forward<H>(handler)),
        function_(std::forward<F>(function)) {
    if constexpr (own_allocator) {
      erased_.emplace(get_associated_allocator(handler_));
      this->allocator = erased_->ref();
    }
    auto slot = get_associated_cancellation_slot(handler_);
    if (slot.is_connected()) {
      this->proxy_slot =
          slot.template emplace<co_spawn_cancellation_proxy<Executor>>(this->executor).slot();
      this->reset_cancellation_state();
    }
  }

  // Creates the outermost frame (inside the thread's allocator scope) and
  // runs the thread until it first suspends, through the executor.
  void start() {
    try {
      {
        coro_allocator_scope scope(this->allocator);
        if constexpr (std::is_same_v<Function, awaitable<T, Executor>>) {
          top_ = std::move(function_);
        } else {
          top_ = function_();
        }
      }
      top_.rill_frame().promise().thread_ = this;
    } catch (...) {
      destroy(this);
      throw;
    }
    // From here the starter owns the state, also if submitting throws.
    executor_submit<submit_kind::dispatch>(this->executor, starter(this),
                                           get_associated_allocator(handler_));
  }

 private:
  // Posted or dispatched to begin the thread; destroying it unrun (the
  // context went away first) destroys the thread without calling the handler.
  class starter {
   public:
    explicit starter(spawn_state* s) noexcept : state_(s) {}
    starter(starter&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
    starter& operator=(starter&&) = delete;
    ~starter() {
      if (state_ != nullptr) do_abandon(state_);
    }
    void operator()() {
      spawn_state* s = std::exchange(state_, nullptr);
      coro_allocator_scope scope(s->allocator);
      s->top_.rill_frame().resume();
    }

   private:
    spawn_state* state_;
  };

  using value_type = awaitable_value_t<T>;

  static void do_finish(awaitable_thread<Executor>* base) {
    auto* self = static_cast<spawn_state*>(base);
    auto& promise = self->top_.rill_frame().promise();
    std::exception_ptr e = promise.exception();
    std::optional<value_type> value;
    if constexpr (!std::is_void_v<T>) {
      if (!e) value.emplace(std::move(*promise.value()));
    }
    const bool dispatch = self->has_suspended;
    Executor ex = self->executor;
    Handler handler(std::move(self->handler_));
    auto alloc = get_associated_allocator(handler);
    // Frames and the thread's state are returned before the handler runs.
    destroy(self);
    auto handler_ex = get_associated_executor(handler, ex);
    auto deliver = [&](auto&& bound) {
      if (dispatch) {
        executor_submit<submit_kind::dispatch>(handler_ex, std::move(bound), alloc);
      } else {
        executor_submit<submit_kind::post>(handler_ex, std::move(bound), alloc);
      }
    };
    if constexpr (std::is_void_v<T>) {
      deliver(bind_handler(std::move(handler), e));
    } else if (value) {
      deliver(bind_handler(std::move(handler), e, std::move(*value)));
    } else {
      deliver(bind_handler(std::move(handler), e, T()));
    }
  }

  static void do_abandon(awaitable_thread<Executor>* base) {
    destroy(static_cast<spawn_state*>(base));
  }

  static void destroy(spawn_state* self) noexcept {
    // The outermost frame goes first (it owns the inner ones): they are
    // freed through the erased allocator, which lives in *self. The handler
    // is destroyed last, after the memory is returned: it may own the very
    // resource the memory came from (a session's pool).
    Handler handler(std::move(self->handler_));
    self->top_ = awaitable<T, Executor>();
    auto alloc = get_associated_allocator(handler);
    deallocate_operation(alloc, self);
  }

  Handler handler_;
  [[no_unique_address]] Function function_;
  awaitable<T, Executor> top_;
  std::optional<erased_coro_allocator<alloc_type>> erased_;
};

template <typename T, typename Executor, typename Function>
class initiate_co_spawn {
 public:
  template <typename OtherExecutor>
  explicit initiate_co_spawn(const OtherExecutor& ex) : ex_(ex) {}

  using executor_type = Executor;
  [[nodiscard]] executor_type get_executor() const noexcept { return ex_; }

  template <typename Handler, typename F>
  void operator()(Handler&& handler, F&& function) const {
    using state_type = spawn_state<T, Executor, std::decay_t<Handler>, Function>;
    auto alloc = get_associated_allocator(handler);
    allocate_operation<state_type>(alloc, ex_, std::forward<Handler>(handler),
                                   std::forward<F>(function))
        ->start();
  }

 private:
  Executor ex_;
};

template <typename F>
using co_spawn_result_t = std::invoke_result_t<std::decay_t<F>&>;

template <typename T>
struct is_awaitable : std::false_type {};
template <typename T, typename E>
struct is_awaitable<awaitable<T, E>> : std::true_type {};

}  // namespace detail

// Runs the awaitable as a new coroutine thread on ex. Completion signature:
// void(std::exception_ptr) for awaitable<void>, void(std::exception_ptr, T)
// otherwise. The thread starts inside this call if the caller already runs
// on ex (dispatch), as in Asio. Its frames come from the completion handler's
// associated allocator when it has one (bind_allocator(a, detached)).
template <typename Executor, typename T, typename AwaitableExecutor,
          typename CompletionToken = default_completion_token_t<Executor>>
requires detail::any_executor_kind<Executor> && std::is_convertible_v<Executor, AwaitableExecutor>
decltype(auto) co_spawn(const Executor& ex, awaitable<T, AwaitableExecutor> a,
                        CompletionToken&& token = default_completion_token_t<Executor>()) {
  using signature = typename detail::co_spawn_signature<T>::type;
  return async_initiate<CompletionToken, signature>(
      detail::initiate_co_spawn<T, AwaitableExecutor, awaitable<T, AwaitableExecutor>>(ex), token,
      std::move(a));
}

template <typename ExecutionContext, typename T, typename AwaitableExecutor,
          typename CompletionToken =
              default_completion_token_t<typename ExecutionContext::executor_type>>
requires std::derived_from<ExecutionContext, execution_context> &&
    std::is_convertible_v<typename ExecutionContext::executor_type, AwaitableExecutor>
decltype(auto) co_spawn(
    ExecutionContext& ctx, awaitable<T, AwaitableExecutor> a,
    CompletionToken&& token =
        default_completion_token_t<typename ExecutionContext::executor_type>()) {
  return rill::co_spawn(ctx.get_executor(), std::move(a), std::forward<CompletionToken>(token));
}

// As above with a function object returning the awaitable; the function
// object lives until the coroutine thread ends (so a coroutine lambda's
// captures stay valid), and is called with the thread's allocator in force.
template <typename Executor, typename F,
          typename CompletionToken = default_completion_token_t<Executor>>
requires detail::any_executor_kind<Executor> &&
    detail::is_awaitable<detail::co_spawn_result_t<F>>::value decltype(auto)
    co_spawn(const Executor& ex, F&& f,
             CompletionToken&& token = default_completion_token_t<Executor>()) {
  using awaitable_type = detail::co_spawn_result_t<F>;
  using T = typename awaitable_type::value_type;
  using signature = typename detail::co_spawn_signature<T>::type;
  return async_initiate<CompletionToken, signature>(
      detail::initiate_co_spawn<T, typename awaitable_type::executor_type, std::decay_t<F>>(ex),
      token, std::forward<F>(f));
}

template <typename ExecutionContext, typename F,
          typename CompletionToken =
              default_completion_token_t<typename ExecutionContext::executor_type>>
requires std::derived_from<ExecutionContext, execution_context> &&
    detail::is_awaitable<detail::co_spawn_result_t<F>>::value decltype(auto)
    co_spawn(ExecutionContext& ctx, F&& f,
             CompletionToken&& token =
                 default_completion_token_t<typename ExecutionContext::executor_type>()) {
  return rill::co_spawn(ctx.get_executor(), std::forward<F>(f),
                        std::forward<CompletionToken>(token));
}

}  // namespace rill
