// rill/static_thread_pool.hpp - the older name of thread_pool, as in Asio.
#pragma once

#include <rill/thread_pool.hpp>

namespace rill {

using static_thread_pool = thread_pool;

}  // namespace rill
