// rill/detail/throw_error.hpp - turn an error_code into an exception.
#pragma once

#include <rill/error_code.hpp>
#include <rill/system_error.hpp>

namespace rill::detail {

// The throw lives in its own function, out of line and marked cold, so that
// throw_error's test of ec inlines into the fast path of every throwing
// overload without dragging the exception machinery with it.
[[noreturn, gnu::noinline, gnu::cold]] inline void do_throw_error(const error_code& ec) {
  throw system_error(ec);
}

[[noreturn, gnu::noinline, gnu::cold]] inline void do_throw_error(const error_code& ec,
                                                                  const char* location) {
  throw system_error(ec, location);
}

// Throws rill::system_error when ec holds an error; does nothing otherwise.
// The throwing overloads of I/O functions call the error_code& overload and
// then this.
inline void throw_error(const error_code& ec) {
  if (ec) do_throw_error(ec);
}

// As above; what() then starts with location (for example "connect").
inline void throw_error(const error_code& ec, const char* location) {
  if (ec) do_throw_error(ec, location);
}

}  // namespace rill::detail
