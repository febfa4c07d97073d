// rill/posix/descriptor.hpp - a POSIX descriptor on the default executor.
#pragma once

#include <rill/posix/basic_descriptor.hpp>

namespace rill::posix {

using descriptor = basic_descriptor<>;

}  // namespace rill::posix
