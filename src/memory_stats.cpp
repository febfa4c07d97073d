// Memory statistics: the registry of per-thread counter blocks, the folding
// of exited threads, and the on_heap_allocation callbacks.
#include <rill/memory/memory_stats.hpp>
#include <rill/memory/on_heap_allocation.hpp>

#include <mutex>
#include <new>
#include <shared_mutex>
#include <stdexcept>
#include <utility>

#include <rill/detail/memory_counters.hpp>

namespace rill {

namespace detail {
struct heap_hook_node {
  heap_allocation_callback callback;
  // Set when the hook was removed from inside a callback, where the list
  // cannot be changed; the node is unlinked by the next install or removal.
  std::atomic<bool> removed{false};
  heap_hook_node* next = nullptr;
};
}  // namespace detail

namespace detail::memory_counters {

namespace {

std::uint64_t since(const counter<std::uint64_t>& c, std::uint64_t base) noexcept {
  return c.load() - base;
}

// A thread's live count and its peak since the last reset, as another
// thread sees them (see thread_block::headroom).
struct live_view {
  std::int64_t live;
  std::int64_t peak;
};

// Undoes reset pokes that the owner has not seen yet.
std::int64_t unpoked(std::int64_t headroom) noexcept {
  while (headroom < -reset_poke / 2) headroom += reset_poke;
  return headroom;
}

live_view view(const thread_block& b) noexcept {
  const std::int64_t peak = b.peak.load();
  const std::int64_t live = peak - unpoked(b.headroom.load());
  // A reset the owner has not applied: it has not allocated since (its
  // next allocation applies it), so nothing rose above the reset's level.
  if (b.reset_pending.load(std::memory_order_acquire)) {
    const std::int64_t at_reset = b.reset_live.load(std::memory_order_relaxed);
    return {live, live > at_reset ? live : at_reset};
  }
  return {live, live > peak ? live : peak};
}

// Adds the block's counts since the last reset. live and peak_live are
// the thread's rise since then: its live count minus the one at the reset,
// and the highest such value.
void add_block(memory_stats& s, const thread_block& b) noexcept {
  const std::uint64_t from_cache = since(b.cache_allocations, b.base_cache_allocations);
  const std::uint64_t misses = since(b.cache_misses, b.base_cache_misses);
  s.handler_allocator += since(b.handler_allocator, b.base_handler_allocator);
  // The two counts are read one after the other while the thread may be
  // counting: never report more misses than allocations.
  s.cache_hits += from_cache >= misses ? from_cache - misses : 0;
  s.cache_misses += misses;
  s.bytes += since(b.bytes, b.base_bytes);
  s.heap_allocations += since(b.heap_allocations, b.base_heap_allocations);
  s.heap_bytes += since(b.heap_bytes, b.base_heap_bytes);
  const live_view v = view(b);
  s.live += v.live - b.base_live;
  s.peak_live += v.peak - b.base_live;
}

// Starts the block's counts again, from live, its live count read once by
// the caller. Requires the registry's mutex.
void rebase_block(thread_block& b, std::int64_t live) noexcept {
  b.base_handler_allocator = b.handler_allocator.load();
  b.base_cache_allocations = b.cache_allocations.load();
  b.base_cache_misses = b.cache_misses.load();
  b.base_bytes = b.bytes.load();
  b.base_heap_allocations = b.heap_allocations.load();
  b.base_heap_bytes = b.heap_bytes.load();
  b.base_live = live;
  // The peak belongs to the owner: ask it to restart from live, and make
  // its next allocation take the slow path, where it does so. The poke is a
  // locked subtraction; if it meets the owner's own update of the headroom
  // at the same moment, the owner's store wins and the poke is lost (never
  // the owner's update), which shows as an unpoked headroom with the
  // request still pending: poke again.
  b.reset_live.store(live, std::memory_order_relaxed);
  b.reset_pending.store(true, std::memory_order_release);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    b.headroom.fetch_sub(reset_poke);
    if (b.headroom.load() < -reset_poke / 2 || !b.reset_pending.load(std::memory_order_acquire)) {
      break;
    }
  }
}

// Process-wide state. Never destroyed (threads fold their counters during
// static destruction too) and built in static storage, so that the first
// count on the first thread does not itself allocate.
struct registry {
  std::mutex mutex;
  thread_block* head = nullptr;
  // Threads that have exited, and counts made after a thread's block was
  // folded (its thread_local destructors still running), since the last
  // reset; live and peak_live as rises (see add_block).
  memory_stats exited;
  // Operations live in the whole process at the last reset.
  std::int64_t live_at_reset = 0;

