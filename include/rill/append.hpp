// rill/append.hpp - the completion token adapter that appends values to
// the completion arguments.
//
//   timer.async_wait(rill::append([](std::error_code ec, int id) { ... }, 42));
//
// A completion signature void(Args...) becomes void(decay_t<Args>..., Values...)
// for the wrapped token. The values are stored (decayed) until completion.
// The wrapper handler forwards every association (allocator, executor, ...)
// of the handler it wraps. Asio 1.22 has this in namespace experimental;
// <rill/experimental/append.hpp> names it there too.
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
class append_t {
 public:
  template <typename T, typename... V>
  requires(
      sizeof...(V) != 0 ||
      !std::same_as<std::decay_t<T>, append_t>) constexpr explicit append_t(T&& completion_token,
                                                                            V&&... values)
      : token_(std::forward<T>(completion_token)), values_(std::forward<V>(values)...) {}

  CompletionToken token_;
  std::tuple<Values...> values_;
};

template <typename CompletionToken, typename... Values>
[[nodiscard]] constexpr append_t<std::decay_t<CompletionToken>, std::decay_t<Values>...> append(
    CompletionToken&& completion_token, Values&&... values) {
  return append_t<std::decay_t<CompletionToken>, std::decay_t<Values>...>(
      std::forward<CompletionToken>(completion_token), std::forward<Values>(values)...);
}

namespace detail {

// Calls the wrapped handler with the completion arguments, then the values.
template <typename Handler, typename... Values>
class append_handler {
 public:
  template <typename H>
  append_handler(H&& handler, std::tuple<Values...> values)
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
    std::move(handler_)(std::forward<Args>(args)..., std::move(std::get<I>(values_))...);
  }
};

template <typename... Values>
struct append_transform {
  template <typename R, typename... Args>
  struct apply {
    using type = R(std::decay_t<Args>..., Values...);
  };
};

template <typename... Values>
struct append_wrap {
  std::tuple<Values...> values;

  template <typename Handler>
  append_handler<std::decay_t<Handler>, Values...> operator()(Handler&& handler) && {
    return append_handler<std::decay_t<Handler>, Values...>(std::forward<Handler>(handler),
                                                            std::move(values));
  }
  template <typename Handler>
  append_handler<std::decay_t<Handler>, Values...> operator()(Handler&& handler) const& {
    return append_handler<std::decay_t<Handler>, Values...>(std::forward<Handler>(handler), values);
  }
};

}  // namespace detail

template <typename CompletionToken, typename... Values, completion_signature... Signatures>
struct async_result<append_t<CompletionToken, Values...>, Signatures...>
    : detail::adapted_return_type<
          async_result<CompletionToken,
                       detail::transform_signature_t<
                           Signatures, detail::append_transform<Values...>::template apply>...>> {
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, CompletionToken>;
    using wrap_t = detail::append_wrap<Values...>;
    return async_initiate<inner_t,
                          detail::transform_signature_t<
                              Signatures, detail::append_transform<Values...>::template apply>...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, wrap_t>(
            std::forward<Initiation>(initiation),
            wrap_t{detail::forward_member<RawCompletionToken>(token.values_)}),
        token.token_, std::forward<Args>(args)...);
  }
};

template <template <typename, typename> class Associator, typename Handler, typename... Values,
          typename DefaultCandidate>
struct associator<Associator, detail::append_handler<Handler, Values...>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const detail::append_handler<Handler, Values...>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace rill
