// rill/experimental/awaitable_operators.hpp - running two awaitables at once,
// as Asio's awaitable operators.
//
//   using namespace rill::experimental::awaitable_operators;
//   auto [a, b] = co_await (read_header() && read_body());       // both
//   auto first = co_await (read_message() || timeout(5s));       // the first success
//
// `t && u` runs both as coroutines of their own on the awaiting coroutine's
// executor and waits for both; if one fails, the other is cancelled and the
// failure is rethrown (multiple_exceptions if both failed). The result is
// void, the non-void one's value, or a std::tuple (a tuple on the left is
// extended: (a && b) && c yields std::tuple<A, B, C>).
//
// `t || u` waits for the first to succeed and cancels the other; it yields a
// std::variant whose index says which (void is std::monostate; a variant on
// the left is extended). If both fail, the first failure is rethrown as
// multiple_exceptions.
//
// The operands' frames and operations come from the awaiting coroutine
// thread's allocator, like every frame of that thread.
#pragma once

#include <array>
#include <cstddef>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <rill/awaitable.hpp>
#include <rill/co_spawn.hpp>
#include <rill/deferred.hpp>
#include <rill/experimental/parallel_group.hpp>
#include <rill/multiple_exceptions.hpp>
#include <rill/this_coro.hpp>
#include <rill/use_awaitable.hpp>

namespace rill::experimental::awaitable_operators {

namespace detail {

// void becomes std::monostate so that every operand yields a value.
template <typename T>
using value_of = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// An operand as a coroutine that yields its value in an optional: co_spawn
// reports a failure with a value-initialised result, which not every T has.
template <typename T, typename Executor>
awaitable<std::optional<value_of<T>>, Executor> wrap(awaitable<T, Executor> a) {
  if constexpr (std::is_void_v<T>) {
    co_await std::move(a);
    co_return std::optional<std::monostate>(std::in_place);
  } else {
    co_return std::optional<T>(std::in_place, co_await std::move(a));
  }
}

// Both operands as a parallel group, waited for under Condition. Yields
// (completion order, exception 0, result 0, exception 1, result 1).
template <typename T, typename U, typename Executor, typename Condition>
auto run_both(awaitable<T, Executor> t, awaitable<U, Executor> u, Condition condition) -> awaitable<
    std::tuple<std::array<std::size_t, 2>, std::exception_ptr, std::optional<value_of<T>>,
               std::exception_ptr, std::optional<value_of<U>>>,
    Executor> {
  auto ex = co_await this_coro::executor;
  co_return co_await make_parallel_group(co_spawn(ex, wrap(std::move(t)), deferred),
                                         co_spawn(ex, wrap(std::move(u)), deferred))
      .async_wait(condition, use_awaitable_t<Executor>{});
}

template <typename T>
struct is_tuple : std::false_type {};
template <typename... T>
struct is_tuple<std::tuple<T...>> : std::true_type {};

template <typename T>
struct is_variant : std::false_type {};
template <typename... T>
struct is_variant<std::variant<T...>> : std::true_type {};

// What t && u yields.
template <typename T, typename U>
struct and_result {
  using type = std::tuple<T, U>;
};
template <>
struct and_result<void, void> {
  using type = void;
};
template <typename U>
struct and_result<void, U> {
  using type = U;
};
template <typename T>
struct and_result<T, void> {
  using type = T;
};
template <typename... T>
struct and_result<std::tuple<T...>, void> {
  using type = std::tuple<T...>;
};
template <typename... T, typename U>
struct and_result<std::tuple<T...>, U> {
  using type = std::tuple<T..., U>;
};

// What t || u yields.
template <typename T, typename U>
struct or_result {
  using type = std::variant<value_of<T>, value_of<U>>;
};
template <typename... T, typename U>
struct or_result<std::variant<T...>, U> {
  using type = std::variant<T..., value_of<U>>;
};

template <typename T, typename U>
typename and_result<T, U>::type combine(std::optional<value_of<T>>& a,
                                        std::optional<value_of<U>>& b) {
  if constexpr (std::is_void_v<T> && std::is_void_v<U>) {
    return;
  } else if constexpr (std::is_void_v<T>) {
    return std::move(*b);
  } else if constexpr (std::is_void_v<U>) {
    return std::move(*a);
  } else if constexpr (is_tuple<T>::value) {
    return std::tuple_cat(std::move(*a), std::make_tuple(std::move(*b)));
  } else {
    return std::make_tuple(std::move(*a), std::move(*b));
  }
}

// A variant's value as the same alternative of the wider variant Result.
template <typename Result, std::size_t I = 0, typename Variant>
Result widen(Variant& source) {
  if constexpr (I + 1 < std::variant_size_v<Variant>) {
    if (source.index() != I) return widen<Result, I + 1>(source);
  }
  return Result(std::in_place_index<I>, std::move(std::get<I>(source)));
}

}  // namespace detail

template <typename T, typename U, typename Executor>
awaitable<typename detail::and_result<T, U>::type, Executor> operator&&(awaitable<T, Executor> t,
                                                                        awaitable<U, Executor> u) {
  auto results = co_await detail::run_both(std::move(t), std::move(u), wait_for_one_error());
  std::exception_ptr& e0 = std::get<1>(results);
  std::exception_ptr& e1 = std::get<3>(results);
  if (e0 && e1) throw multiple_exceptions(e0);
  if (e0) std::rethrow_exception(e0);
  if (e1) std::rethrow_exception(e1);
  co_return detail::combine<T, U>(std::get<2>(results), std::get<4>(results));
}

template <typename T, typename U, typename Executor>
awaitable<typename detail::or_result<T, U>::type, Executor> operator||(awaitable<T, Executor> t,
                                                                       awaitable<U, Executor> u) {
  using result = typename detail::or_result<T, U>::type;
  constexpr std::size_t right_index = std::variant_size_v<result> - 1;
  // Named parts of the results, not a structured binding: lambdas below use
  // them, which clang before 16 does not allow for bindings.
  auto results = co_await detail::run_both(std::move(t), std::move(u), wait_for_one_success());
  const std::array<std::size_t, 2>& order = std::get<0>(results);
  std::exception_ptr& e0 = std::get<1>(results);
  auto& r0 = std::get<2>(results);
  std::exception_ptr& e1 = std::get<3>(results);
  auto& r1 = std::get<4>(results);
  auto left = [&]() -> result {
    if constexpr (detail::is_variant<T>::value) {
      return detail::widen<result>(*r0);
    } else {
      return result(std::in_place_index<0>, std::move(*r0));
    }
  };
  auto right = [&]() -> result { return result(std::in_place_index<right_index>, std::move(*r1)); };
  // The first to complete wins if it succeeded; otherwise the other, if it
  // succeeded (it ran to completion, not cancelled, since nothing succeeded).
  if (order[0] == 0) {
    if (!e0) co_return left();
    if (!e1) co_return right();
    throw multiple_exceptions(e0);
  }
  if (!e1) co_return right();
  if (!e0) co_return left();
  throw multiple_exceptions(e1);
}

}  // namespace rill::experimental::awaitable_operators
