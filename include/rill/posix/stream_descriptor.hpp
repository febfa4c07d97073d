// rill/posix/stream_descriptor.hpp - a stream descriptor on the default executor.
#pragma once

#include <rill/posix/basic_stream_descriptor.hpp>

namespace rill::posix {

using stream_descriptor = basic_stream_descriptor<>;

}  // namespace rill::posix
