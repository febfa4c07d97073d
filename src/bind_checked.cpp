// bind_checked's record of one handler's allocations, and its reports.
#include <rill/memory/bind_checked.hpp>

#include <rill/memory/memory_error.hpp>

namespace rill::detail {

void checked_state::enter_contended() noexcept {
  report_memory_error(memory_error_kind::concurrent_allocator_call, this, live(), 0,
                      "bind_checked: the allocator of handler record %p was called while another "
                      "call to it was in progress; a handler's allocator must never be called "
                      "concurrently",
                      static_cast<const void*>(this));
  mutex_.lock();
}

void checked_state::record_allocation(void* p, std::size_t size) noexcept {
  allocations_.store(allocations_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  live_.store(live_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  live_bytes_ += size;
  for (record& r : records_) {
    if (r.p == nullptr) {
      r = record{p, size};
      return;
    }
  }
  ++untracked_;
}

bool checked_state::record_deallocation(void* p, std::size_t size) noexcept {
  for (record& r : records_) {
    if (r.p == p && p != nullptr) {
      live_bytes_ -= r.size;
      r = record{nullptr, 0};
      live_.store(live_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
      return true;
    }
  }
  if (untracked_ != 0) {
    // Beyond what the record remembers: trust it.
    --untracked_;
    live_.store(live_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    live_bytes_ -= size;
    return true;
  }
  report_memory_error(memory_error_kind::unknown_deallocation, this, live(), live_bytes_,
                      "bind_checked: %zu bytes at %p returned through the allocator of handler "
                      "record %p, which did not allocate them (or they were already returned); "
                      "they are not passed on",
                      size, p, static_cast<const void*>(this));
  return false;
}

void checked_state::check_invocation() noexcept {
  std::size_t live_count = 0;
  std::size_t live_bytes = 0;
  {
    std::lock_guard lock(mutex_);
    live_count = live();
    live_bytes = live_bytes_;
  }
  if (live_count != 0) {
    report_memory_error(memory_error_kind::live_at_invocation, this, live_count, live_bytes,
                        "bind_checked: handler invoked while %zu allocation(s) (%zu bytes) made "
                        "for its operation are still live; an operation must free its memory "
                        "before it invokes the handler",
                        live_count, live_bytes);
  }
}

void checked_state::destroy() noexcept {
  const std::size_t live_count = live();
  if (live_count != 0) {
    report_memory_error(memory_error_kind::leak, this, live_count, live_bytes_,
                        "bind_checked: the last copy of a handler and of its allocator is gone "
                        "while %zu allocation(s) (%zu bytes) made through it are still live: "
                        "they leaked",
                        live_count, live_bytes_);
  }
  delete this;
}

}  // namespace rill::detail
