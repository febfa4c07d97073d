// rill/consign.hpp - the completion token adapter that keeps values alive
// until the operation completes.
//
//   auto self = shared_from_this();
//   socket.async_read_some(buf, rill::consign(handler, self));
//
// The values (decayed) are stored with the handler and destroyed with it,
// after it has run or, if it never runs, when the operation is destroyed;
// the completion signature and arguments are unchanged. The wrapper handler
// forwards every association (allocator, executor, ...) of the handler it
// wraps.
#pragma once

#include <concepts>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associator.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>

namespace rill {

template <typename CompletionToken, typename... Values>
class consign_t {
 public:
  template <typename T, typename... V>
  requires(
      sizeof...(V) != 0 ||
      !std::same_as<std::decay_t<T>, consign_t>) constexpr explicit consign_t(T&& completion_token,
                                                                              V&&... values)
      : token_(std::forward<T>(completion_token)), values_(std::forward<V>(values)...) {}

  CompletionToken token_;
  std::tuple<Values...> values_;
};

template <typename CompletionToken, typename... Values>
[[nodiscard]] constexpr consign_t<std::decay_t<CompletionToken>, std::decay_t<Values>...> consign(
    CompletionToken&& completion_token, Values&&... values) {
  return consign_t<std::decay_t<CompletionToken>, std::decay_t<Values>...>(
      std::forward<CompletionToken>(completion_token), std::forward<Values>(values)...);
}

namespace detail {

// Calls the wrapped handler with the completion arguments; holds the values.
template <typename Handler, typename... Values>
class consign_handler {
 public:
  template <typename H>
  consign_handler(H&& handler, std::tuple<Values...> values)
      : handler_(std::forward<H>(handler)), values_(std::move(values)) {}

  template <typename... Args>
  void operator()(Args&&... args) {
    std::move(handler_)(std::forward<Args>(args)...);
  }

  Handler handler_;
  std::tuple<Values...> values_;
};

template <typename... Values>
struct consign_wrap {
  std::tuple<Values...> values;

  template <typename Handler>
  consign_handler<std::decay_t<Handler>, Values...> operator()(Handler&& handler) && {
    return consign_handler<std::decay_t<Handler>, Values...>(std::forward<Handler>(handler),
                                                             std::move(values));
  }
  template <typename Handler>
  consign_handler<std::decay_t<Handler>, Values...> operator()(Handler&& handler) const& {
    return consign_handler<std::decay_t<Handler>, Values...>(std::forward<Handler>(handler),
                                                             values);
  }
};

}  // namespace detail

template <typename CompletionToken, typename... Values, completion_signature... Signatures>
struct async_result<consign_t<CompletionToken, Values...>, Signatures...>
    : detail::adapted_return_type<async_result<CompletionToken, Signatures...>> {
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, CompletionToken>;
    using wrap_t = detail::consign_wrap<Values...>;
    return async_initiate<inner_t, Signatures...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, wrap_t>(
            std::forward<Initiation>(initiation),
            wrap_t{detail::forward_member<RawCompletionToken>(token.values_)}),
        token.token_, std::forward<Args>(args)...);
  }
};

template <template <typename, typename> class Associator, typename Handler, typename... Values,
          typename DefaultCandidate>
struct associator<Associator, detail::consign_handler<Handler, Values...>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const detail::consign_handler<Handler, Values...>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace rill
