// Replaces every global operator new/delete of the executable with versions
// that count allocations, so the benchmark can report heap allocations per
// handler for both libraries without any help from them.
//
// Counting operator new alone is not enough: Asio's recycling allocator gets
// its memory from std::aligned_alloc directly (asio/detail/memory.hpp,
// aligned_new), so an operation that is too big for its cache reaches the heap
// without ever calling operator new. On glibc we therefore also interpose the
// malloc family (glibc supports replacing malloc in the executable) and
// forward to glibc's own allocator through its exported __libc_* entry points.
// Define RILL_BENCH_NO_MALLOC_COUNT to count operator new only (it is also
// off under sanitizers, which interpose malloc themselves).
//
// Include this header in exactly ONE translation unit of a program: it defines
// the replaceable allocation functions ([replacement.functions]), which must
// not be inline and must exist once.
#ifndef RILL_BENCH_COUNTING_NEW_HPP
#define RILL_BENCH_COUNTING_NEW_HPP

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__GLIBC__) && !defined(RILL_BENCH_NO_MALLOC_COUNT) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#if defined(__has_feature)
#if !__has_feature(address_sanitizer) && !__has_feature(thread_sanitizer) && \
    !__has_feature(memory_sanitizer)
#define RILL_BENCH_COUNT_MALLOC 1
#endif
#else
#define RILL_BENCH_COUNT_MALLOC 1
#endif
#endif

namespace bench {

// Relaxed is enough: the harness only reads the counters on the thread that
// ran the io_context, after run() has returned. Both are constant-initialised,
// so they are usable by allocations made before main() and static init.
inline std::atomic<std::uint64_t> operator_new_calls{0};
inline std::atomic<std::uint64_t> malloc_calls{0};  // includes those made by operator new

inline constexpr bool counts_malloc =
#if defined(RILL_BENCH_COUNT_MALLOC)
    true;
#else
    false;
#endif

inline std::uint64_t operator_new_count() noexcept {
  return operator_new_calls.load(std::memory_order_relaxed);
}

inline std::uint64_t malloc_count() noexcept {
  return malloc_calls.load(std::memory_order_relaxed);
}

// Every allocation that reached the heap. When malloc is counted this is the
// malloc count, which already includes operator new (it calls malloc).
inline std::uint64_t heap_allocation_count() noexcept {
  return counts_malloc ? malloc_count() : operator_new_count();
}

namespace counting_new_detail {

// Returns null on failure; callers decide between throwing and nothrow.
inline void* try_allocate(std::size_t size, std::size_t align) noexcept {
  operator_new_calls.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;  // operator new(0) must return a unique pointer.
  for (;;) {
    void* p = nullptr;
    if (align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
      p = std::malloc(size);
    } else {
      // aligned_alloc wants the size to be a multiple of the alignment.
      p = std::aligned_alloc(align, (size + align - 1) / align * align);
    }
    if (p != nullptr) return p;
    // Honour std::set_new_handler like the standard versions do.
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    try {
      handler();
    } catch (...) {
      return nullptr;
    }
  }
}

inline void* allocate_or_throw(std::size_t size, std::size_t align) {
  void* p = try_allocate(size, align);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace counting_new_detail
}  // namespace bench

// The throwing forms.
void* operator new(std::size_t size) {
  return bench::counting_new_detail::allocate_or_throw(size, 0);
}
void* operator new[](std::size_t size) {
  return bench::counting_new_detail::allocate_or_throw(size, 0);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return bench::counting_new_detail::allocate_or_throw(size, static_cast<std::size_t>(align));
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return bench::counting_new_detail::allocate_or_throw(size, static_cast<std::size_t>(align));
}

// The nothrow forms.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return bench::counting_new_detail::try_allocate(size, 0);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return bench::counting_new_detail::try_allocate(size, 0);
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return bench::counting_new_detail::try_allocate(size, static_cast<std::size_t>(align));
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return bench::counting_new_detail::try_allocate(size, static_cast<std::size_t>(align));
}

// Every delete ends in free(): malloc and aligned_alloc memory both go there.
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

#if defined(RILL_BENCH_COUNT_MALLOC)
// glibc's allocator under its internal names; exported for exactly this use.
// NOLINTBEGIN(bugprone-reserved-identifier, readability-identifier-naming)
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t align, std::size_t size);
void __libc_free(void* p);

void* malloc(std::size_t size) noexcept {
  bench::malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  bench::malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(count, size);
}
// Counted whether or not it moves the block: a realloc in a steady-state
// loop is worth seeing either way.
void* realloc(void* p, std::size_t size) noexcept {
  bench::malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, size);
}
void* aligned_alloc(std::size_t align, std::size_t size) noexcept {
  bench::malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(align, size);
}
void* memalign(std::size_t align, std::size_t size) noexcept {
  bench::malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(align, size);
}
int posix_memalign(void** out, std::size_t align, std::size_t size) noexcept {
  bench::malloc_calls.fetch_add(1, std::memory_order_relaxed);
  if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(align, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
void free(void* p) noexcept { __libc_free(p); }
}  // extern "C"
// NOLINTEND(bugprone-reserved-identifier, readability-identifier-naming)
// valloc and pvalloc are left to glibc: everything ends in the same heap,
// so mixing its versions with these is safe, merely uncounted.
#endif  // RILL_BENCH_COUNT_MALLOC

#endif  // RILL_BENCH_COUNTING_NEW_HPP
