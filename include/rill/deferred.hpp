// rill/deferred.hpp - a completion token that turns an asynchronous operation
// into a function object that launches it later.
//
// Asio 1.22 has these names in asio::experimental (Asio 1.25 moved them to
// asio); rill defines them once here, in rill, and
// <rill/experimental/deferred.hpp> makes them available under
// rill::experimental too.
//
//   auto op = timer.async_wait(rill::deferred);  // nothing started yet
//   std::move(op)(handler);                       // now the wait starts
//
// A deferred operation holds the initiation and its arguments by value and
// allocates nothing; the operation it launches allocates through the final
// handler's associated allocator, which the links of a chain
// (op | deferred(fn) | handler) forward.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associator.hpp>
#include <rill/async_result.hpp>

namespace rill {

// True for objects usable as deferred operations (and as the branches of a
// deferred conditional). Specialise it for user-defined deferred objects.
template <typename T>
struct is_deferred : std::false_type {};

namespace detail {
template <typename T>
concept deferred_object = is_deferred<T>::value;
template <typename T>
concept deferred_decayed = is_deferred<std::decay_t<T>>::value;
}  // namespace detail

// Names several completion signatures for one deferred_async_operation (as
// in Asio 1.25): deferred_async_operation<deferred_signatures<S1, S2>, ...>.
template <completion_signature... Signatures>
struct deferred_signatures {};

// Tag type to disambiguate deferred constructors.
struct deferred_init_tag {};

namespace detail {

// The signature of the operation that Tail returns when called with the
// completion arguments of the head: its nested completion_signature or, for
// a conditional, what async_result.hpp's probe token finds when the returned
// object is called with it in an unevaluated context.
template <typename HeadSignature, typename Tail>
struct deferred_sequence_signature;

template <typename R, typename... Args, typename Tail>
struct deferred_sequence_signature<R(Args...), Tail> {
  static_assert(!std::is_void_v<std::invoke_result_t<Tail, Args...>>,
                "deferred functions must produce a deferred return type");
  using type = completion_signature_of_t<std::invoke_result_t<Tail, Args...>>;
};
template <typename R, typename... Args, typename Tail>
struct deferred_sequence_signature<R(Args...)&&, Tail>
    : deferred_sequence_signature<R(Args...), Tail> {};
template <typename R, typename... Args, typename Tail>
struct deferred_sequence_signature<R(Args...) noexcept, Tail>
    : deferred_sequence_signature<R(Args...), Tail> {};
template <typename R, typename... Args, typename Tail>
struct deferred_sequence_signature<R(Args...)&& noexcept, Tail>
    : deferred_sequence_signature<R(Args...), Tail> {};

// The completion handler given to the head of a sequence: calls the tail
// with the head's results and launches what it returns with the real
// handler. Its associations are the real handler's (see associator below),
// so the next operation allocates through the same allocator.
template <typename Handler, typename Tail>
class deferred_sequence_handler {
 public:
  template <typename H, typename T>
  deferred_sequence_handler(H&& handler, T&& tail)
      : handler_(std::forward<H>(handler)), tail_(std::forward<T>(tail)) {}

  template <typename... Args>
  void operator()(Args&&... args) {
    std::move(tail_)(std::forward<Args>(args)...)(std::move(handler_));
  }

  [[nodiscard]] const Handler& handler() const noexcept { return handler_; }

 private:
  Handler handler_;
  Tail tail_;
};

// The storage and launch shared by both forms of deferred_async_operation.
template <typename SignatureList, typename Initiation, typename... InitArgs>
class deferred_operation_base;

template <typename... Signatures, typename Initiation, typename... InitArgs>
class deferred_operation_base<deferred_signatures<Signatures...>, Initiation, InitArgs...> {
 public:
  template <typename I, typename... A>
  constexpr explicit deferred_operation_base(deferred_init_tag /*tag*/, I&& initiation,
                                             A&&... init_args)
      : initiation_(std::forward<I>(initiation)), init_args_(std::forward<A>(init_args)...) {}

  // Launches the operation, consuming the stored initiation and arguments.
  template <completion_token_for<Signatures...> CompletionToken>
  decltype(auto) operator()(CompletionToken&& token) && {
    return std::apply(
        [&](auto&&... args) -> decltype(auto) {
          return async_initiate<CompletionToken, Signatures...>(
              std::move(initiation_), token, std::forward<decltype(args)>(args)...);
        },
        std::move(init_args_));
  }

