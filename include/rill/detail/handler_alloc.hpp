// rill/detail/handler_alloc.hpp - allocate and free operations through the
// handler's associated allocator.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/detail/memory_counters.hpp>
#include <rill/detail/thread_cache.hpp>
#include <rill/recycling_allocator.hpp>

namespace rill::detail {

template <typename Alloc>
struct is_std_allocator : std::false_type {};
template <typename T>
struct is_std_allocator<std::allocator<T>> : std::true_type {};

// The allocator an operation really uses: the handler's own, except that the
// default std::allocator is served by the per-thread recycling cache, so that
// handlers with no allocator of their own allocate nothing in steady state.
template <typename Alloc>
using operation_allocator_t =
    std::conditional_t<is_std_allocator<Alloc>::value, recycling_allocator<void>, Alloc>;

template <typename Alloc>
operation_allocator_t<Alloc> operation_allocator(const Alloc& a) noexcept {
  if constexpr (is_std_allocator<Alloc>::value) {
    return recycling_allocator<void>();
  } else {
    return a;
  }
}

template <typename Op, typename Alloc>
using rebound_allocator_t =
    typename std::allocator_traits<operation_allocator_t<Alloc>>::template rebind_alloc<Op>;

// Allocates and constructs an Op through the allocator a (rebound). If the
// allocator or the constructor throws, nothing is left allocated and the
// exception propagates to the initiating function. Every operation is
// counted here and in deallocate_operation (rill/memory/memory_stats.hpp).
template <typename Op, typename Alloc, typename... Args>
Op* allocate_operation(const Alloc& a, Args&&... args) {
  using rebound = rebound_allocator_t<Op, Alloc>;
  using traits = std::allocator_traits<rebound>;
  rebound alloc(operation_allocator(a));
  Op* memory = nullptr;
  if constexpr (is_std_allocator<Alloc>::value) {
    // The recycling cache; its slow path counts a miss.
    memory = static_cast<Op*>(cache::allocate_operation_block(sizeof(Op), alignof(Op)));
    memory_counters::note_cache_allocation(sizeof(Op));
  } else {
    memory = std::to_address(traits::allocate(alloc, 1));
    memory_counters::note_handler_allocation(sizeof(Op));
  }
  try {
    return ::new (static_cast<void*>(memory)) Op(std::forward<Args>(args)...);
  } catch (...) {
    traits::deallocate(alloc, memory, 1);
    memory_counters::note_deallocation();
    throw;
  }
}

// Destroys op and returns its memory through the allocator a (rebound). The
// caller takes a copy of the allocator before the handler is moved out of
// the operation, because a moved-from handler need not still know it.
template <typename Op, typename Alloc>
void deallocate_operation(const Alloc& a, Op* op) noexcept {
  using rebound = rebound_allocator_t<Op, Alloc>;
  using traits = std::allocator_traits<rebound>;
  rebound alloc(operation_allocator(a));
  op->~Op();
  traits::deallocate(alloc, op, 1);
  memory_counters::note_deallocation();
}

}  // namespace rill::detail
