// rill/async_result.hpp - turning a completion token into a handler.
//
// The completion-token protocol of Asio 1.22: every rill initiating function
// calls async_initiate<Token, Signatures...>(initiation, token, args...), and
// async_result<decay_t<Token>, Signatures...> decides how the token becomes a
// handler and what the initiating function returns. Tokens specialise
// async_result with a static initiate() (the modern form) or with the legacy
// completion_handler_type / constructor / get() form; both are accepted.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

namespace rill {

// True for function types usable as completion signatures:
// void(std::error_code, std::size_t), and their & / && / noexcept forms.
template <typename T>
struct is_completion_signature : std::false_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...)> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...)&> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...) &&> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...) noexcept> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...)& noexcept> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...)&& noexcept> : std::true_type {};

template <typename T>
concept completion_signature = is_completion_signature<T>::value;

namespace detail {
template <typename T>
using is_function_signature = is_completion_signature<T>;

// Whether a T can be called as the signature says.
template <typename T, typename Signature>
struct callable_with : std::false_type {};
template <typename T, typename R, typename... Args>
struct callable_with<T, R(Args...)> : std::bool_constant<std::is_invocable_v<T, Args...>> {};
template <typename T, typename R, typename... Args>
struct callable_with<T, R(Args...)&> : std::bool_constant<std::is_invocable_v<T&, Args...>> {};
template <typename T, typename R, typename... Args>
struct callable_with<T, R(Args...) &&> : std::bool_constant<std::is_invocable_v<T&&, Args...>> {};
template <typename T, typename R, typename... Args>
struct callable_with<T, R(Args...) noexcept>
    : std::bool_constant<std::is_nothrow_invocable_v<T, Args...>> {};
template <typename T, typename R, typename... Args>
struct callable_with<T, R(Args...)& noexcept>
    : std::bool_constant<std::is_nothrow_invocable_v<T&, Args...>> {};
template <typename T, typename R, typename... Args>
struct callable_with<T, R(Args...)&& noexcept>
    : std::bool_constant<std::is_nothrow_invocable_v<T&&, Args...>> {};
}  // namespace detail

// A completion handler for the signatures: a move-constructible function
// object that can be called with each of them.
template <typename T, typename... Signatures>
concept completion_handler_for =
    (completion_signature<Signatures> && ...) && std::move_constructible<std::decay_t<T>> &&
    (detail::callable_with<std::decay_t<T>, Signatures>::value && ...);

template <typename T, typename... Signatures>
struct is_completion_handler_for : std::bool_constant<completion_handler_for<T, Signatures...>> {};

// How an asynchronous operation's completion token becomes its handler and
// what the initiating function returns. The primary template covers tokens
// that are themselves handlers (function objects): the operation is launched
// and the initiating function returns void. Other tokens (use_future,
// use_awaitable, deferred, ...) specialise it.
template <typename CompletionToken, completion_signature... Signatures>
class async_result {
 public:
  using completion_handler_type = CompletionToken;
  using return_type = void;

  explicit async_result(completion_handler_type& /*h*/) {}
  async_result(const async_result&) = delete;
  async_result& operator=(const async_result&) = delete;

  return_type get() {}

  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static return_type initiate(Initiation&& initiation, RawCompletionToken&& token, Args&&... args) {
    std::forward<Initiation>(initiation)(std::forward<RawCompletionToken>(token),
                                         std::forward<Args>(args)...);
  }
};

// async_result<void, ...> names only the return type, as in Asio.
template <completion_signature... Signatures>
class async_result<void, Signatures...> {};

// The legacy helper for tokens whose async_result has no initiate(): builds
// the handler from the token and links the result object to it.
template <typename CompletionToken, completion_signature... Signatures>
struct async_completion {
  using completion_handler_type =
      typename async_result<std::decay_t<CompletionToken>, Signatures...>::completion_handler_type;

  explicit async_completion(CompletionToken& token)
      : completion_handler(static_cast<handler_init_t>(token)), result(completion_handler) {}

  // When the token is the handler itself (moved in), keep a reference to it
  // rather than a copy, as Asio does.
  using handler_init_t =
      std::conditional_t<std::is_same_v<CompletionToken, completion_handler_type>,
                         completion_handler_type&&, CompletionToken&&>;
  std::conditional_t<std::is_same_v<CompletionToken, completion_handler_type>,
                     completion_handler_type&, completion_handler_type>
      completion_handler;
  async_result<std::decay_t<CompletionToken>, Signatures...> result;
};

