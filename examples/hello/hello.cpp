// The README's example: a chain of 1000 handlers whose operations all live
// in one block of memory, found through the handler's nested allocator_type.
#include <cstddef>
#include <cstdio>
#include <new>

#include <rill.hpp>

// One block for one chain: rill frees each operation before invoking its
// handler, so the next post always finds the block free again.
struct block {
  alignas(std::max_align_t) unsigned char bytes[512];
  bool in_use = false;
};

template <typename T>
struct block_allocator {
  using value_type = T;
  block* b;
  explicit block_allocator(block* blk) : b(blk) {}
  template <typename U>
  block_allocator(const block_allocator<U>& other) : b(other.b) {}
  T* allocate(std::size_t n) {
    if (b->in_use || n * sizeof(T) > sizeof(b->bytes)) throw std::bad_alloc();
    b->in_use = true;
    return reinterpret_cast<T*>(b->bytes);
  }
  void deallocate(T*, std::size_t) { b->in_use = false; }
  template <typename U>
  bool operator==(const block_allocator<U>& other) const {
    return b == other.b;
  }
};

struct step {
  using allocator_type = block_allocator<char>;
  allocator_type get_allocator() const noexcept { return allocator_type(mem); }

  rill::io_context* ioc;
  block* mem;
  int* left;
  void operator()() {
    if (--*left > 0) rill::post(*ioc, *this);
  }
};

int main() {
  rill::io_context ioc;
  block mem;
  int left = 1000;
  rill::post(ioc, step{&ioc, &mem, &left});
  std::printf("ran %zu handlers in one block\n", ioc.run());
}
