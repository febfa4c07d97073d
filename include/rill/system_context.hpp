// rill/system_context.hpp - the process-wide pool behind system_executor.
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

#include <rill/detail/scheduler.hpp>
#include <rill/execution_context.hpp>
#include <rill/system_executor.hpp>

namespace rill {

// The execution context of system_executor: one per process, created on
// first use, with a pool of threads (twice the hardware concurrency, as in
// Asio) that run posted function objects. It is stopped and joined when the
// program exits; handlers still queued then are destroyed, not invoked.
class system_context : public execution_context {
 public:
  using executor_type = system_executor;

  ~system_context();
  system_context(const system_context&) = delete;
  system_context& operator=(const system_context&) = delete;

  [[nodiscard]] executor_type get_executor() noexcept { return system_executor(); }

  // Stops the pool's threads as soon as possible.
  void stop();
  [[nodiscard]] bool stopped() const noexcept;
  // Waits for the pool's threads to exit (after stop()).
  void join();

 private:
  friend void detail::system_post(detail::operation* op, bool is_continuation);
  friend system_context& detail::system_context_instance() noexcept;
  friend std::size_t detail::system_context_thread_count() noexcept;

  system_context();
  static system_context& instance();

  detail::scheduler& scheduler_;
  std::vector<std::thread> threads_;
};

}  // namespace rill
