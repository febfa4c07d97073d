// rill/detail/wrapped_handler.hpp - a handler that, when called, dispatches
// its target through a dispatcher (io_context::strand::wrap).
#pragma once

#include <concepts>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associator.hpp>
#include <rill/detail/bind_handler.hpp>

namespace rill::detail {

// Calling the wrapper with arguments dispatches the target, bound to those
// arguments, through the dispatcher (whose dispatch(f, a) runs f at once
// when it may, otherwise queues it with memory from a), as Asio's
// wrapped_handler does. The bound target's memory comes from the target's
// associated allocator.
template <typename Dispatcher, typename Handler>
class wrapped_handler {
 public:
  using result_type = void;

  template <typename H>
  wrapped_handler(const Dispatcher& dispatcher, H&& handler)
      : dispatcher_(dispatcher), handler_(std::forward<H>(handler)) {}

  template <typename... Args>
  void operator()(Args&&... args) && {
    auto alloc = get_associated_allocator(handler_);
    dispatcher_.dispatch(bind_handler(std::move(handler_), std::forward<Args>(args)...), alloc);
  }

  // Called as an lvalue (a handler kept and called more than once), the
  // target is copied, as in Asio.
  template <typename... Args>
  requires std::copy_constructible<Handler>
  void operator()(Args&&... args) const& {
    auto alloc = get_associated_allocator(handler_);
    dispatcher_.dispatch(bind_handler(handler_, std::forward<Args>(args)...), alloc);
  }

  Dispatcher dispatcher_;
  Handler handler_;
};

}  // namespace rill::detail

namespace rill {

// The wrapper's allocator, executor and cancellation slot are its target's.
template <template <typename, typename> class Associator, typename Dispatcher, typename Handler,
          typename DefaultCandidate>
struct associator<Associator, detail::wrapped_handler<Dispatcher, Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const detail::wrapped_handler<Dispatcher, Handler>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

}  // namespace rill
