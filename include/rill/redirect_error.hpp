// rill/redirect_error.hpp - the completion token adapter that stores the
// operation's error_code in a variable instead of passing it on.
//
//   std::error_code ec;
//   std::size_t n = co_await socket.async_read_some(buf, redirect_error(use_awaitable, ec));
//
// A completion signature void(std::error_code, Args...) becomes void(Args...)
// for the wrapped token; the code is stored into ec just before the wrapped
// handler runs. Signatures without a leading error_code pass unchanged. The
// wrapper handler forwards every association (allocator, executor, ...) of
// the handler it wraps.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/associator.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>
#include <rill/error_code.hpp>

namespace rill {

template <typename CompletionToken>
class redirect_error_t {
 public:
  template <typename T>
  redirect_error_t(T&& completion_token, error_code& ec)
      : token_(std::forward<T>(completion_token)), ec_(ec) {}

  CompletionToken token_;
  error_code& ec_;
};

template <typename CompletionToken>
[[nodiscard]] redirect_error_t<std::decay_t<CompletionToken>> redirect_error(
    CompletionToken&& completion_token, error_code& ec) {
  return redirect_error_t<std::decay_t<CompletionToken>>(
      std::forward<CompletionToken>(completion_token), ec);
}

namespace detail {

// Stores a leading error_code into ec_ and calls the wrapped handler with
// the rest of the arguments.
template <typename Handler>
class redirect_error_handler {
 public:
  template <typename H>
  redirect_error_handler(error_code& ec, H&& handler)
      : ec_(&ec), handler_(std::forward<H>(handler)) {}

  template <typename... Args>
  void operator()(Args&&... args) {
    call(std::forward<Args>(args)...);
  }

  // A pointer rather than a reference keeps the handler assignable.
  error_code* ec_;
  Handler handler_;

 private:
  void call() { std::move(handler_)(); }

  template <typename Arg, typename... Args>
  void call(Arg&& arg, Args&&... args) {
    if constexpr (std::is_same_v<std::decay_t<Arg>, error_code>) {
      *ec_ = arg;
      std::move(handler_)(std::forward<Args>(args)...);
    } else {
      std::move(handler_)(std::forward<Arg>(arg), std::forward<Args>(args)...);
    }
  }
};

template <typename R, typename... Args>
struct redirect_error_transform {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct redirect_error_transform<R, error_code, Args...> {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct redirect_error_transform<R, const error_code&, Args...> {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct redirect_error_transform<R, error_code&&, Args...> {
  using type = R(Args...);
};

template <typename Signature>
using redirect_error_signature_t = transform_signature_t<Signature, redirect_error_transform>;

struct redirect_error_wrap {
  error_code* ec;

  template <typename Handler>
  redirect_error_handler<std::decay_t<Handler>> operator()(Handler&& handler) const {
    return redirect_error_handler<std::decay_t<Handler>>(*ec, std::forward<Handler>(handler));
  }
};

}  // namespace detail

template <typename CompletionToken, completion_signature... Signatures>
struct async_result<redirect_error_t<CompletionToken>, Signatures...>
    : detail::adapted_return_type<
          async_result<CompletionToken, detail::redirect_error_signature_t<Signatures>...>> {
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, CompletionToken>;
    return async_initiate<inner_t, detail::redirect_error_signature_t<Signatures>...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, detail::redirect_error_wrap>(
            std::forward<Initiation>(initiation), detail::redirect_error_wrap{&token.ec_}),
        token.token_, std::forward<Args>(args)...);
  }
};

template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct associator<Associator, detail::redirect_error_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const detail::redirect_error_handler<Handler>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace rill
