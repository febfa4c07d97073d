// rill/detail/composed_op.hpp - what every composed operation shares: the
// user's handler, and the handler's allocator and executor.
#pragma once

#include <concepts>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/associator.hpp>
#include <rill/cancellation_state.hpp>
#include <rill/detail/base_from_cancellation_state.hpp>

namespace rill::detail {

// The base of rill's composed operations (async_read, async_write,
// async_read_until, async_connect). A composed operation is a small state
// machine: it starts an intermediate operation (async_read_some, ...) with
// itself, moved, as that operation's handler, and when that completes it
// either starts the next one or calls the user's handler.
//
// The specialisations below make the operation's associated allocator and
// executor those of the user's handler. So every intermediate operation
// allocates through the user's allocator and completes on the user's
// executor; and since each intermediate operation frees its memory before it
// invokes its handler (this operation), the next step allocates the block
// the previous one just gave back: a composed operation of any number of
// steps holds one block at a time.
//
// A handler with a cancellation slot gets a cancellation_state attached to
// it (base_from_cancellation_state): the step in flight listens on the
// state's child slot, and the operation stops between steps with
// operation_aborted once terminal or partial cancellation was requested.
template <typename Handler>
class composed_op_base : public base_from_cancellation_state<Handler> {
 public:
  using composed_handler_type = Handler;

  [[nodiscard]] const Handler& handler() const noexcept { return handler_; }

 protected:
  template <typename H>
  explicit composed_op_base(H&& handler)
      : base_from_cancellation_state<Handler>(handler, enable_partial_cancellation()),
        handler_(std::forward<H>(handler)) {}

  // With another filter for the cancellation types let through
  // (async_compose's operation allows terminal cancellation only, as Asio's).
  template <typename H, typename Filter>
  composed_op_base(H&& handler, Filter filter)
      : base_from_cancellation_state<Handler>(handler, filter),
        handler_(std::forward<H>(handler)) {}

  // Invokes the user's handler. The caller returns right after: the
  // operation is moved-from, and may be destroyed by its owner at any time.
  template <typename... Args>
  void complete(Args&&... args) {
    std::move(handler_)(std::forward<Args>(args)...);
  }

  Handler handler_;
};

template <typename T>
concept composed_operation = requires {
  typename T::composed_handler_type;
}
&&std::derived_from<T, composed_op_base<typename T::composed_handler_type>>;

}  // namespace rill::detail

namespace rill {

// A composed operation's associations (allocator, executor, cancellation
// slot) are its handler's, as Asio's associator specialisation for its
// composed operations. Deriving from the handler's associator carries over
// its "no executor of its own" marker, so a plain handler's intermediate
// operations complete directly on the I/O object's context, as a plain
// handler's single operation does. An operation that names its own executor
// or allocator type (async_compose's) takes precedence over this.
template <template <typename, typename> class Associator, typename Op, typename DefaultCandidate>
requires detail::composed_operation<Op>
struct associator<Associator, Op, DefaultCandidate>
    : Associator<typename Op::composed_handler_type, DefaultCandidate> {
  using handler_associator = Associator<typename Op::composed_handler_type, DefaultCandidate>;
  using typename handler_associator::type;
  static type get(const Op& op, const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return handler_associator::get(op.handler(), c);
  }
};

}  // namespace rill
