// rill/detail/bind_handler.hpp - a handler together with its completion arguments.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>

namespace rill::detail {

// A completion handler bound to the arguments it will be called with, so the
// result of an operation can travel through an executor as a nullary
// function object. Its associated allocator and executor are the handler's.
template <typename Handler, typename... Args>
class binder {
 public:
  template <typename H, typename... A>
  explicit binder(H&& handler, A&&... args)
      : handler_(std::forward<H>(handler)), args_(std::forward<A>(args)...) {}

  // Called once: the arguments are moved into the handler (results such as
  // an accepted socket may be move-only).
  void operator()() {
    std::apply([this](Args&... args) { std::move(handler_)(std::move(args)...); }, args_);
  }

  Handler& handler() noexcept { return handler_; }
  const Handler& handler() const noexcept { return handler_; }

 private:
  Handler handler_;
  std::tuple<Args...> args_;
};

template <typename Handler, typename... Args>
binder<std::decay_t<Handler>, std::decay_t<Args>...> bind_handler(Handler&& handler,
                                                                  Args&&... args) {
  return binder<std::decay_t<Handler>, std::decay_t<Args>...>(std::forward<Handler>(handler),
                                                              std::forward<Args>(args)...);
}

}  // namespace rill::detail

namespace rill {

template <typename Handler, typename... Args, typename Allocator>
struct associated_allocator<detail::binder<Handler, Args...>, Allocator> {
  using type = associated_allocator_t<Handler, Allocator>;
  static type get(const detail::binder<Handler, Args...>& b,
                  const Allocator& a = Allocator()) noexcept {
    return associated_allocator<Handler, Allocator>::get(b.handler(), a);
  }
};

template <typename Handler, typename... Args, typename Executor>
struct associated_executor<detail::binder<Handler, Args...>, Executor>
    : associated_executor<Handler, Executor> {
  using type = associated_executor_t<Handler, Executor>;
  static type get(const detail::binder<Handler, Args...>& b,
                  const Executor& ex = Executor()) noexcept {
    return associated_executor<Handler, Executor>::get(b.handler(), ex);
  }
};

// The binder's cancellation slot is its handler's.
template <typename Handler, typename... Args, typename CancellationSlot>
struct associator<associated_cancellation_slot, detail::binder<Handler, Args...>, CancellationSlot>
    : associated_cancellation_slot<Handler, CancellationSlot> {
  static associated_cancellation_slot_t<Handler, CancellationSlot> get(
      const detail::binder<Handler, Args...>& b,
      const CancellationSlot& s = CancellationSlot()) noexcept {
    return associated_cancellation_slot<Handler, CancellationSlot>::get(b.handler(), s);
  }
};

}  // namespace rill
