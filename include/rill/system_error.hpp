// rill/system_error.hpp - the exception that carries an error_code.
#pragma once

#include <system_error>

#include <rill/error_code.hpp>

namespace rill {

// Thrown by the throwing overloads of rill's functions (those without an
// error_code& parameter). what() includes the code's message.
using system_error = std::system_error;

}  // namespace rill
