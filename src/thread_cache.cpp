// The slow paths of the per-thread recycling cache: registration of the
// thread-exit hook, the process-wide depot of block batches, and the heap.
#include <rill/detail/thread_cache.hpp>

#include <mutex>

#include <rill/detail/memory_counters.hpp>

namespace rill::detail::cache {

constinit thread_local thread_state tls_state{};

namespace {

enum class phase : unsigned char { fresh, live, dead };
constinit thread_local phase tls_phase = phase::fresh;

// A batch is a run of free blocks linked through free_block::next; its first
// block also records the next batch in the depot and the batch's length.
// Blocks are at least 64 bytes, so the header always fits.
struct batch_head {
  free_block link;
  batch_head* next_batch;
  std::uint32_t count;
};
static_assert(sizeof(batch_head) <= class_size(0));

constexpr std::uint32_t batch_size(std::size_t cls) noexcept {
  const std::uint32_t half = class_limit(cls) / 2;
  return half == 0 ? 1 : half;
}

// At most ~4 MiB of each class waits in the depot; beyond that, batches go
// back to the heap, so a burst cannot pin memory forever. 4 MiB lets a few
// thousand concurrent coroutines (a frame, a state and an operation each)
// come and go without touching the heap once warm.
constexpr std::size_t depot_max_batches(std::size_t cls) noexcept {
  return (std::size_t{4096} * 1024) / (class_size(cls) * batch_size(cls));
}

class depot {
 public:
  // Returns false when the depot is full; the caller then frees the batch.
  bool put(std::size_t cls, batch_head* batch) noexcept {
    std::lock_guard lock(mutex_);
    if (counts_[cls] >= depot_max_batches(cls)) return false;
    batch->next_batch = heads_[cls];
    heads_[cls] = batch;
    ++counts_[cls];
    return true;
  }

  batch_head* take(std::size_t cls) noexcept {
    std::lock_guard lock(mutex_);
    batch_head* batch = heads_[cls];
    if (batch != nullptr) {
      heads_[cls] = batch->next_batch;
      --counts_[cls];
    }
    return batch;
  }

 private:
  std::mutex mutex_;
  batch_head* heads_[class_count] = {};
  std::size_t counts_[class_count] = {};
};

// Never destroyed: threads may return blocks during static destruction.
depot& the_depot() {
  static depot* d = new depot;
  return *d;
}

void free_list(free_block* block) noexcept {
  while (block != nullptr) {
    free_block* next = block->next;
    ::operator delete(static_cast<void*>(block));
    block = next;
  }
}

// Hands a linked run of count blocks to the depot, or to the heap if full.
void give_batch(std::size_t cls, free_block* first, std::uint32_t count) noexcept {
  auto* head = reinterpret_cast<batch_head*>(first);
  head->count = count;
  if (!the_depot().put(cls, head)) free_list(first);
}

void teardown_thread() noexcept {
  release_thread_blocks();
  for (bucket& b : tls_state.buckets) b.limit = 0;
  tls_phase = phase::dead;
}

struct exit_hook {
  exit_hook() = default;
  exit_hook(const exit_hook&) = delete;
  exit_hook& operator=(const exit_hook&) = delete;
  ~exit_hook() { teardown_thread(); }
};

// First use on a thread: arm the exit hook so the thread's blocks are handed
// back when it ends, and open the free lists.
void register_thread() {
  // The memory counters first, so that their exit hook (if new) runs after
  // this one: operations freed by the cache's teardown are still counted.
  // Registering them here is what lets the operation paths skip their own
  // registration check (detail/memory_counters.hpp).
  memory_counters::register_thread();
  static thread_local exit_hook hook;
  (void)hook;
  for (std::size_t cls = 0; cls < class_count; ++cls) {
    tls_state.buckets[cls].limit = class_limit(cls);
  }
  tls_phase = phase::live;
}

}  // namespace

void* refill(std::size_t cls, bool for_operation) {
  if (tls_phase == phase::fresh) register_thread();
  if (tls_phase == phase::live) {
    if (batch_head* batch = the_depot().take(cls)) {
      bucket& b = tls_state.buckets[cls];
      b.head = batch->link.next;
      b.count = batch->count - 1;
      return batch;
    }
  }
  // A miss: counted, and reported to on_heap_allocation callbacks (one of
  // which may throw to fail the allocation) before the heap is asked.
  memory_counters::note_heap_allocation(class_size(cls), alignof(std::max_align_t),
                                        heap_origin::recycling_cache, nullptr, for_operation);
  return ::operator new(class_size(cls));
}

void overflow(std::size_t cls, void* p) noexcept {
  if (tls_phase == phase::fresh) {
    try {
      register_thread();
    } catch (...) {
      // Could not arm the exit hook: behave as a thread without a cache.
      tls_phase = phase::dead;
    }
  }
  auto* block = static_cast<free_block*>(p);
  bucket& b = tls_state.buckets[cls];
  if (tls_phase != phase::live) {
    give_batch(cls, block, 1);
    return;
  }
  if (b.count < b.limit) {
    block->next = b.head;
    b.head = block;
    ++b.count;
    return;
  }
  // The list is full: hand the freed block plus the newest batch_size-1
  // blocks of the list to the depot as one batch, so a later refill (on this
  // thread or another) takes them back with a single lock.
  const std::uint32_t n = batch_size(cls);
  block->next = b.head;
  free_block* last = block;
  for (std::uint32_t i = 1; i < n; ++i) last = last->next;
  b.head = last->next;
  b.count -= n - 1;
  last->next = nullptr;
  give_batch(cls, block, n);
}

void release_thread_blocks() noexcept {
  for (std::size_t cls = 0; cls < class_count; ++cls) {
    bucket& b = tls_state.buckets[cls];
    const std::uint32_t n = batch_size(cls);
    while (b.head != nullptr) {
      free_block* first = b.head;
      free_block* last = first;
      std::uint32_t count = 1;
      while (count < n && last->next != nullptr) {
        last = last->next;
        ++count;
      }
      b.head = last->next;
      last->next = nullptr;
      give_batch(cls, first, count);
    }
    b.count = 0;
  }
}

void* allocate_large(std::size_t size, std::size_t align, bool for_operation) {
  memory_counters::note_heap_allocation(size, align, heap_origin::recycling_cache, nullptr,
                                        for_operation);
  if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
    return ::operator new (size, std::align_val_t{align});
  }
  return ::operator new(size);
}

void deallocate_large(void* p, std::size_t /*size*/, std::size_t align) noexcept {
  // Unsized forms: clang does not declare sized deallocation by default.
  if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
    ::operator delete (p, std::align_val_t{align});
  } else {
    ::operator delete(p);
  }
}

}  // namespace rill::detail::cache
