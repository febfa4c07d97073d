// rill/memory/bind_memory_resource.hpp - operations that take their memory
// from a std::pmr::memory_resource.
//
//   std::pmr::unsynchronized_pool_resource pool;
//   timer.async_wait(rill::bind_memory_resource(&pool, handler));
//   co_await socket.async_read_some(buf, rill::bind_memory_resource(&pool, rill::use_awaitable));
//
// The handler's associated allocator becomes std::pmr::polymorphic_allocator<>
// over the resource, so any std::pmr resource serves the operations
// (unsynchronized_pool_resource, monotonic_buffer_resource, a user's own).
// The resource must outlive the operations, and must be thread-safe if they
// run on several threads at once (synchronized_pool_resource).
#pragma once

#include <memory_resource>
#include <type_traits>
#include <utility>

#include <rill/bind_allocator.hpp>

namespace rill {

// bind_allocator(std::pmr::polymorphic_allocator<>(resource), t): t may be a
// handler or a completion token.
template <typename T>
[[nodiscard]] allocator_binder<std::decay_t<T>, std::pmr::polymorphic_allocator<>>
bind_memory_resource(std::pmr::memory_resource* resource, T&& t) {
  return bind_allocator(std::pmr::polymorphic_allocator<>(resource), std::forward<T>(t));
}

}  // namespace rill
