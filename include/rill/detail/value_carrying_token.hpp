// rill/detail/value_carrying_token.hpp - the machinery shared by append,
// prepend and consign: a token adapter that carries values to the
// completion, where they are passed after the completion arguments, before
// them, or not at all (kept alive until then).
#pragma once

#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associator.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>

namespace rill::detail {

enum class value_position { after_arguments, before_arguments, not_passed };

// What append_t, prepend_t and consign_t hold: the token they adapt and the
// values (decayed).
template <typename CompletionToken, typename... Values>
class value_carrying_token {
 public:
  template <typename T, typename... V>
  requires(sizeof...(V) != 0 ||
           !std::derived_from<
               std::decay_t<T>,
               value_carrying_token>) constexpr explicit value_carrying_token(T&& completion_token,
                                                                              V&&... values)
      : token_(std::forward<T>(completion_token)), values_(std::forward<V>(values)...) {}

  CompletionToken token_;
  std::tuple<Values...> values_;
};

// Calls the wrapped handler with the completion arguments and the values,
// in the order Position says.
template <value_position Position, typename Handler, typename... Values>
class value_carrying_handler {
 public:
  template <typename H>
  value_carrying_handler(H&& handler, std::tuple<Values...> values)
      : handler_(std::forward<H>(handler)), values_(std::move(values)) {}

  template <typename... Args>
  void operator()(Args&&... args) {
    invoke(std::index_sequence_for<Values...>(), std::forward<Args>(args)...);
  }

  Handler handler_;
  std::tuple<Values...> values_;

 private:
  template <std::size_t... I, typename... Args>
  void invoke(std::index_sequence<I...> /*indices*/, Args&&... args) {
    if constexpr (Position == value_position::after_arguments) {
      std::move(handler_)(std::forward<Args>(args)..., std::move(std::get<I>(values_))...);
    } else if constexpr (Position == value_position::before_arguments) {
      std::move(handler_)(std::move(std::get<I>(values_))..., std::forward<Args>(args)...);
    } else {
      std::move(handler_)(std::forward<Args>(args)...);
    }
  }
};

// The completion signature the adapted token sees.
template <value_position Position, typename... Values>
struct value_carrying_signature {
  template <typename R, typename... Args>
  struct apply {
    using type = R(std::decay_t<Args>..., Values...);
  };
};
template <typename... Values>
struct value_carrying_signature<value_position::before_arguments, Values...> {
  template <typename R, typename... Args>
  struct apply {
    using type = R(Values..., std::decay_t<Args>...);
  };
};
template <typename... Values>
struct value_carrying_signature<value_position::not_passed, Values...> {
  template <typename R, typename... Args>
  struct apply {
    using type = R(Args...);
  };
};

template <value_position Position, typename Signature, typename... Values>
using value_carrying_signature_t =
    transform_signature_t<Signature, value_carrying_signature<Position, Values...>::template apply>;

// Wraps the handler that the adapted token produces.
template <value_position Position, typename... Values>
struct value_carrying_wrap {
  std::tuple<Values...> values;

  template <typename Handler>
  value_carrying_handler<Position, std::decay_t<Handler>, Values...> operator()(
      Handler&& handler) && {
    return value_carrying_handler<Position, std::decay_t<Handler>, Values...>(
        std::forward<Handler>(handler), std::move(values));
  }
  template <typename Handler>
  value_carrying_handler<Position, std::decay_t<Handler>, Values...> operator()(
      Handler&& handler) const& {
    return value_carrying_handler<Position, std::decay_t<Handler>, Values...>(
        std::forward<Handler>(handler), values);
  }
};

// The async_result of append_t, prepend_t and consign_t.
template <value_position Position, typename CompletionToken, typename ValuesTuple,
          typename... Signatures>
struct value_carrying_async_result;
template <value_position Position, typename CompletionToken, typename... Values,
          typename... Signatures>
struct value_carrying_async_result<Position, CompletionToken, std::tuple<Values...>, Signatures...>
    : adapted_return_type<async_result<
          CompletionToken, value_carrying_signature_t<Position, Signatures, Values...>...>> {
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = inner_token_t<RawCompletionToken, CompletionToken>;
    using wrap_t = value_carrying_wrap<Position, Values...>;
    return async_initiate<inner_t, value_carrying_signature_t<Position, Signatures, Values...>...>(
        wrapping_initiation<std::decay_t<Initiation>, wrap_t>(
            std::forward<Initiation>(initiation),
            wrap_t{forward_member<RawCompletionToken>(token.values_)}),
        token.token_, std::forward<Args>(args)...);
  }
};

}  // namespace rill::detail

namespace rill {

// The wrapper forwards every association of the handler it wraps.
template <template <typename, typename> class Associator, detail::value_position Position,
          typename Handler, typename... Values, typename DefaultCandidate>
struct associator<Associator, detail::value_carrying_handler<Position, Handler, Values...>,
                  DefaultCandidate> : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const detail::value_carrying_handler<Position, Handler, Values...>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace rill
