// tests/support/memory_error_recorder.hpp - records rill's memory errors
// (bind_checked, chain_memory) instead of letting them abort the test.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <rill/memory/memory_error.hpp>

namespace rill_test {

// Installs itself as the memory error reporter for its lifetime.
class memory_error_recorder {
 public:
  struct entry {
    rill::memory_error_kind kind;
    std::string message;
    const void* source;
    std::size_t live_allocations;
    std::size_t live_bytes;
  };

  memory_error_recorder()
      : previous_(rill::set_memory_error_reporter([this](const rill::memory_error& e) {
          std::lock_guard lock(mutex_);
          errors_.push_back(
              entry{e.kind, std::string(e.message), e.source, e.live_allocations, e.live_bytes});
        })) {}
  ~memory_error_recorder() { rill::set_memory_error_reporter(std::move(previous_)); }
  memory_error_recorder(const memory_error_recorder&) = delete;
  memory_error_recorder& operator=(const memory_error_recorder&) = delete;

  [[nodiscard]] std::vector<entry> errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }
  [[nodiscard]] std::size_t count(rill::memory_error_kind kind) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const entry& e : errors_) n += e.kind == kind ? 1 : 0;
    return n;
  }
  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return errors_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<entry> errors_;
  rill::memory_error_reporter previous_;
};

}  // namespace rill_test
