// rill/execution/bad_executor.hpp - thrown when an empty polymorphic executor
// is used.
#pragma once

#include <exception>

namespace rill::execution {

class bad_executor : public std::exception {
 public:
  bad_executor() noexcept = default;
  [[nodiscard]] const char* what() const noexcept override { return "bad executor"; }
};

}  // namespace rill::execution
