// rill/system_timer.hpp - a timer on std::chrono::system_clock.
#pragma once

#include <chrono>

#include <rill/basic_waitable_timer.hpp>

namespace rill {

using system_timer = basic_waitable_timer<std::chrono::system_clock>;

}  // namespace rill
