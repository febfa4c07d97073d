// tests/support/heap_counter.hpp - counts global heap allocations.
#pragma once

#include <cstdint>

namespace rill_test {

// Allocations through the global operator new since the program started:
// every thread, and the calling thread only. The test binary replaces
// operator new (heap_counter.cpp) to count them.
std::uint64_t heap_allocations() noexcept;
std::uint64_t thread_heap_allocations() noexcept;

// Counts the calling thread's heap allocations made during its lifetime.
class heap_scope {
 public:
  heap_scope() noexcept : start_(thread_heap_allocations()) {}
  [[nodiscard]] std::uint64_t count() const noexcept { return thread_heap_allocations() - start_; }

 private:
  std::uint64_t start_;
};

}  // namespace rill_test
