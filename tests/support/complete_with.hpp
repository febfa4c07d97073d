// tests/support/complete_with.hpp - an asynchronous operation with any
// completion signature, for testing completion tokens.
#pragma once

#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/async_result.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>

namespace rill_test {

// Starts an operation with completion signature Signature that completes,
// through a post to ioc (never inside this call), with the given values.
// The posted function keeps the handler's associated allocator, so the
// operation's memory comes from it as for a real operation.
template <typename Signature, typename Token, typename... Values>
decltype(auto) complete_with(rill::io_context& ioc, Token&& token, Values&&... values) {
  return rill::async_initiate<Token, Signature>(
      [&ioc](auto handler, auto... vs) {
        auto alloc = rill::get_associated_allocator(handler);
        rill::post(ioc, rill::bind_allocator(
                            alloc, [h = std::move(handler), ... v = std::move(vs)]() mutable {
                              std::move(h)(std::move(v)...);
                            }));
      },
      token, std::forward<Values>(values)...);
}

}  // namespace rill_test
