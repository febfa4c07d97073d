// The floor of a post-chain benchmark: the least a single-threaded event loop
// can do to hand a type-erased handler from post() to run(). It is the
// "library" of the floor column of bench/post_chain.cpp, which instantiates
// the very same workload against it (net = bench::floor_loop), so the handler
// sizes, the moves and the work per hop are rill's and Asio's.
//
// Per hop it does what any loop of this kind must, and nothing else:
//  - post: take a block from a trivial free list (or from the handler's
//    associated allocator, when it has one), move the handler into it, push
//    the block on an intrusive FIFO;
//  - run: pop the block, call through its function pointer, which moves the
//    handler out onto the stack, returns the block to its free list, and
//    invokes the handler (memory freed before the upcall, as the libraries
//    do, so a chain reuses one block).
// No locks, no atomics, no work counting (run() returns when the queue is
// empty), no thread-local lookup, no statistics, no reactor: one thread, one
// loop. Not a library, not thread-safe; nothing else may use it.
#ifndef RILL_BENCH_FLOOR_LOOP_HPP
#define RILL_BENCH_FLOOR_LOOP_HPP

#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace bench::floor_loop {

class io_context;

// The queued, type-erased unit: an intrusive link and one function pointer
// that either invokes (ctx != nullptr) or only destroys the handler.
struct node {
  node* next = nullptr;
  void (*complete)(io_context* ctx, node* self) = nullptr;
};

class io_context {
 public:
  io_context() = default;
  io_context(const io_context&) = delete;
  io_context& operator=(const io_context&) = delete;

  ~io_context() {
    while (node* n = pop()) n->complete(nullptr, n);
    for (free_block*& list : free_) {
      while (free_block* b = list) {
        list = b->next;
        ::operator delete(static_cast<void*>(b));
      }
    }
  }

  // Runs handlers until the queue is empty; returns how many ran.
  std::size_t run() {
    std::size_t n = 0;
    while (node* op = pop()) {
      op->complete(this, op);
      ++n;
    }
    return n;
  }

  void restart() noexcept {}

  void push(node* n) noexcept {
    n->next = nullptr;
    if (back_ != nullptr) {
      back_->next = n;
    } else {
      front_ = n;
    }
    back_ = n;
  }

  // The trivial free list: one list per power-of-two size class from 64
  // bytes, as a recycling cache has; the class is a compile-time constant at
  // every call site.
  void* allocate(std::size_t size) {
    const std::size_t cls = class_of(size);
    if (free_block* b = free_[cls]) {
      free_[cls] = b->next;
      return b;
    }
    return ::operator new (std::size_t{64} << cls);
  }

  void deallocate(void* p, std::size_t size) noexcept {
    const std::size_t cls = class_of(size);
    auto* b = static_cast<free_block*>(p);
    b->next = free_[cls];
    free_[cls] = b;
  }

 private:
  struct free_block {
    free_block* next;
  };

  static constexpr std::size_t class_of(std::size_t size) noexcept {
    return size <= 64 ? 0 : static_cast<std::size_t>(std::bit_width(size - 1)) - 6;
  }

  node* pop() noexcept {
    node* n = front_;
    if (n != nullptr) {
      front_ = n->next;
      if (front_ == nullptr) back_ = nullptr;
    }
    return n;
  }

  node* front_ = nullptr;
  node* back_ = nullptr;
  free_block* free_[16] = {};
};

namespace floor_detail {

template <typename Handler>
concept has_allocator = requires(const Handler& h) {
  typename Handler::allocator_type;
  h.get_allocator();
};

// A posted handler in its block. With an associated allocator the block
// comes from it (a copy of the allocator is kept to free it); otherwise from
// the context's free list.
template <typename Handler>
struct op : node {
  Handler handler;
};

template <typename Handler>
struct op_with_allocator : node {
  using allocator_type = typename std::allocator_traits<
      typename Handler::allocator_type>::template rebind_alloc<op_with_allocator>;
  Handler handler;
  allocator_type alloc;
};

template <typename Handler>
void complete(io_context* ctx, node* base) {
  if constexpr (has_allocator<Handler>) {
    using op_type = op_with_allocator<Handler>;
    auto* o = static_cast<op_type*>(base);
    typename op_type::allocator_type alloc(std::move(o->alloc));
    Handler handler(std::move(o->handler));
    o->~op_type();
    alloc.deallocate(o, 1);
    if (ctx != nullptr) std::move(handler)();
  } else {
    using op_type = op<Handler>;
    auto* o = static_cast<op_type*>(base);
    Handler handler(std::move(o->handler));
    o->~op_type();
    if (ctx != nullptr) {
      ctx->deallocate(o, sizeof(op_type));
      std::move(handler)();
    } else {
      // Destroyed with the context: its free lists are going away.
      ::operator delete(static_cast<void*>(o));
    }
  }
}

}  // namespace floor_detail

// Queues the handler on ctx; it runs from ctx.run(), never inside this call.
template <typename Handler>
void post(io_context& ctx, Handler&& handler) {
  using handler_t = std::decay_t<Handler>;
  if constexpr (floor_detail::has_allocator<handler_t>) {
    using op_type = floor_detail::op_with_allocator<handler_t>;
    typename op_type::allocator_type alloc(handler.get_allocator());
    op_type* o = alloc.allocate(1);
    ::new (static_cast<void*>(o)) op_type{
        {nullptr, &floor_detail::complete<handler_t>}, std::forward<Handler>(handler), alloc};
    ctx.push(o);
  } else {
    using op_type = floor_detail::op<handler_t>;
    void* memory = ctx.allocate(sizeof(op_type));
    auto* o = ::new (memory)
        op_type{{nullptr, &floor_detail::complete<handler_t>}, std::forward<Handler>(handler)};
    ctx.push(o);
  }
}

}  // namespace bench::floor_loop

#endif  // RILL_BENCH_FLOOR_LOOP_HPP