  // Launches a copy, so that the operation may be launched again.
  template <completion_token_for<Signatures...> CompletionToken>
  decltype(auto) operator()(CompletionToken&& token) const& {
    return deferred_operation_base(*this)(std::forward<CompletionToken>(token));
  }

 private:
  Initiation initiation_;
  std::tuple<InitArgs...> init_args_;
};

}  // namespace detail

// Used to represent an empty deferred action: the missing branch of a
// deferred conditional.
struct deferred_noop {
  template <typename... Args>
  void operator()(Args&&... /*args*/) && {}
  template <typename... Args>
  void operator()(Args&&... /*args*/) const& {}
};

template <>
struct is_deferred<deferred_noop> : std::true_type {};

// Wraps a function object so that it may be used as an element in a deferred
// composition: given as a token, it receives the operation's completion
// arguments and returns the next deferred operation.
template <typename Function>
class deferred_function {
 public:
  template <typename F>
  constexpr explicit deferred_function(deferred_init_tag /*tag*/, F&& function)
      : function_(std::forward<F>(function)) {}

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) && {
    return std::move(function_)(std::forward<Args>(args)...);
  }

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) const& {
    return deferred_function(*this)(std::forward<Args>(args)...);
  }

  // Public as in Asio: async_result<deferred_function> takes it out.
  Function function_;
};

template <typename Function>
struct is_deferred<deferred_function<Function>> : std::true_type {};

// A deferred operation that completes at once, inside the launching call,
// with the stored values. Completion signature: void(Values...).
template <typename... Values>
class [[nodiscard]] deferred_values {
 public:
  using completion_signature = void(Values...);

  template <typename... V>
  constexpr explicit deferred_values(deferred_init_tag /*tag*/, V&&... values)
      : values_(std::forward<V>(values)...) {}

  template <completion_token_for<void(Values...)> CompletionToken>
  decltype(auto) operator()(CompletionToken&& token) && {
    return std::apply(
        [&](auto&&... values) -> decltype(auto) {
          return async_initiate<CompletionToken, void(Values...)>(
              initiate(), token, std::forward<decltype(values)>(values)...);
        },
        std::move(values_));
  }

  template <completion_token_for<void(Values...)> CompletionToken>
  decltype(auto) operator()(CompletionToken&& token) const& {
    return deferred_values(*this)(std::forward<CompletionToken>(token));
  }

 private:
  struct initiate {
    // The handler is taken by value, as Asio does, so an lvalue handler
    // given as the token is copied rather than consumed.
    template <typename Handler, typename... V>
    void operator()(Handler handler, V&&... values) const {
      std::move(handler)(std::forward<V>(values)...);
    }
  };

  std::tuple<Values...> values_;
};

template <typename... Values>
struct is_deferred<deferred_values<Values...>> : std::true_type {};

// An asynchronous operation whose launch is deferred: the initiation and its
// arguments, stored by value, launched by calling the object with a token.
// The completion signature is exposed as the nested completion_signature.
template <typename Signature, typename Initiation, typename... InitArgs>
class [[nodiscard]] deferred_async_operation
    : public detail::deferred_operation_base<deferred_signatures<Signature>,
                                             std::decay_t<Initiation>, std::decay_t<InitArgs>...> {
  using base = detail::deferred_operation_base<deferred_signatures<Signature>,
                                               std::decay_t<Initiation>, std::decay_t<InitArgs>...>;

 public:
  using completion_signature = Signature;

  template <typename I, typename... A>
  constexpr explicit deferred_async_operation(deferred_init_tag /*tag*/, I&& initiation,
                                              A&&... init_args)
      : base(deferred_init_tag{}, std::forward<I>(initiation), std::forward<A>(init_args)...) {}
};

// The same for an operation with several completion signatures.
template <typename... Signatures, typename Initiation, typename... InitArgs>
class [[nodiscard]] deferred_async_operation<deferred_signatures<Signatures...>, Initiation,
                                             InitArgs...>
    : public detail::deferred_operation_base<deferred_signatures<Signatures...>,
                                             std::decay_t<Initiation>, std::decay_t<InitArgs>...> {
  using base = detail::deferred_operation_base<deferred_signatures<Signatures...>,
                                               std::decay_t<Initiation>, std::decay_t<InitArgs>...>;

 public:
  template <typename I, typename... A>
  constexpr explicit deferred_async_operation(deferred_init_tag /*tag*/, I&& initiation,
                                              A&&... init_args)
      : base(deferred_init_tag{}, std::forward<I>(initiation), std::forward<A>(init_args)...) {}
};

template <typename Signature, typename Initiation, typename... InitArgs>
struct is_deferred<deferred_async_operation<Signature, Initiation, InitArgs...>> : std::true_type {
};

