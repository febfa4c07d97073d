// rill/experimental/append.hpp - append under the name Asio 1.22 gives it
// (asio::experimental::append); the one definition is rill::append.
#pragma once

#include <rill/append.hpp>

namespace rill::experimental {

using rill::append;
using rill::append_t;

}  // namespace rill::experimental
