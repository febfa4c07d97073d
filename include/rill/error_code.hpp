// rill/error_code.hpp - error codes are the standard library's.
#pragma once

#include <system_error>

namespace rill {

// Asio's own error_code exists only for pre-C++11 compilers; with the
// standard <system_error> available it is a typedef, and so are these. Codes
// from rill and from the standard library therefore compare directly.
using error_category = std::error_category;
using error_code = std::error_code;
using error_condition = std::error_condition;

// The category of errno values: the standard system category, so that an
// error_code made from errno and one made from rill::error::basic_errors
// are the same code.
[[nodiscard]] inline const error_category& system_category() noexcept {
  return std::system_category();
}

}  // namespace rill
