// rill/high_resolution_timer.hpp - a timer on std::chrono::high_resolution_clock.
#pragma once

#include <chrono>

#include <rill/basic_waitable_timer.hpp>

namespace rill {

using high_resolution_timer = basic_waitable_timer<std::chrono::high_resolution_clock>;

}  // namespace rill