  std::shared_mutex hooks_mutex;
  detail::heap_hook_node* hooks = nullptr;
  std::atomic<int> hook_count{0};
};

registry& the_registry() noexcept {
  alignas(registry) static unsigned char storage[sizeof(registry)];
  static registry* r = ::new (static_cast<void*>(storage)) registry;
  return *r;
}

constinit thread_local bool tls_in_hook = false;

void unregister_thread() noexcept {
  registry& r = the_registry();
  std::lock_guard lock(r.mutex);
  thread_block& b = this_thread();
  add_block(r.exited, b);
  if (b.prev != nullptr) {
    b.prev->next = b.next;
  } else {
    r.head = b.next;
  }
  if (b.next != nullptr) b.next->prev = b.prev;
  b.prev = b.next = nullptr;
  b.state = phase::dead;
  // Counts made from now on (by thread_local destructors that run after
  // this one) go nowhere; the slow path must not be taken any more.
  b.headroom.set(reset_poke);
}

struct exit_hook {
  exit_hook() = default;
  exit_hook(const exit_hook&) = delete;
  exit_hook& operator=(const exit_hook&) = delete;
  ~exit_hook() { unregister_thread(); }
};

// Frees nodes of hooks removed from inside a callback. Requires the
// exclusive hooks lock.
void purge_removed_hooks(registry& r) noexcept {
  detail::heap_hook_node** link = &r.hooks;
  while (*link != nullptr) {
    detail::heap_hook_node* node = *link;
    if (node->removed.load(std::memory_order_relaxed)) {
      *link = node->next;
      delete node;
    } else {
      link = &node->next;
    }
  }
}

void call_hooks(const heap_allocation& info) {
  registry& r = the_registry();
  if (r.hook_count.load(std::memory_order_acquire) == 0 || tls_in_hook) return;
  struct in_hook_scope {
    in_hook_scope() noexcept { tls_in_hook = true; }
    ~in_hook_scope() { tls_in_hook = false; }
    in_hook_scope(const in_hook_scope&) = delete;
    in_hook_scope& operator=(const in_hook_scope&) = delete;
  } scope;
  std::shared_lock lock(r.hooks_mutex);
  for (detail::heap_hook_node* node = r.hooks; node != nullptr; node = node->next) {
    if (!node->removed.load(std::memory_order_acquire)) node->callback(info);
  }
}

}  // namespace

void register_thread() noexcept {
  thread_block& b = this_thread();
  if (b.state != phase::fresh) return;
  static thread_local exit_hook hook;
  (void)hook;
  registry& r = the_registry();
  std::lock_guard lock(r.mutex);
  b.next = r.head;
  if (r.head != nullptr) r.head->prev = &b;
  r.head = &b;
  b.state = phase::live;
  // Counted so far unregistered, from peak 0 and headroom 0; make the
  // headroom consistent with the peak (never below the live count).
  const std::int64_t live = b.peak.value() - b.headroom.value();
  if (live > b.peak.value()) b.peak.set(live);
  b.headroom.set(b.peak.value() - live);
}

void note_headroom_exhausted(thread_block& b) noexcept {
  if (b.state == phase::fresh) {
    register_thread();
    return;
  }
  if (b.state != phase::live) return;
  const std::int64_t headroom = unpoked(b.headroom.value());
  std::int64_t peak = b.peak.value();
  const std::int64_t live = peak - headroom;
  if (b.reset_pending.load(std::memory_order_acquire)) {
    // Apply reset_memory_stats(): the peak restarts from the live count
    // at the reset.
    const std::int64_t at_reset = b.reset_live.load(std::memory_order_relaxed);
    peak = at_reset;
    b.reset_pending.store(false, std::memory_order_release);
  }
  if (live > peak) peak = live;
  b.peak.set(peak);
  b.headroom.set(peak - live);
}

void note_heap_allocation(std::size_t size, std::size_t alignment, heap_origin origin,
                          const void* source_object, bool for_operation) {
  ensure_registered();
  thread_block& b = this_thread();
  if (b.state == phase::live) {
    b.heap_allocations.add(1);
    b.heap_bytes.add(size);
    if (for_operation) b.cache_misses.add(1);
  } else {
    registry& r = the_registry();
    std::lock_guard lock(r.mutex);
    ++r.exited.heap_allocations;
    r.exited.heap_bytes += size;
    if (for_operation) ++r.exited.cache_misses;
  }
  call_hooks(heap_allocation{size, alignment, origin, source_object});
}

}  // namespace detail::memory_counters

