// rill/detached.hpp - the completion token for operations whose result
// nobody wants.
//
//   rill::post(ioc, rill::detached);
//   timer.async_wait(rill::detached);
//
// The operation runs to completion and its handler ignores the results. The
// handler has no allocator or executor of its own, so the operation uses the
// default (recycling) allocator and the I/O object's executor.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>

namespace rill {

class detached_t {
 public:
  constexpr detached_t() = default;

  // An executor that makes detached the default token of the I/O objects
  // using it (see as_default_on).
  template <typename InnerExecutor>
  struct executor_with_default : InnerExecutor {
    using default_completion_token_type = detached_t;

    executor_with_default(const InnerExecutor& ex) noexcept : InnerExecutor(ex) {}

    template <typename OtherExecutor>
    requires(!std::same_as<OtherExecutor, executor_with_default> &&
             std::convertible_to<OtherExecutor, InnerExecutor>)
        executor_with_default(const OtherExecutor& ex)
    noexcept : InnerExecutor(ex) {}
  };

  // T's type with its executor replaced by one that defaults to detached.
  template <typename T>
  using as_default_on_t =
      typename T::template rebind_executor<executor_with_default<typename T::executor_type>>::other;

  // Converts an I/O object (by moving or copying it) into one whose
  // operations default to detached.
  template <typename T>
  static typename std::decay_t<T>::template rebind_executor<
      executor_with_default<typename std::decay_t<T>::executor_type>>::other
  as_default_on(T&& object) {
    return typename std::decay_t<T>::template rebind_executor<executor_with_default<
        typename std::decay_t<T>::executor_type>>::other(std::forward<T>(object));
  }
};

inline constexpr detached_t detached;

namespace detail {

// Accepts any completion arguments and drops them.
class detached_handler {
 public:
  explicit detached_handler(detached_t /*token*/) noexcept {}

  template <typename... Args>
  void operator()(Args&&... /*args*/) noexcept {}
};

}  // namespace detail

template <completion_signature... Signatures>
class async_result<detached_t, Signatures...> {
 public:
  using completion_handler_type = detail::detached_handler;
  using return_type = void;

  explicit async_result(completion_handler_type& /*h*/) {}
  async_result(const async_result&) = delete;
  async_result& operator=(const async_result&) = delete;

  void get() {}

  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static void initiate(Initiation&& initiation, RawCompletionToken&& /*token*/, Args&&... args) {
    std::forward<Initiation>(initiation)(detail::detached_handler(detached_t()),
                                         std::forward<Args>(args)...);
  }
};

}  // namespace rill
