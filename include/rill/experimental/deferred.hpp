// rill/experimental/deferred.hpp - the deferred completion token under the
// names Asio 1.22 gives it (asio::experimental::deferred ...). The entities
// are those of <rill/deferred.hpp>: rill::experimental::deferred_t and
// rill::deferred_t are one type, so code using either name interoperates.
#pragma once

#include <rill/deferred.hpp>

namespace rill::experimental {

using rill::deferred;
using rill::deferred_async_operation;
using rill::deferred_conditional;
using rill::deferred_function;
using rill::deferred_init_tag;
using rill::deferred_noop;
using rill::deferred_sequence;
using rill::deferred_signatures;
using rill::deferred_t;
using rill::deferred_values;
using rill::is_deferred;
using rill::operator|;

}  // namespace rill::experimental
