// rill/memory/memory_error.hpp - how rill's memory checks report a broken
// rule: a clear message and std::abort, unless a reporter is installed.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace rill {

enum class memory_error_kind : unsigned char {
  // A handler ran while memory allocated for its operation was still live:
  // the operation did not free before invoking (bind_checked).
  live_at_invocation,
  // An allocator was called while another call to it was in progress: two
  // chains share a chain_memory, or an operation broke "never concurrently"
  // (bind_checked, chain_memory).
  concurrent_allocator_call,
  // The last copy of a checked handler, and of its allocator, is gone while
  // memory allocated through it is still live (bind_checked).
  leak,
  // Memory returned through an allocator that did not hand it out, or
  // returned twice (bind_checked, chain_memory); it is not passed on.
  unknown_deallocation,
  // A chain_memory was destroyed while operations still held its memory.
  destroyed_in_use,
};

struct memory_error {
  memory_error_kind kind = memory_error_kind::leak;
  // One line naming the rule and the numbers, valid during the report.
  std::string_view message;
  // The chain_memory, or the checked handler's shared state.
  const void* source = nullptr;
  // Allocations (and their bytes) still live when the error was found.
  std::size_t live_allocations = 0;
  std::size_t live_bytes = 0;
};

using memory_error_reporter = std::function<void(const memory_error&)>;

// Installs the reporter for every memory error, process-wide, and returns the
// previous one. An empty reporter restores the default: print the message
// to stderr and call std::abort. A reporter that returns lets the program
// continue (tests record the errors this way); rill then carries on as
// safely as it can (see each check). Thread-safe; the reporter may be
// called on any thread and must not call set_memory_error_reporter.
memory_error_reporter set_memory_error_reporter(memory_error_reporter reporter);

namespace detail {
// Builds the message (printf-style) and reports it.
[[gnu::format(printf, 5, 6)]] void report_memory_error(memory_error_kind kind, const void* source,
                                                       std::size_t live_allocations,
                                                       std::size_t live_bytes, const char* format,
                                                       ...);
}  // namespace detail

}  // namespace rill
