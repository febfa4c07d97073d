// rill/execution/execute.hpp - submitting a function object to an executor,
// as Asio's execution::execute customisation point.
#pragma once

#include <type_traits>
#include <utility>

namespace rill::execution {

namespace detail::execute_cpo {

void execute() = delete;

template <typename E, typename F>
concept member = requires(E&& e, F&& f) {
  std::forward<E>(e).execute(std::forward<F>(f));
};

template <typename E, typename F>
concept free = requires(E&& e, F&& f) {
  execute(std::forward<E>(e), std::forward<F>(f));
};

// e.execute(f), else execute(e, f) found by argument-dependent lookup.
struct fn {
  template <typename E, typename F>
  requires member<E, F>
  constexpr void operator()(E&& e, F&& f) const
      noexcept(noexcept(std::forward<E>(e).execute(std::forward<F>(f)))) {
    std::forward<E>(e).execute(std::forward<F>(f));
  }

  template <typename E, typename F>
  requires(!member<E, F> && free<E, F>) constexpr void operator()(E&& e, F&& f) const
      noexcept(noexcept(execute(std::forward<E>(e), std::forward<F>(f)))) {
    execute(std::forward<E>(e), std::forward<F>(f));
  }
};

}  // namespace detail::execute_cpo

inline namespace cpo {
inline constexpr detail::execute_cpo::fn execute{};
}  // namespace cpo

template <typename E, typename F>
struct can_execute : std::bool_constant<std::is_invocable_v<decltype(execute), E, F>> {};
template <typename E, typename F>
inline constexpr bool can_execute_v = can_execute<E, F>::value;

}  // namespace rill::execution
