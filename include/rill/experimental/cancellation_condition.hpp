// rill/experimental/cancellation_condition.hpp - when a parallel group
// cancels the operations still running.
#pragma once

#include <exception>
#include <system_error>
#include <type_traits>

#include <rill/cancellation_type.hpp>

namespace rill::experimental {

namespace detail {
// Results whose first argument says whether the operation failed.
template <typename E>
concept parallel_group_error_result = std::is_same_v<std::decay_t<E>, std::error_code> ||
    std::is_same_v<std::decay_t<E>, std::exception_ptr>;
}  // namespace detail

// Each condition is called with the results of every operation as it
// completes and returns the cancellation to send to the others (none: keep
// waiting).

// Waits for every operation.
class wait_for_all {
 public:
  template <typename... Args>
  constexpr cancellation_type operator()(Args&&... /*args*/) const noexcept {
    return cancellation_type::none;
  }
};

// Cancels the others as soon as one operation completes.
class wait_for_one {
 public:
  constexpr explicit wait_for_one(cancellation_type cancel_type = cancellation_type::all) noexcept
      : cancel_type_(cancel_type) {}

  template <typename... Args>
  constexpr cancellation_type operator()(Args&&... /*args*/) const noexcept {
    return cancel_type_;
  }

 private:
  cancellation_type cancel_type_;
};

// Cancels the others as soon as one operation succeeds (its first result is
// not an error, or it has no error result); otherwise waits for all.
class wait_for_one_success {
 public:
  constexpr explicit wait_for_one_success(
      cancellation_type cancel_type = cancellation_type::all) noexcept
      : cancel_type_(cancel_type) {}

  constexpr cancellation_type operator()() const noexcept { return cancel_type_; }

  template <typename E, typename... Args>
  requires(!detail::parallel_group_error_result<E>) constexpr cancellation_type operator()(
      const E& /*e*/, Args&&... /*args*/) const noexcept {
    return cancel_type_;
  }

  template <typename E, typename... Args>
  requires detail::parallel_group_error_result<E>
  constexpr cancellation_type operator()(const E& e, Args&&... /*args*/) const noexcept {
    return e ? cancellation_type::none : cancel_type_;
  }

 private:
  cancellation_type cancel_type_;
};

// Cancels the others as soon as one operation fails (its first result is
// an error); otherwise waits for all.
class wait_for_one_error {
 public:
  constexpr explicit wait_for_one_error(
      cancellation_type cancel_type = cancellation_type::all) noexcept
      : cancel_type_(cancel_type) {}

  constexpr cancellation_type operator()() const noexcept { return cancellation_type::none; }

  template <typename E, typename... Args>
  requires(!detail::parallel_group_error_result<E>) constexpr cancellation_type operator()(
      const E& /*e*/, Args&&... /*args*/) const noexcept {
    return cancellation_type::none;
  }

  template <typename E, typename... Args>
  requires detail::parallel_group_error_result<E>
  constexpr cancellation_type operator()(const E& e, Args&&... /*args*/) const noexcept {
    return e ? cancel_type_ : cancellation_type::none;
  }

 private:
  cancellation_type cancel_type_;
};

}  // namespace rill::experimental
