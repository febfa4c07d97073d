#include <rill/system_context.hpp>

#include <algorithm>

namespace rill {

system_context::system_context() : scheduler_(use_service<detail::scheduler>(*this)) {
  // The pool must keep running when its queue is momentarily empty.
  scheduler_.work_started();
  const unsigned hw = std::thread::hardware_concurrency();
  const std::size_t count = std::max<std::size_t>(2, std::size_t{hw} * 2);
  threads_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    threads_.emplace_back([this] { scheduler_.run(); });
  }
}

system_context::~system_context() {
  stop();
  join();
  // Queued handlers are destroyed by execution_context's shutdown.
}

void system_context::stop() { scheduler_.stop(); }

bool system_context::stopped() const noexcept { return scheduler_.stopped(); }

void system_context::join() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

system_context& system_context::instance() {
  static system_context context;
  return context;
}

namespace detail {
void system_post(operation* op, bool is_continuation) {
  system_context::instance().scheduler_.post_immediate(op, is_continuation);
}

system_context& system_context_instance() noexcept { return system_context::instance(); }

std::size_t system_context_thread_count() noexcept {
  return system_context::instance().threads_.size();
}
}  // namespace detail

}  // namespace rill
