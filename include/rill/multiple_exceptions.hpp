// rill/multiple_exceptions.hpp - the exception thrown when several
// concurrent operations failed, as Asio's: it carries the first failure.
#pragma once

#include <exception>
#include <utility>

namespace rill {

class multiple_exceptions : public std::exception {
 public:
  explicit multiple_exceptions(std::exception_ptr first) noexcept : first_(std::move(first)) {}

  [[nodiscard]] const char* what() const noexcept override { return "multiple exceptions"; }

  // The exception of the operation that failed first.
  [[nodiscard]] std::exception_ptr first_exception() const { return first_; }

 private:
  std::exception_ptr first_;
};

}  // namespace rill
