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

#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/detail/value_carrying_token.hpp>

namespace rill {

template <typename CompletionToken, typename... Values>
class consign_t : public detail::value_carrying_token<CompletionToken, Values...> {
 public:
  using detail::value_carrying_token<CompletionToken, Values...>::value_carrying_token;
};

template <typename CompletionToken, typename... Values>
[[nodiscard]] constexpr consign_t<std::decay_t<CompletionToken>, std::decay_t<Values>...> consign(
    CompletionToken&& completion_token, Values&&... values) {
  return consign_t<std::decay_t<CompletionToken>, std::decay_t<Values>...>(
      std::forward<CompletionToken>(completion_token), std::forward<Values>(values)...);
}

namespace detail {
template <typename Handler, typename... Values>
using consign_handler = value_carrying_handler<value_position::not_passed, Handler, Values...>;
}  // namespace detail

template <typename CompletionToken, typename... Values, completion_signature... Signatures>
struct async_result<consign_t<CompletionToken, Values...>, Signatures...>
    : detail::value_carrying_async_result<detail::value_position::not_passed, CompletionToken,
                                          std::tuple<Values...>, Signatures...> {};

}  // namespace rill
