// rill/system_executor.hpp - the executor that runs anywhere.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include <rill/detail/executor_op.hpp>

namespace rill {

class system_context;

namespace detail {
// Queues op on the system context's thread pool (src/system_context.cpp).
void system_post(operation* op);
}  // namespace detail

// The default associated executor of a handler, as in Asio: dispatch and
// execute run the function object at once in the calling thread; post and
// defer run it on the system context's thread pool. All system executors
// compare equal.
class system_executor {
 public:
  system_executor() noexcept = default;

  [[nodiscard]] system_context& context() const noexcept;

  // The system context never runs out of work; these are no-ops.
  void on_work_started() const noexcept {}
  void on_work_finished() const noexcept {}

  template <typename Function>
  void execute(Function&& f) const {
    std::decay_t<Function> tmp(std::forward<Function>(f));
    std::move(tmp)();
  }

  template <typename Function, typename Allocator>
  void dispatch(Function&& f, const Allocator& /*a*/) const {
    std::decay_t<Function> tmp(std::forward<Function>(f));
    std::move(tmp)();
  }

  template <typename Function, typename Allocator>
  void post(Function&& f, const Allocator& a) const {
    detail::system_post(detail::make_executor_op(std::forward<Function>(f), a));
  }

  template <typename Function, typename Allocator>
  void defer(Function&& f, const Allocator& a) const {
    post(std::forward<Function>(f), a);
  }

  friend constexpr bool operator==(const system_executor&, const system_executor&) noexcept {
    return true;
  }
};

}  // namespace rill
