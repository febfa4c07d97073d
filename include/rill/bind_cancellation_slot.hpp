// rill/bind_cancellation_slot.hpp - attach a cancellation slot to a handler
// or a completion token.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/associated_cancellation_slot.hpp>
#include <rill/associator.hpp>
#include <rill/async_result.hpp>
#include <rill/cancellation_signal.hpp>

namespace rill {

// A handler (target) together with the cancellation slot its operation
// listens on. Its other associations (allocator, executor) are the
// target's, so binding a slot never loses a custom allocator.
template <typename T, typename CancellationSlot>
class cancellation_slot_binder {
 public:
  using target_type = T;
  using cancellation_slot_type = CancellationSlot;

  template <typename U>
  cancellation_slot_binder(const cancellation_slot_type& s, U&& u)
      : slot_(s), target_(std::forward<U>(u)) {}

  cancellation_slot_binder(const cancellation_slot_binder&) = default;
  cancellation_slot_binder(cancellation_slot_binder&&) = default;

  template <typename U, typename OtherSlot>
  requires std::constructible_from<T, const U&> &&
      std::constructible_from<CancellationSlot, const OtherSlot&>
      cancellation_slot_binder(const cancellation_slot_binder<U, OtherSlot>& other)
      : slot_(other.get_cancellation_slot()), target_(other.get()) {}

  template <typename U, typename OtherSlot>
  requires std::constructible_from<T, U&&> &&
      std::constructible_from<CancellationSlot, const OtherSlot&>
      cancellation_slot_binder(cancellation_slot_binder<U, OtherSlot>&& other)
      : slot_(other.get_cancellation_slot()), target_(std::move(other.get())) {}

  [[nodiscard]] target_type& get() noexcept { return target_; }
  [[nodiscard]] const target_type& get() const noexcept { return target_; }
  [[nodiscard]] cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }

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
  CancellationSlot slot_;
  T target_;
};

template <typename CancellationSlot, typename T>
[[nodiscard]] cancellation_slot_binder<std::decay_t<T>, CancellationSlot> bind_cancellation_slot(
    const CancellationSlot& s, T&& t) {
  return cancellation_slot_binder<std::decay_t<T>, CancellationSlot>(s, std::forward<T>(t));
}

// Every other association of the binder is its target's. (Its cancellation
// slot is found through the nested type, before any associator.)
template <template <typename, typename> class Associator, typename T, typename CancellationSlot,
          typename DefaultCandidate>
struct associator<Associator, cancellation_slot_binder<T, CancellationSlot>, DefaultCandidate>
    : Associator<T, DefaultCandidate> {
  static typename Associator<T, DefaultCandidate>::type get(
      const cancellation_slot_binder<T, CancellationSlot>& b,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<T, DefaultCandidate>::get(b.get(), c);
  }
};

namespace detail {
// What the wrapped token's async_result names as its return type, if it
// names one (legacy code asks async_result<Token, Sig>::return_type).
template <typename Inner>
struct cancellation_binder_result_base {};
template <typename Inner>
requires requires { typename Inner::return_type; }
struct cancellation_binder_result_base<Inner> {
  using return_type = typename Inner::return_type;
};
}  // namespace detail

// As a completion token: bind_cancellation_slot(slot, token) launches the
// operation with token's handler bound to slot, and returns what token's
// own async_result returns.
template <typename CompletionToken, typename CancellationSlot, completion_signature... Signatures>
class async_result<cancellation_slot_binder<CompletionToken, CancellationSlot>, Signatures...>
    : public detail::cancellation_binder_result_base<async_result<CompletionToken, Signatures...>> {
  template <typename Initiation>
  class init_wrapper {
   public:
    template <typename I>
    init_wrapper(const CancellationSlot& slot, I&& initiation)
        : slot_(slot), initiation_(std::forward<I>(initiation)) {}

    // Initiations that name the I/O object's executor keep doing so.
    template <typename I = Initiation>
    requires requires(const I& i) { i.get_executor(); }
    [[nodiscard]] auto get_executor() const { return initiation_.get_executor(); }

    template <typename Handler, typename... Args>
    void operator()(Handler&& handler, Args&&... args) && {
      std::move(initiation_)(cancellation_slot_binder<std::decay_t<Handler>, CancellationSlot>(
                                 slot_, std::forward<Handler>(handler)),
                             std::forward<Args>(args)...);
    }
    template <typename Handler, typename... Args>
    void operator()(Handler&& handler, Args&&... args) const& {
      initiation_(cancellation_slot_binder<std::decay_t<Handler>, CancellationSlot>(
                      slot_, std::forward<Handler>(handler)),
                  std::forward<Args>(args)...);
    }

   private:
    CancellationSlot slot_;
    Initiation initiation_;
  };

 public:
  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 Args&&... args) {
    using inner_token =
        std::conditional_t<std::is_const_v<std::remove_reference_t<RawCompletionToken>>,
                           const CompletionToken, CompletionToken>;
    return async_initiate<inner_token, Signatures...>(
        init_wrapper<std::decay_t<Initiation>>(token.get_cancellation_slot(),
                                               std::forward<Initiation>(initiation)),
        token.get(), std::forward<Args>(args)...);
  }
};

}  // namespace rill
