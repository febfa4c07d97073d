// rill/experimental/prepend.hpp - prepend under the name Asio 1.22 gives it
// (asio::experimental::prepend); the one definition is rill::prepend.
#pragma once

#include <rill/prepend.hpp>

namespace rill::experimental {

using rill::prepend;
using rill::prepend_t;

}  // namespace rill::experimental
