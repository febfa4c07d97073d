// rill/signal_set.hpp - a signal set on the default executor.
#pragma once

#include <rill/basic_signal_set.hpp>

namespace rill {

using signal_set = basic_signal_set<>;

}  // namespace rill
