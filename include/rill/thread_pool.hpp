// rill/thread_pool.hpp - a fixed-size pool of threads that run handlers.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <rill/detail/basic_scheduler_executor.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/execution_context.hpp>

namespace rill {

// A pool of threads running the same scheduler as io_context: handlers
// posted to it run on one of the pool's threads (or on a thread that has
// called attach()). As in Asio, the pool keeps running while it has no
// handlers until join() or wait() says no more work will come, or stop()
// is called; the destructor stops and joins, and handlers still queued are
// then destroyed without being invoked.
class thread_pool : public execution_context {
 public:
  template <typename Allocator, unsigned int Bits>
  using basic_executor_type = detail::basic_scheduler_executor<thread_pool, Allocator, Bits>;
  using executor_type = basic_executor_type<std::allocator<void>, 0>;
  using scheduler_type = executor_type;

  // Twice the hardware concurrency threads (at least two), as in Asio.
  thread_pool();
  explicit thread_pool(std::size_t num_threads);
  ~thread_pool();
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;

  [[nodiscard]] executor_type get_executor() noexcept { return executor_type(*this); }
  [[nodiscard]] executor_type executor() noexcept { return executor_type(*this); }
  [[nodiscard]] scheduler_type scheduler() noexcept { return executor_type(*this); }

  // Makes the threads (and attached threads) return as soon as possible;
  // handlers still queued are not run.
  void stop();

  // Runs the pool's handlers on the calling thread too, until the pool is
  // stopped or, after join()/wait(), runs out of work.
  void attach();

  // Waits for the pool's threads to finish. Without a prior stop(), they
  // finish once the pool has no more work: no queued handler, no pending
  // operation, no work guard. Idempotent.
  void join();

  // The same as join(), under its newer name.
  void wait();

 private:
  friend struct detail::scheduler_access;

  detail::scheduler& impl_;
  // The pool's threads plus attached ones: the executors' occupancy, as in
  // Asio.
  std::atomic<std::size_t> num_threads_{0};
  std::vector<std::thread> threads_;
  // Serialises join()/wait(), which give up the pool's own unit of work once.
  std::mutex join_mutex_;
  bool work_released_ = false;
};

}  // namespace rill
