// rill/experimental/as_single.hpp - the completion token adapter that
// passes the completion arguments as a single argument.
//
//   auto ec = co_await timer.async_wait(as_single(use_awaitable));
//
// No argument stays none; one argument is passed as it is; several become
// one std::tuple of their decayed types. The wrapper handler forwards every
// association (allocator, executor, ...) of the handler it wraps.
#pragma once

#include <concepts>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associator.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>

namespace rill::experimental {

template <typename CompletionToken>
class as_single_t {
 public:
  struct default_constructor_tag {};

  // Valid when the wrapped token is default constructible; used when
  // as_single_t is an executor's default completion token.
  constexpr as_single_t(default_constructor_tag /*tag*/ = default_constructor_tag(),
                        CompletionToken token = CompletionToken())
      : token_(std::move(token)) {}

  template <typename T>
  requires(!std::same_as<std::decay_t<T>, as_single_t>) constexpr explicit as_single_t(
      T&& completion_token)
      : token_(std::forward<T>(completion_token)) {}

  // An executor that makes as_single_t the default token of the I/O objects
  // using it (see as_default_on).
  template <typename InnerExecutor>
  struct executor_with_default : InnerExecutor {
    using default_completion_token_type = as_single_t;

    executor_with_default(const InnerExecutor& ex) noexcept : InnerExecutor(ex) {}

    template <typename OtherExecutor>
    requires(!std::same_as<OtherExecutor, executor_with_default> &&
             std::convertible_to<OtherExecutor, InnerExecutor>)
        executor_with_default(const OtherExecutor& ex)
    noexcept : InnerExecutor(ex) {}
  };

  // T's type with its executor replaced by one that defaults to as_single_t.
  template <typename T>
  using as_default_on_t =
      typename T::template rebind_executor<executor_with_default<typename T::executor_type>>::other;

  // Converts an I/O object (by moving or copying it) into one whose
  // operations default to as_single_t.
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
[[nodiscard]] constexpr as_single_t<std::decay_t<CompletionToken>> as_single(
    CompletionToken&& completion_token) {
  return as_single_t<std::decay_t<CompletionToken>>(
      std::forward<CompletionToken>(completion_token));
}

namespace detail {

// Calls the wrapped handler with nothing, the one argument, or a tuple of
// several.
template <typename Handler>
class as_single_handler {
 public:
  template <typename H>
  explicit as_single_handler(H&& handler) : handler_(std::forward<H>(handler)) {}

  template <typename... Args>
  void operator()(Args&&... args) {
    if constexpr (sizeof...(Args) <= 1) {
      std::move(handler_)(std::forward<Args>(args)...);
    } else {
      std::move(handler_)(std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
    }
  }

  Handler handler_;
};

template <typename R, typename... Args>
struct as_single_transform {
  using type = R(std::tuple<std::decay_t<Args>...>);
};
template <typename R>
struct as_single_transform<R> {
  using type = R();
};
template <typename R, typename Arg>
struct as_single_transform<R, Arg> {
  using type = R(Arg);
};

template <typename Signature>
using as_single_signature_t = rill::detail::transform_signature_t<Signature, as_single_transform>;

struct as_single_wrap {
  template <typename Handler>
  as_single_handler<std::decay_t<Handler>> operator()(Handler&& handler) const {
    return as_single_handler<std::decay_t<Handler>>(std::forward<Handler>(handler));
  }
};

}  // namespace detail
}  // namespace rill::experimental

namespace rill {

template <typename CompletionToken, completion_signature... Signatures>
struct async_result<experimental::as_single_t<CompletionToken>, Signatures...>
    : detail::adapted_return_type<async_result<
          CompletionToken, experimental::detail::as_single_signature_t<Signatures>...>> {
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, CompletionToken>;
    return async_initiate<inner_t, experimental::detail::as_single_signature_t<Signatures>...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, experimental::detail::as_single_wrap>(
            std::forward<Initiation>(initiation), experimental::detail::as_single_wrap()),
        token.token_, std::forward<Args>(args)...);
  }
};

template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct associator<Associator, experimental::detail::as_single_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const experimental::detail::as_single_handler<Handler>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace rill
