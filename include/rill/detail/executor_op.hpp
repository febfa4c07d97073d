// rill/detail/executor_op.hpp - a posted function object, queued as an operation.
#pragma once

#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/operation.hpp>

namespace rill::detail {

// Holds a function object submitted with post, dispatch, defer or execute.
// Its memory comes from Alloc (the handler's associated allocator, or the
// executor's), and is returned before the function object is invoked.
template <typename Handler, typename Alloc>
class executor_op final : public operation {
 public:
  template <typename H>
  executor_op(H&& handler, const Alloc& alloc)
      : operation(&executor_op::do_complete), handler_(std::forward<H>(handler)), alloc_(alloc) {}

  static void do_complete(void* owner, operation* base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<executor_op*>(base);
    // Move what we need onto the stack, then free the operation: the handler
    // runs with its memory already returned, so it may reuse the block for
    // the next operation of its chain.
    Alloc alloc(std::move(op->alloc_));
    Handler handler(std::move(op->handler_));
    deallocate_operation(alloc, op);
    if (owner != nullptr) std::move(handler)();
  }

 private:
  Handler handler_;
  // Kept alongside the handler because the memory may come from the
  // executor's allocator rather than the handler's.
  [[no_unique_address]] Alloc alloc_;
};

// Allocates an executor_op for f through alloc.
template <typename Function, typename Alloc>
operation* make_executor_op(Function&& f, const Alloc& alloc) {
  using op_type = executor_op<std::decay_t<Function>, Alloc>;
  return allocate_operation<op_type>(alloc, std::forward<Function>(f), alloc);
}

}  // namespace rill::detail
