// rill/detail/operation.hpp - the type-erased unit of work run by a scheduler.
#pragma once

#include <cstddef>
#include <system_error>

namespace rill::detail {

// Every queued piece of work (a posted handler, later a completed I/O
// operation) derives from operation. It carries an intrusive link, so queuing
// never allocates, and one function pointer instead of a vtable, so that the
// same entry point both completes and destroys the operation:
//  - owner != nullptr: free the operation's memory, then invoke its handler;
//  - owner == nullptr: free the operation's memory without invoking (shutdown).
class operation {
 public:
  using func_type = void (*)(void* owner, operation* op, const std::error_code& ec,
                             std::size_t bytes_transferred);

  void complete(void* owner, const std::error_code& ec, std::size_t bytes_transferred) {
    func_(owner, this, ec, bytes_transferred);
  }

  // Destroys the operation and frees its memory without invoking the handler.
  void destroy() { func_(nullptr, this, std::error_code(), 0); }

  operation* next_ = nullptr;

 protected:
  explicit operation(func_type func) noexcept : func_(func) {}
  // Destruction always goes through func_, which knows the concrete type.
  ~operation() = default;
  operation(const operation&) = delete;
  operation& operator=(const operation&) = delete;

 private:
  func_type func_;
};

}  // namespace rill::detail
