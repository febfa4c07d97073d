// rill/prepend.hpp - the completion token adapter that prepends values to
// the completion arguments.
//
//   timer.async_wait(rill::prepend([](int id, std::error_code ec) { ... }, 42));
//
// A completion signature void(Args...) becomes void(Values..., decay_t<Args>...)
// for the wrapped token. The values are stored (decayed) until completion.
// The wrapper handler forwards every association (allocator, executor, ...)
// of the handler it wraps. Asio 1.22 has this in namespace experimental;
// <rill/experimental/prepend.hpp> names it there too.
#pragma once

#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associator.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>

namespace rill {

template <typename CompletionToken, typename... Values>
class prepend_t {
 public:
  template <typename T, typename... V>
  requires(
      sizeof...(V) != 0 ||
      !std::same_as<std::decay_t<T>, prepend_t>) constexpr explicit prepend_t(T&& completion_token,
                                                                              V&&... values)
      : token_(std::forward<T>(completion_token)), values_(std::forward<V>(values)...) {}

  CompletionToken token_;
  std::tuple<Values...> values_;
};

template <typename CompletionToken, typename... Values>
[[nodiscard]] constexpr prepend_t<std::decay_t<CompletionToken>, std::decay_t<Values>...> prepend(
    CompletionToken&& completion_token, Values&&... values) {
  return prepend_t<std::decay_t<CompletionToken>, std::decay_t<Values>...>(
      std::forward<CompletionToken>(completion_token), std::forward<Values>(values)...);
}

namespace detail {

// Calls the wrapped handler with the values, then the completion arguments.
template <typename Handler, typename... Values>
class prepend_handler {
 public:
  template <typename H>
  prepend_handler(H&& handler, std::tuple<Values...> values)
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
    std::move(handler_)(std::move(std::get<I>(values_))..., std::forward<Args>(args)...);
  }
};

template <typename... Values>
struct prepend_transform {
  template <typename R, typename... Args>
  struct apply {
    using type = R(Values..., std::decay_t<Args>...);
  };
};

template <typename... Values>
struct prepend_wrap {
  std::tuple<Values...> values;

  template <typename Handler>
  prepend_handler<std::decay_t<Handler>, Values...> operator()(Handler&& handler) && {
    return prepend_handler<std::decay_t<Handler>, Values...>(std::forward<Handler>(handler),
                                                             std::move(values));
  }
  template <typename Handler>
  prepend_handler<std::decay_t<Handler>, Values...> operator()(Handler&& handler) const& {
    return prepend_handler<std::decay_t<Handler>, Values...>(std::forward<Handler>(handler),
                                                             values);
  }
};

}  // namespace detail

template <typename CompletionToken, typename... Values, completion_signature... Signatures>
struct async_result<prepend_t<CompletionToken, Values...>, Signatures...>
    : detail::adapted_return_type<
          async_result<CompletionToken,
                       detail::transform_signature_t<
                           Signatures, detail::prepend_transform<Values...>::template apply>...>> {
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, CompletionToken>;
    using wrap_t = detail::prepend_wrap<Values...>;
    return async_initiate<inner_t,
                          detail::transform_signature_t<
                              Signatures, detail::prepend_transform<Values...>::template apply>...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, wrap_t>(
            std::forward<Initiation>(initiation),
            wrap_t{detail::forward_member<RawCompletionToken>(token.values_)}),
        token.token_, std::forward<Args>(args)...);
  }
};

template <template <typename, typename> class Associator, typename Handler, typename... Values,
          typename DefaultCandidate>
struct associator<Associator, detail::prepend_handler<Handler, Values...>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const detail::prepend_handler<Handler, Values...>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace rill