namespace detail {
struct initiate_probe_base {
  void initiate();
};
template <typename T>
struct initiate_probe : T, initiate_probe_base {};

// A class whose initiate member exists makes &initiate_probe<T>::initiate
// ambiguous; only initiate_probe_base's makes it well-formed.
template <typename T>
concept has_no_initiate_member = requires {
  &initiate_probe<T>::initiate;
};

template <typename T>
concept has_initiate_member =
    std::is_class_v<T> && !std::is_final_v<T> && !has_no_initiate_member<T>;
}  // namespace detail

// Launches an asynchronous operation: hands initiation and token to the
// token's async_result, which decides what the initiating function returns.
template <typename CompletionToken, completion_signature... Signatures, typename Initiation,
          typename... Args>
decltype(auto) async_initiate(Initiation&& initiation, std::type_identity_t<CompletionToken>& token,
                              Args&&... args) {
  using result_t = async_result<std::decay_t<CompletionToken>, Signatures...>;
  if constexpr (detail::has_initiate_member<result_t>) {
    return result_t::initiate(std::forward<Initiation>(initiation),
                              std::forward<CompletionToken>(token), std::forward<Args>(args)...);
  } else {
    async_completion<CompletionToken, Signatures...> completion(token);
    std::forward<Initiation>(initiation)(std::move(completion.completion_handler),
                                         std::forward<Args>(args)...);
    return completion.result.get();
  }
}

// What a token may be for the signatures: anything with an async_result.
// Used by RILL_COMPLETION_TOKEN_FOR in user code written for Asio.
template <typename T, typename... Signatures>
concept completion_token_for = (completion_signature<Signatures> && ...) && requires(T&& t) {
  async_initiate<T, Signatures...>([](auto&&...) {}, t);
};

#define RILL_COMPLETION_TOKEN_FOR(sig) ::rill::completion_token_for<sig>
#define RILL_COMPLETION_HANDLER_FOR(sig) ::rill::completion_handler_for<sig>

// The token an I/O object's initiating functions use when none is given:
// T::default_completion_token_type where T (an executor) names one, otherwise
// void (no default), as in Asio.
template <typename T>
struct default_completion_token {
  using type = void;
};
template <typename T>
requires requires { typename T::default_completion_token_type; }
struct default_completion_token<T> {
  using type = typename T::default_completion_token_type;
};

template <typename T>
using default_completion_token_t = typename default_completion_token<T>::type;

#define RILL_DEFAULT_COMPLETION_TOKEN_TYPE(e) = typename ::rill::default_completion_token<e>::type
#define RILL_DEFAULT_COMPLETION_TOKEN(e) = typename ::rill::default_completion_token<e>::type()

// The completion signature(s) of a deferred asynchronous operation (an object
// that, called with a token, launches the operation): found through its
// nested completion_signatures or, for a single one, its signature member.
template <typename T>
struct completion_signature_of;
template <typename T>
requires requires { typename std::decay_t<T>::completion_signature; }
struct completion_signature_of<T> {
  using type = typename std::decay_t<T>::completion_signature;
};

namespace detail {
// The token that asks a deferred operation for its signature without
// launching anything, as Asio's completion_signature_probe: its async_result
// returns, from async_initiate, an empty object carrying the signature.
struct completion_signature_probe {};

template <typename... Signatures>
struct completion_signature_probe_result {};
template <typename Signature>
struct completion_signature_probe_result<Signature> {
  using type = Signature;
};

template <typename T>
concept has_nested_completion_signature = requires {
  typename std::decay_t<T>::completion_signature;
};

template <typename T>
concept has_probed_completion_signature =
    std::is_invocable_v<T, completion_signature_probe> && requires {
  typename std::invoke_result_t<T, completion_signature_probe>::type;
};

template <typename T>
concept has_only_probed_completion_signature =
    !has_nested_completion_signature<T> && has_probed_completion_signature<T>;
}  // namespace detail

template <completion_signature... Signatures>
class async_result<detail::completion_signature_probe, Signatures...> {
 public:
  using return_type = detail::completion_signature_probe_result<Signatures...>;

  template <typename Initiation, typename... InitArgs>
  static return_type initiate(Initiation&& /*initiation*/,
                              detail::completion_signature_probe /*token*/,
                              InitArgs&&... /*args*/) {
    return return_type{};
  }
};

// A function object that launches an operation when called with a token
// (the form make_parallel_group takes: [&](auto token) { return
// timer.async_wait(token); }): called, in an unevaluated context only, with
// the probe token.
template <typename T>
requires detail::has_only_probed_completion_signature<T>
struct completion_signature_of<T> {
  using type = typename std::invoke_result_t<T, detail::completion_signature_probe>::type;
};

template <typename T>
using completion_signature_of_t = typename completion_signature_of<T>::type;

}  // namespace rill
