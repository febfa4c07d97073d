// rill/experimental/as_tuple.hpp - as_tuple under the name Asio 1.22 gives
// it (asio::experimental::as_tuple); the one definition is rill::as_tuple.
#pragma once

#include <rill/as_tuple.hpp>

namespace rill::experimental {

using rill::as_tuple;
using rill::as_tuple_t;

}  // namespace rill::experimental
