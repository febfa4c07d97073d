// rill/this_coro.hpp - what a coroutine can ask about itself.
#pragma once

namespace rill::this_coro {

// `co_await this_coro::executor` inside an awaitable coroutine yields the
// executor the coroutine runs on, as in Asio.
struct executor_t {
  constexpr executor_t() = default;
};
inline constexpr executor_t executor;

}  // namespace rill::this_coro
