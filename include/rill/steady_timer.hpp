// rill/steady_timer.hpp - a timer on std::chrono::steady_clock.
#pragma once

#include <chrono>

#include <rill/basic_waitable_timer.hpp>

namespace rill {

using steady_timer = basic_waitable_timer<std::chrono::steady_clock>;

}  // namespace rill
