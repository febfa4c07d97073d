// rill/detail/wait_handler.hpp - a timer wait carrying its completion handler.
#pragma once

#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/handler_work.hpp>
#include <rill/detail/wait_op.hpp>

namespace rill::detail {

template <typename Handler, typename IoExecutor>
class wait_handler final : public wait_op {
 public:
  template <typename H>
  wait_handler(H&& handler, const IoExecutor& io_ex)
      : wait_op(&wait_handler::do_complete),
        handler_(std::forward<H>(handler)),
        work_(handler_, io_ex) {}

  static void do_complete(void* owner, operation* base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<wait_handler*>(base);
    // Take everything the upcall needs, then free the operation's memory
    // before invoking: the handler may start its next wait in that block.
    auto alloc = get_associated_allocator(op->handler_);
    handler_work<Handler, IoExecutor> work(std::move(op->work_));
    Handler handler(std::move(op->handler_));
    const std::error_code ec = op->ec_;
    deallocate_operation(alloc, op);
    if (owner != nullptr) work.complete(handler, ec);
  }

 private:
  Handler handler_;
  [[no_unique_address]] handler_work<Handler, IoExecutor> work_;
};

}  // namespace rill::detail
