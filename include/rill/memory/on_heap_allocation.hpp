// rill/memory/on_heap_allocation.hpp - be told whenever memory for
// asynchronous work comes from the global heap.
//
//   auto hook = rill::on_heap_allocation([](const rill::heap_allocation& a) {
//     if (warmed_up) std::fprintf(stderr, "heap: %zu bytes\n", a.size);
//   });
//
// rill's default path reuses memory (the recycling cache, chain_memory), so
// after warm-up a server should see no callback at all; a test can turn any
// callback into a failure, a production server can log or count.
#pragma once

#include <cstddef>
#include <functional>

#include <rill/detail/memory_thread_block.hpp>

namespace rill {

// One allocation from the global heap. origin and source say who asked:
// source is the chain_memory for the chain_memory origins, else null.
struct heap_allocation {
  std::size_t size = 0;
  std::size_t alignment = 0;
  heap_origin origin = heap_origin::recycling_cache;
  const void* source = nullptr;
};

using heap_allocation_callback = std::function<void(const heap_allocation&)>;

namespace detail {
struct heap_hook_node;
}  // namespace detail

// Keeps a callback installed; destroying it (or remove()) takes it out.
class heap_allocation_hook {
 public:
  heap_allocation_hook() noexcept = default;
  heap_allocation_hook(heap_allocation_hook&& other) noexcept : node_(other.node_) {
    other.node_ = nullptr;
  }
  heap_allocation_hook& operator=(heap_allocation_hook&& other) noexcept {
    if (this != &other) {
      remove();
      node_ = other.node_;
      other.node_ = nullptr;
    }
    return *this;
  }
  heap_allocation_hook(const heap_allocation_hook&) = delete;
  heap_allocation_hook& operator=(const heap_allocation_hook&) = delete;
  ~heap_allocation_hook() { remove(); }

  // Uninstalls the callback. When remove() returns, the callback is no
  // longer running on any thread and will not be called again (called from
  // inside a callback, it only guarantees the latter).
  void remove() noexcept;

  [[nodiscard]] bool active() const noexcept { return node_ != nullptr; }

 private:
  friend heap_allocation_hook on_heap_allocation(heap_allocation_callback callback);
  explicit heap_allocation_hook(detail::heap_hook_node* node) noexcept : node_(node) {}

  detail::heap_hook_node* node_ = nullptr;
};

// Installs callback, called on the allocating thread just before memory
// for asynchronous work is taken from the global heap: a recycling-cache
// miss (an operation, a coroutine frame, a cancellation handler), a
// chain_memory slot growing, a chain_memory fallback. Several callbacks may
// be installed; each is called, newest first. Thread-safe.
//
// A callback that throws makes the allocation throw (the initiating
// function then throws and nothing leaks). Heap allocations a callback
// itself causes are counted but not reported to callbacks, and a callback
// must not install another one (std::logic_error).
[[nodiscard]] heap_allocation_hook on_heap_allocation(heap_allocation_callback callback);

}  // namespace rill
