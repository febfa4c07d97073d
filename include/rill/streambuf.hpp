// rill/streambuf.hpp - the usual basic_streambuf.
#pragma once

#include <rill/basic_streambuf.hpp>

namespace rill {

using streambuf = basic_streambuf<>;

}  // namespace rill
