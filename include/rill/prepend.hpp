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

#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/detail/value_carrying_token.hpp>

namespace rill {

template <typename CompletionToken, typename... Values>
class prepend_t : public detail::value_carrying_token<CompletionToken, Values...> {
 public:
  using detail::value_carrying_token<CompletionToken, Values...>::value_carrying_token;
};

template <typename CompletionToken, typename... Values>
[[nodiscard]] constexpr prepend_t<std::decay_t<CompletionToken>, std::decay_t<Values>...> prepend(
    CompletionToken&& completion_token, Values&&... values) {
  return prepend_t<std::decay_t<CompletionToken>, std::decay_t<Values>...>(
      std::forward<CompletionToken>(completion_token), std::forward<Values>(values)...);
}

namespace detail {
template <typename Handler, typename... Values>
using prepend_handler =
    value_carrying_handler<value_position::before_arguments, Handler, Values...>;
}  // namespace detail

template <typename CompletionToken, typename... Values, completion_signature... Signatures>
struct async_result<prepend_t<CompletionToken, Values...>, Signatures...>
    : detail::value_carrying_async_result<detail::value_position::before_arguments, CompletionToken,
                                          std::tuple<Values...>, Signatures...> {};

}  // namespace rill
