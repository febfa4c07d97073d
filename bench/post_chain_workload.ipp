// The post-chain workload, written once against the namespace alias `net`.
//
// This file is deliberately not a header: post_chain.cpp includes it three
// times, inside `namespace bench_asio { namespace net = ::asio; }`, inside
// `namespace bench_rill { namespace net = ::rill; }` and inside
// `namespace bench_floor { namespace net = ::bench::floor_loop; }` (the bare
// loop of floor_loop.hpp), so that all three run byte-for-byte the same code.
// It must therefore not include anything itself (the including file includes
// <asio.hpp>, <rill.hpp> and the standard headers at global scope) and may
// only use names that all three share: io_context, post, run, restart, and
// associated allocators found through a nested allocator_type.

// One chain: the counter the chain runs down, plus the arena its handlers
// allocate from when the row uses the custom allocator.
struct chain_state {
  net::io_context* ioc = nullptr;
  std::uint64_t remaining = 0;  // handlers still to run, including the posted one
  std::uint64_t handled = 0;    // handlers run since the chain was started
  std::uint64_t checksum = 0;   // keeps the payload observable
  bench::handler_memory memory;
};

// The payload that makes sizeof(handler) about the row's handler size. A
// specialisation for zero bytes because std::array<T, 0> still takes a byte,
// which would turn the 8-byte handler into a 16-byte one.
template <std::size_t Bytes>
struct payload {
  std::array<std::byte, Bytes> bytes{};

  // Read-modify-write one byte per call, walking the whole array over time,
  // so the compiler can neither drop the payload nor shrink the moves.
  std::uint64_t touch(std::uint64_t call) noexcept {
    std::byte& b = bytes[static_cast<std::size_t>(call % Bytes)];
    b = static_cast<std::byte>(static_cast<unsigned char>(b) + 1u);
    return static_cast<std::uint64_t>(b);
  }
};

template <>
struct payload<0> {
  std::uint64_t touch(std::uint64_t /*call*/) noexcept { return 0; }
};

// The chain link: when run, it reposts (a moved copy of) itself to the same
// io_context until the chain's counter reaches zero.
template <std::size_t Size, bool CustomAlloc>
class chain_handler : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit chain_handler(chain_state& state) noexcept : state_(&state) {}

  void operator()() {
    chain_state& s = *state_;
    s.checksum += payload_.touch(s.handled);
    ++s.handled;
    if (--s.remaining != 0) {
      net::post(*s.ioc, std::move(*this));
    }
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(state_->memory);
  }

 private:
  // The payload fills what the state pointer leaves of the row's size.
  static constexpr std::size_t pointer_size = sizeof(void*);
  static_assert(Size >= pointer_size, "the handler holds at least its state pointer");

  chain_state* state_;
  // no_unique_address lets the empty payload<0> take no space at all.
  [[no_unique_address]] payload<Size - pointer_size> payload_;
};

// Runs `chains` chains of `ops_per_chain` handlers each on one io_context and
// one thread, after a warm-up of `warmup_per_chain` handlers per chain on the
// same io_context (so lazily created internal state and the arenas are warm).
// Times and counts cover only ioc.run() of the timed phase: the chains are
// started (first post of each) before the clock starts, so the figures are
// per-handler steady state.
template <std::size_t Size, bool CustomAlloc>
bench::measurement run_post_chain(std::size_t chains, std::uint64_t ops_per_chain,
                                  std::uint64_t warmup_per_chain) {
  using handler = chain_handler<Size, CustomAlloc>;
  static_assert(sizeof(handler) == Size, "handler size must match the row's size");

  net::io_context ioc;
  // handler_memory is neither copyable nor movable, hence an array, not a vector.
  std::unique_ptr<chain_state[]> states(new chain_state[chains]);

  auto start_chains = [&](std::uint64_t n) {
    for (std::size_t i = 0; i < chains; ++i) {
      chain_state& s = states[i];
      s.ioc = &ioc;
      s.remaining = n;
      s.handled = 0;
      net::post(ioc, handler(s));
    }
  };

  if (warmup_per_chain > 0) {
    start_chains(warmup_per_chain);
    static_cast<void>(ioc.run());
    ioc.restart();
  }

  bench::measurement result;
  start_chains(ops_per_chain);

  std::uint64_t fallbacks_before = 0;
  for (std::size_t i = 0; i < chains; ++i) fallbacks_before += states[i].memory.fallbacks();

  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.complete = true;
  for (std::size_t i = 0; i < chains; ++i) {
    const chain_state& s = states[i];
    result.work += s.handled;
    result.checksum += s.checksum;
    result.arena_fallbacks += s.memory.fallbacks();
    if (s.handled != ops_per_chain || s.remaining != 0) result.complete = false;
  }
  result.operations = result.work;  // one post per handler
  result.arena_fallbacks -= fallbacks_before;
  return result;
}
