// rill/bind_allocator.hpp - attach an allocator to a handler.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>

namespace rill {

// A handler (target) together with the allocator that its operations must
// use. Its associated executor is the target's, so binding an allocator never
// loses an executor.
template <typename T, typename Allocator>
class allocator_binder {
 public:
  using target_type = T;
  using allocator_type = Allocator;

  template <typename U>
  allocator_binder(const allocator_type& a, U&& u) : allocator_(a), target_(std::forward<U>(u)) {}

  allocator_binder(const allocator_binder&) = default;
  allocator_binder(allocator_binder&&) = default;

  template <typename U, typename OtherAllocator>
  requires std::constructible_from<T, const U&> &&
      std::constructible_from<Allocator, const OtherAllocator&>
      allocator_binder(const allocator_binder<U, OtherAllocator>& other)
      : allocator_(other.get_allocator()), target_(other.get()) {}

  template <typename U, typename OtherAllocator>
  requires std::constructible_from<T, U&&> &&
      std::constructible_from<Allocator, const OtherAllocator&>
      allocator_binder(allocator_binder<U, OtherAllocator>&& other)
      : allocator_(other.get_allocator()), target_(std::move(other.get())) {}

  [[nodiscard]] target_type& get() noexcept { return target_; }
  [[nodiscard]] const target_type& get() const noexcept { return target_; }
  [[nodiscard]] allocator_type get_allocator() const noexcept { return allocator_; }

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) & {
    return target_(std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) const& {
    return target_(std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) && {
    return std::move(target_)(std::forward<Args>(args)...);
  }

 private:
  [[no_unique_address]] Allocator allocator_;
  T target_;
};

template <typename Allocator, typename T>
[[nodiscard]] allocator_binder<std::decay_t<T>, Allocator> bind_allocator(const Allocator& a,
                                                                          T&& t) {
  return allocator_binder<std::decay_t<T>, Allocator>(a, std::forward<T>(t));
}

// The binder's executor is its target's.
// Deriving keeps the target's "no executor of its own" marker, so binding
// an allocator does not send a plain handler through a work_dispatcher.
template <typename T, typename Allocator, typename Executor>
struct associated_executor<allocator_binder<T, Allocator>, Executor>
    : associated_executor<T, Executor> {
  using type = associated_executor_t<T, Executor>;
  static type get(const allocator_binder<T, Allocator>& b,
                  const Executor& ex = Executor()) noexcept {
    return associated_executor<T, Executor>::get(b.get(), ex);
  }
};

namespace detail {
// Binds the handler that the inner token makes to the allocator.
template <typename Allocator>
struct allocator_binder_wrap {
  Allocator allocator;

  template <typename Handler>
  allocator_binder<std::decay_t<Handler>, Allocator> operator()(Handler&& handler) const {
    return allocator_binder<std::decay_t<Handler>, Allocator>(allocator,
                                                              std::forward<Handler>(handler));
  }
};
}  // namespace detail

// bind_allocator(a, token) for a token that is not itself a handler
// (bind_allocator(a, as_tuple(h)), bind_allocator(a, detached)): the token
// makes its handler, which is then bound to a, as in Asio. A binder of a
// handler is a handler and needs no specialisation.
template <typename T, typename Allocator, completion_signature... Signatures>
requires(!detail::token_is_handler<T, Signatures...>) class async_result<
    allocator_binder<T, Allocator>, Signatures...>
    : public detail::adapted_return_type<async_result<T, Signatures...>> {
 public:
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_t = detail::inner_token_t<RawCompletionToken, T>;
    using wrap_t = detail::allocator_binder_wrap<Allocator>;
    return async_initiate<inner_t, Signatures...>(
        detail::wrapping_initiation<std::decay_t<Initiation>, wrap_t>(
            std::forward<Initiation>(initiation), wrap_t{token.get_allocator()}),
        token.get(), std::forward<Args>(args)...);
  }
};

// The binder's cancellation slot is its target's.
template <typename T, typename Allocator, typename CancellationSlot>
struct associator<associated_cancellation_slot, allocator_binder<T, Allocator>, CancellationSlot>
    : associated_cancellation_slot<T, CancellationSlot> {
  static associated_cancellation_slot_t<T, CancellationSlot> get(
      const allocator_binder<T, Allocator>& b,
      const CancellationSlot& s = CancellationSlot()) noexcept {
    return associated_cancellation_slot<T, CancellationSlot>::get(b.get(), s);
  }
};

}  // namespace rill
