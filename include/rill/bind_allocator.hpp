// rill/bind_allocator.hpp - attach an allocator to a handler.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>

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

}  // namespace rill
