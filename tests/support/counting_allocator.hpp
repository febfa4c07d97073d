// tests/support/counting_allocator.hpp - allocators that record what the
// library asks of them.
#pragma once

#include <atomic>
#include <cstddef>
#include <new>
#include <thread>

namespace rill_test {

// What one handler's allocator was asked to do.
struct allocation_log {
  std::atomic<int> allocations{0};
  std::atomic<int> deallocations{0};
  std::atomic<std::size_t> last_size{0};
  [[nodiscard]] int live() const noexcept { return allocations.load() - deallocations.load(); }
};

// A stateful allocator that counts allocations in a log, and can be told to
// throw (to test that an initiating function then throws, leaking nothing).
template <typename T>
class counting_allocator {
 public:
  using value_type = T;

  explicit counting_allocator(allocation_log& log, bool throws = false) noexcept
      : log_(&log), throws_(throws) {}
  template <typename U>
  counting_allocator(const counting_allocator<U>& other) noexcept
      : log_(other.log_), throws_(other.throws_) {}

  T* allocate(std::size_t n) {
    if (throws_) throw std::bad_alloc();
    log_->allocations.fetch_add(1);
    log_->last_size.store(n * sizeof(T));
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{alignof(T)}));
  }

  void deallocate(T* p, std::size_t /*n*/) noexcept {
    log_->deallocations.fetch_add(1);
    ::operator delete (p, std::align_val_t{alignof(T)});
  }

  template <typename U>
  bool operator==(const counting_allocator<U>& other) const noexcept {
    return log_ == other.log_;
  }

  [[nodiscard]] allocation_log& log() const noexcept { return *log_; }

 private:
  template <typename U>
  friend class counting_allocator;
  allocation_log* log_;
  bool throws_;
};

// State shared by every copy of one handler's checking_allocator.
struct check_log {
  std::atomic<bool> in_call{false};
  std::atomic<int> concurrent_calls{0};
  std::atomic<int> allocations{0};
  std::atomic<int> deallocations{0};
  [[nodiscard]] int live() const noexcept { return allocations.load() - deallocations.load(); }
};

// An allocator that detects concurrent calls for one handler (the library
// must never make them) and lets a test check for leaks at the end. Each call
// lingers briefly so that overlapping calls, if any, are caught.
template <typename T>
class checking_allocator {
 public:
  using value_type = T;

  explicit checking_allocator(check_log& log) noexcept : log_(&log) {}
  template <typename U>
  checking_allocator(const checking_allocator<U>& other) noexcept : log_(other.log_) {}

  T* allocate(std::size_t n) {
    enter();
    log_->allocations.fetch_add(1);
    T* p = static_cast<T*>(::operator new(n * sizeof(T)));
    leave();
    return p;
  }

  void deallocate(T* p, std::size_t /*n*/) noexcept {
    enter();
    log_->deallocations.fetch_add(1);
    ::operator delete(p);
    leave();
  }

  template <typename U>
  bool operator==(const checking_allocator<U>& other) const noexcept {
    return log_ == other.log_;
  }

 private:
  template <typename U>
  friend class checking_allocator;

  void enter() noexcept {
    if (log_->in_call.exchange(true, std::memory_order_acq_rel))
      log_->concurrent_calls.fetch_add(1);
    std::this_thread::yield();
  }
  void leave() noexcept { log_->in_call.store(false, std::memory_order_release); }

  check_log* log_;
};

}  // namespace rill_test
