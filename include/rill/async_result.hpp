// rill/async_result.hpp - turning a completion token into a handler.
#pragma once

#include <type_traits>
#include <utility>

namespace rill {

namespace detail {
template <typename T>
struct is_function_signature : std::false_type {};
template <typename R, typename... Args>
struct is_function_signature<R(Args...)> : std::true_type {};
template <typename R, typename... Args>
struct is_function_signature<R(Args...)&> : std::true_type {};
template <typename R, typename... Args>
struct is_function_signature<R(Args...) &&> : std::true_type {};
template <typename R, typename... Args>
struct is_function_signature<R(Args...) noexcept> : std::true_type {};
}  // namespace detail

// A completion signature such as void(std::error_code, std::size_t).
template <typename T>
concept completion_signature = detail::is_function_signature<T>::value;

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

// Launches an asynchronous operation: hands initiation and token to the
// token's async_result, which decides what the initiating function returns.
template <typename CompletionToken, completion_signature... Signatures, typename Initiation,
          typename... Args>
decltype(auto) async_initiate(Initiation&& initiation, std::type_identity_t<CompletionToken>& token,
                              Args&&... args) {
  return async_result<std::decay_t<CompletionToken>, Signatures...>::initiate(
      std::forward<Initiation>(initiation), std::forward<CompletionToken>(token),
      std::forward<Args>(args)...);
}

}  // namespace rill
