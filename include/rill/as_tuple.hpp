// rill/as_tuple.hpp - the completion token adapter that passes all
// completion arguments as one std::tuple.
//
//   timer.async_wait(rill::as_tuple([](std::tuple<std::error_code> t) { ... }));
//   auto [ec, n] = co_await socket.async_read_some(buf, as_tuple(use_awaitable));
//
// A completion signature void(Args...) becomes void(std::tuple<decay_t<Args>...>)
// for the wrapped token. The wrapper handler forwards every association
// (allocator, executor, ...) of the handler it wraps. Asio 1.22 has this in
// namespace experimental; <rill/experimental/as_tuple.hpp> names it there too.
#pragma once

#include <concepts>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associator.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>

namespace rill {

template <typename CompletionToken>
class as_tuple_t {
 public:
  struct default_constructor_tag {};

  // Valid when the wrapped token is default constructible; used when
  // as_tuple_t is an executor's default completion token.
  constexpr as_tuple_t(default_constructor_tag /*tag*/ = default_constructor_tag(),
                       CompletionToken token = CompletionToken())
      : token_(std::move(token)) {}

  template <typename T>
  requires(!std::same_as<std::decay_t<T>, as_tuple_t>) constexpr explicit as_tuple_t(
      T&& completion_token)
      : token_(std::forward<T>(completion_token)) {}

  // An executor that makes as_tuple_t the default token of the I/O objects
  // using it (see as_default_on).
  template <typename InnerExecutor>
  struct executor_with_default : InnerExecutor {
    using default_completion_token_type = as_tuple_t;

    template <typename InnerExecutor1>
    requires(!std::same_as<InnerExecutor1, executor_with_default> &&
             std::convertible_to<InnerExecutor1, InnerExecutor>)
        executor_with_default(const InnerExecutor1& ex)
    noexcept : InnerExecutor(ex) {}
  };

  // T's type with its executor replaced by one that defaults to as_tuple_t.
  template <typename T>
  using as_default_on_t =
      typename T::template rebind_executor<executor_with_default<typename T::executor_type>>::other;

  // Converts an I/O object (by moving or copying it) into one whose
  // operations default to as_tuple_t.
  template <typename T>
  static typename std::decay_t<T>::template rebind_executor<
      executor_with_default<typename std::decay_t<T>::executor_type>>::other
  as_default_on(T&& object) {
    return typename std::decay_t<T>::template rebind_executor<executor_with_default<
        typename std::decay_t<T>::executor_type>>::other(std::forward<T>(object));
  }

  CompletionToken token_;
};

template <typename CompletionToken>
[[nodiscard]] constexpr as_tuple_t<std::decay_t<CompletionToken>> as_tuple(
    CompletionToken&& completion_token) {
  return as_tuple_t<std::decay_t<CompletionToken>>(std::forward<CompletionToken>(completion_token));
}

namespace detail {

// Calls the wrapped handler with one tuple of the (decayed) arguments.
template <typename Handler>
class as_tuple_handler {
 public:
  template <typename H>
  explicit as_tuple_handler(H&& handler) : handler_(std::forward<H>(handler)) {}

  template <typename... Args>
  void operator()(Args&&... args) {
    std::move(handler_)(std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
  }

  Handler handler_;
};

template <typename R, typename... Args>
struct as_tuple_transform {
  using type = R(std::tuple<std::decay_t<Args>...>);
};

template <typename Signature>
using as_tuple_signature_t = transform_signature_t<Signature, as_tuple_transform>;

struct as_tuple_wrap {
  template <typename Handler>
  as_tuple_handler<std::decay_t<Handler>> operator()(Handler&& handler) const {
    return as_tuple_handler<std::decay_t<Handler>>(std::forward<Handler>(handler));
  }
};

}  // namespace detail

template <typename CompletionToken, completion_signature... Signatures>
struct async_result<as_tuple_t<CompletionToken>, Signatures...>
    : detail::adapted_return_type<
          async_result<CompletionToken, detail::as_tuple_signature_t<Signatures>...>> {
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, CompletionToken>;
    return async_initiate<inner_t, detail::as_tuple_signature_t<Signatures>...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, detail::as_tuple_wrap>(
            std::forward<Initiation>(initiation), detail::as_tuple_wrap()),
        token.token_, std::forward<Args>(args)...);
  }
};

template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct associator<Associator, detail::as_tuple_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const detail::as_tuple_handler<Handler>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace rill
