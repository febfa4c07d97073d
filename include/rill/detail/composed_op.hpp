// rill/detail/composed_op.hpp - what every composed operation shares: the
// user's handler, and the handler's allocator and executor.
#pragma once

#include <concepts>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>

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
template <typename Handler>
class composed_op_base {
 public:
  using composed_handler_type = Handler;

  [[nodiscard]] const Handler& handler() const noexcept { return handler_; }

 protected:
  template <typename H>
  explicit composed_op_base(H&& handler) : handler_(std::forward<H>(handler)) {}

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

// A composed operation's allocator is its handler's.
template <typename Op, typename Allocator>
requires detail::composed_operation<Op>
struct associated_allocator<Op, Allocator>
    : associated_allocator<typename Op::composed_handler_type, Allocator> {
  using handler_associator = associated_allocator<typename Op::composed_handler_type, Allocator>;
  using typename handler_associator::type;
  static type get(const Op& op, const Allocator& a = Allocator()) noexcept {
    return handler_associator::get(op.handler(), a);
  }
};

// A composed operation's executor is its handler's. Deriving from the
// handler's associator carries over its "no executor of its own" marker, so
// a plain handler's intermediate operations complete directly on the I/O
// object's context, as a plain handler's single operation does.
template <typename Op, typename Executor>
requires detail::composed_operation<Op>
struct associated_executor<Op, Executor>
    : associated_executor<typename Op::composed_handler_type, Executor> {
  using handler_associator = associated_executor<typename Op::composed_handler_type, Executor>;
  using typename handler_associator::type;
  static type get(const Op& op, const Executor& ex = Executor()) noexcept {
    return handler_associator::get(op.handler(), ex);
  }
};

}  // namespace rill