// Two consecutive operations: the head is launched first; its completion
// arguments go to the tail, a function returning the next deferred
// operation, which is launched with the sequence's token. The sequence's
// completion signature is that of the operation the tail returns.
template <typename Head, typename Tail>
class [[nodiscard]] deferred_sequence {
 public:
  using completion_signature =
      typename detail::deferred_sequence_signature<completion_signature_of_t<Head>, Tail>::type;

  template <typename H, typename T>
  constexpr explicit deferred_sequence(deferred_init_tag /*tag*/, H&& head, T&& tail)
      : head_(std::forward<H>(head)), tail_(std::forward<T>(tail)) {}

  template <completion_token_for<completion_signature> CompletionToken>
  decltype(auto) operator()(CompletionToken&& token) && {
    return async_initiate<CompletionToken, completion_signature>(
        initiate(), token, std::move(head_), std::move(tail_));
  }

  template <completion_token_for<completion_signature> CompletionToken>
  decltype(auto) operator()(CompletionToken&& token) const& {
    return deferred_sequence(*this)(std::forward<CompletionToken>(token));
  }

 private:
  struct initiate {
    template <typename Handler>
    void operator()(Handler&& handler, Head head, Tail&& tail) const {
      std::move(head)(detail::deferred_sequence_handler<std::decay_t<Handler>, Tail>(
          std::forward<Handler>(handler), std::move(tail)));
    }
  };

  Head head_;
  Tail tail_;
};

template <typename Head, typename Tail>
struct is_deferred<deferred_sequence<Head, Tail>> : std::true_type {};

// A branch chosen by a value known when a deferred function runs:
//   deferred.when(!ec).then(op_a).otherwise(op_b)
// Called (with a token), it calls the chosen branch the same way. Both
// branches must return the same type for the token (void for a handler).
template <typename OnTrue = deferred_noop, typename OnFalse = deferred_noop>
class [[nodiscard]] deferred_conditional {
  static constexpr bool has_true_branch = !std::is_same_v<OnTrue, deferred_noop>;
  static constexpr bool has_false_branch = !std::is_same_v<OnFalse, deferred_noop>;

 public:
  constexpr explicit deferred_conditional(bool b) : on_true_(), on_false_(), bool_(b) {}

  template <typename... Args>
  auto operator()(Args&&... args) && {
    if (bool_) {
      return std::move(on_true_)(std::forward<Args>(args)...);
    } else {
      return std::move(on_false_)(std::forward<Args>(args)...);
    }
  }

  template <typename... Args>
  auto operator()(Args&&... args) const& {
    return deferred_conditional(*this)(std::forward<Args>(args)...);
  }

  // Sets the true branch; only once, and before the false one.
  template <typename T>
  deferred_conditional<T, OnFalse> then(T on_true) && {
    static_assert(is_deferred<T>::value, "then() takes a deferred operation");
    static_assert(!has_true_branch, "then() may be called only once");
    return deferred_conditional<T, OnFalse>(bool_, std::move(on_true), std::move(on_false_));
  }

  // Sets the false branch, after the true one.
  template <typename T>
  deferred_conditional<OnTrue, T> otherwise(T on_false) && {
    static_assert(is_deferred<T>::value, "otherwise() takes a deferred operation");
    static_assert(has_true_branch, "otherwise() must follow then()");
    static_assert(!has_false_branch, "otherwise() may be called only once");
    return deferred_conditional<OnTrue, T>(bool_, std::move(on_true_), std::move(on_false));
  }

 private:
  template <typename T, typename F>
  friend class deferred_conditional;

  template <typename T, typename F>
  constexpr deferred_conditional(bool b, T&& on_true, F&& on_false)
      : on_true_(std::forward<T>(on_true)), on_false_(std::forward<F>(on_false)), bool_(b) {}

  OnTrue on_true_;
  OnFalse on_false_;
  bool bool_;
};

template <typename OnTrue, typename OnFalse>
struct is_deferred<deferred_conditional<OnTrue, OnFalse>> : std::true_type {};

// The completion token: an initiating function given rill::deferred returns
// a deferred_async_operation instead of launching the operation.
class deferred_t {
 public:
  constexpr deferred_t() = default;

  // An executor adapter that makes deferred_t the default completion token
  // of the I/O objects using it.
  template <typename InnerExecutor>
  struct executor_with_default : InnerExecutor {
    using default_completion_token_type = deferred_t;

