// Reporting of memory errors found by bind_checked and chain_memory.
#include <rill/memory/memory_error.hpp>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <utility>

namespace rill {

namespace {

struct reporter_state {
  std::mutex mutex;
  memory_error_reporter reporter;
};

// Never destroyed: errors may be reported during static destruction.
reporter_state& the_state() {
  static reporter_state* s = new reporter_state;
  return *s;
}

}  // namespace

memory_error_reporter set_memory_error_reporter(memory_error_reporter reporter) {
  reporter_state& s = the_state();
  std::lock_guard lock(s.mutex);
  return std::exchange(s.reporter, std::move(reporter));
}

namespace detail {

void report_memory_error(memory_error_kind kind, const void* source, std::size_t live_allocations,
                         std::size_t live_bytes, const char* format, ...) {
  char text[512];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  const std::size_t length =
      n < 0 ? 0
            : (static_cast<std::size_t>(n) < sizeof text ? static_cast<std::size_t>(n)
                                                         : sizeof text - 1);
  const memory_error error{kind, std::string_view(text, length), source, live_allocations,
                           live_bytes};
  memory_error_reporter reporter;
  {
    reporter_state& s = the_state();
    std::lock_guard lock(s.mutex);
    reporter = s.reporter;
  }
  if (reporter) {
    reporter(error);
    return;
  }
  std::fprintf(stderr, "rill: memory error: %s\n", text);
  std::fflush(stderr);
  std::abort();
}

}  // namespace detail

}  // namespace rill