namespace mc = detail::memory_counters;

memory_stats get_memory_stats() {
  mc::registry& r = mc::the_registry();
  std::lock_guard lock(r.mutex);
  memory_stats s = r.exited;
  for (const mc::thread_block* b = r.head; b != nullptr; b = b->next) mc::add_block(s, *b);
  // From rises to absolute figures. The peak adds every thread's highest
  // rise: exact when one thread allocates and frees, an upper bound when
  // threads rise at different times.
  s.live += r.live_at_reset;
  s.peak_live += r.live_at_reset;
  return s;
}

memory_stats this_thread_memory_stats() {
  mc::ensure_registered();
  const mc::thread_block& b = mc::this_thread();
  memory_stats s;
  if (b.state != mc::phase::live) return s;
  mc::registry& r = mc::the_registry();
  std::lock_guard lock(r.mutex);  // the baseline is written under it
  mc::add_block(s, b);
  return s;
}

void reset_memory_stats() {
  mc::registry& r = mc::the_registry();
  std::lock_guard lock(r.mutex);
  std::int64_t live = r.live_at_reset + r.exited.live;
  for (mc::thread_block* b = r.head; b != nullptr; b = b->next) {
    // One read for both uses: the owner may be counting meanwhile.
    const std::int64_t block_live = mc::view(*b).live;
    live += block_live - b->base_live;
    mc::rebase_block(*b, block_live);
  }
  r.exited = memory_stats{};
  r.live_at_reset = live;
}

heap_allocation_hook on_heap_allocation(heap_allocation_callback callback) {
  if (mc::tls_in_hook) {
    throw std::logic_error(
        "rill::on_heap_allocation called from inside a heap allocation callback");
  }
  auto* node = new detail::heap_hook_node;
  node->callback = std::move(callback);
  mc::registry& r = mc::the_registry();
  std::unique_lock lock(r.hooks_mutex);
  mc::purge_removed_hooks(r);
  node->next = r.hooks;
  r.hooks = node;
  r.hook_count.fetch_add(1, std::memory_order_release);
  return heap_allocation_hook(node);
}

void heap_allocation_hook::remove() noexcept {
  detail::heap_hook_node* node = std::exchange(node_, nullptr);
  if (node == nullptr) return;
  mc::registry& r = mc::the_registry();
  r.hook_count.fetch_sub(1, std::memory_order_release);
  node->removed.store(true, std::memory_order_release);
  // Inside a callback this thread holds the hooks lock shared: leave the
  // node marked for the next install or removal to free.
  if (mc::tls_in_hook) return;
  std::unique_lock lock(r.hooks_mutex);
  mc::purge_removed_hooks(r);
}

}  // namespace rill
