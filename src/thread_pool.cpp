#include <rill/thread_pool.hpp>

#include <algorithm>
#include <stdexcept>

namespace rill {

namespace {

std::size_t default_thread_pool_size() {
  const std::size_t hw = std::thread::hardware_concurrency();
  return std::max<std::size_t>(2, hw * 2);
}

// Asio's concurrency hint for a pool: 1 for a single thread, else "safe".
int pool_concurrency_hint(std::size_t num_threads) {
  if (num_threads > 0x7FFFFFFF) throw std::out_of_range("thread pool size");
  return num_threads == 1 ? 1 : 0;
}

}  // namespace

thread_pool::thread_pool() : thread_pool(default_thread_pool_size()) {}

thread_pool::thread_pool(std::size_t num_threads)
    : impl_(make_service<detail::scheduler>(*this, pool_concurrency_hint(num_threads))) {
  // The pool's own unit of work: its threads keep waiting for handlers while
  // the queue is empty, until join()/wait() gives it up.
  impl_.work_started();
  num_threads_.store(num_threads, std::memory_order_relaxed);
  threads_.reserve(num_threads);
  try {
    for (std::size_t i = 0; i < num_threads; ++i) {
      threads_.emplace_back([this] { impl_.run(); });
    }
  } catch (...) {
    stop();
    for (std::thread& t : threads_) t.join();
    throw;
  }
}

thread_pool::~thread_pool() {
  stop();
  join();
  // Handlers still queued are destroyed by execution_context's shutdown.
}

void thread_pool::stop() { impl_.stop(); }

void thread_pool::attach() {
  num_threads_.fetch_add(1, std::memory_order_relaxed);
  impl_.run();
}

void thread_pool::join() {
  std::lock_guard lock(join_mutex_);
  if (!work_released_) {
    work_released_ = true;
    impl_.work_finished();
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void thread_pool::wait() { join(); }

}  // namespace rill