    // Implicit, as in Asio, so that an I/O object converts its executor.
    template <typename InnerExecutor1>
    executor_with_default(const InnerExecutor1& ex) noexcept
        requires(!std::is_same_v<InnerExecutor1, executor_with_default> &&
                 std::is_convertible_v<InnerExecutor1, InnerExecutor>)
        : InnerExecutor(ex) {}
  };

  // An I/O object type whose default completion token is deferred_t.
  template <typename T>
  using as_default_on_t =
      typename T::template rebind_executor<executor_with_default<typename T::executor_type>>::other;

  // Converts an I/O object to one whose default completion token is
  // deferred_t.
  template <typename T>
  static typename std::decay_t<T>::template rebind_executor<
      executor_with_default<typename std::decay_t<T>::executor_type>>::other
  as_default_on(T&& object) {
    return typename std::decay_t<T>::template rebind_executor<executor_with_default<
        typename std::decay_t<T>::executor_type>>::other(std::forward<T>(object));
  }

  // deferred(fn): a token that passes the completion arguments to fn, which
  // returns the next deferred operation.
  template <typename Function>
  constexpr deferred_function<std::decay_t<Function>> operator()(Function&& function) const
      requires(!detail::deferred_decayed<Function>) {
    return deferred_function<std::decay_t<Function>>(deferred_init_tag{},
                                                     std::forward<Function>(function));
  }

  // Anything already deferred passes through unchanged.
  template <detail::deferred_decayed T>
  constexpr std::decay_t<T> operator()(T&& t) const {
    return std::forward<T>(t);
  }

  // A deferred operation that completes with the given values.
  template <typename... Args>
  static constexpr deferred_values<std::decay_t<Args>...> values(Args&&... args) {
    return deferred_values<std::decay_t<Args>...>(deferred_init_tag{}, std::forward<Args>(args)...);
  }

  // Starts a conditional: deferred.when(b).then(x).otherwise(y).
  static constexpr deferred_conditional<> when(bool b) { return deferred_conditional<>(b); }
};

// Chains deferred operations: op | deferred(fn) | token is op(deferred(fn))(token).
template <detail::deferred_object Head, typename Tail>
auto operator|(Head head, Tail&& tail) -> decltype(std::move(head)(std::forward<Tail>(tail))) {
  return std::move(head)(std::forward<Tail>(tail));
}

// The special value, as std::nothrow: timer.async_wait(rill::deferred).
inline constexpr deferred_t deferred;

// An initiating function given deferred returns the deferred operation.
namespace detail {
// One signature names itself, as in Asio 1.22; several are listed.
template <typename... Signatures>
struct deferred_operation_signature {
  using type = deferred_signatures<Signatures...>;
};
template <typename Signature>
struct deferred_operation_signature<Signature> {
  using type = Signature;
};
}  // namespace detail

template <completion_signature... Signatures>
class async_result<deferred_t, Signatures...> {
  using operation_signature = typename detail::deferred_operation_signature<Signatures...>::type;

 public:
  template <typename Initiation, typename... InitArgs>
  static deferred_async_operation<operation_signature, std::decay_t<Initiation>,
                                  std::decay_t<InitArgs>...>
  initiate(Initiation&& initiation, deferred_t /*token*/, InitArgs&&... args) {
    return deferred_async_operation<operation_signature, std::decay_t<Initiation>,
                                    std::decay_t<InitArgs>...>(
        deferred_init_tag{}, std::forward<Initiation>(initiation), std::forward<InitArgs>(args)...);
  }
};

// An initiating function given deferred(fn) returns the sequence of the
// operation and fn.
template <typename Function, completion_signature Signature>
class async_result<deferred_function<Function>, Signature> {
 public:
  template <typename Initiation, typename Token, typename... InitArgs>
  static auto initiate(Initiation&& initiation, Token&& token, InitArgs&&... init_args) {
    using head_t =
        deferred_async_operation<Signature, std::decay_t<Initiation>, std::decay_t<InitArgs>...>;
    return deferred_sequence<head_t, Function>(
        deferred_init_tag{},
        head_t(deferred_init_tag{}, std::forward<Initiation>(initiation),
               std::forward<InitArgs>(init_args)...),
        std::forward<Token>(token).function_);
  }
};

// The head of a sequence completes into deferred_sequence_handler; the
// operation it starts must see the final handler's allocator, executor and
// (once rill has them) cancellation slot.
template <template <typename, typename> class Associator, typename Handler, typename Tail,
          typename DefaultCandidate>
struct associator<Associator, detail::deferred_sequence_handler<Handler, Tail>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const detail::deferred_sequence_handler<Handler, Tail>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler(), c);
  }
};

}  // namespace rill
