// The memory-strategy workloads, written once against the namespace alias
// `net`.
//
// Not a header: memory.cpp includes it twice, inside `namespace bench_asio {
// namespace net = ::asio; }` and `namespace bench_rill { namespace net =
// ::rill; }`. Both libraries run the same handlers with the same allocators:
// an allocator is just an allocator, so rill's chain_memory can serve Asio's
// operations too. It must not include anything itself.

#include "tcp_connections.ipp"

// Where a chain's operations get their memory.
enum class strategy { default_cache, doc_handler_memory, pmr_pool, chain_memory };

// One chain's memory, whichever strategy the row uses.
struct chain_memories {
  doc_handler_memory doc;
  // Pools blocks up to 16 KiB: with the default options larger requests (the
  // 4096-byte rows) go to the upstream heap every time.
  std::pmr::unsynchronized_pool_resource pool{std::pmr::pool_options{0, 16384}};
  ::rill::chain_memory chain;
};

// Makes a handler of exactly Size bytes (a pointer to its state, a pointer
// to the memories, and a payload) whose associated allocator is the row's.
template <strategy S>
struct allocator_of;
template <>
struct allocator_of<strategy::doc_handler_memory> {
  using type = doc_handler_allocator<char>;
  static type get(chain_memories& m) noexcept { return type(m.doc); }
};
template <>
struct allocator_of<strategy::pmr_pool> {
  using type = std::pmr::polymorphic_allocator<char>;
  static type get(chain_memories& m) noexcept { return type(&m.pool); }
};
template <>
struct allocator_of<strategy::chain_memory> {
  using type = ::rill::chain_allocator<char>;
  static type get(chain_memories& m) noexcept { return type(m.chain.get_allocator()); }
};

template <strategy S>
struct memory_hook {
  using allocator_type = typename allocator_of<S>::type;
};
template <>
struct memory_hook<strategy::default_cache> {};

// A payload of N bytes that the handler touches on every call, so that its
// size is real; empty for N == 0.
template <std::size_t N>
struct handler_bytes {
  std::array<unsigned char, N> bytes{};
  unsigned touch(std::uint64_t i) noexcept { return ++bytes[static_cast<std::size_t>(i % N)]; }
};
template <>
struct handler_bytes<0> {
  unsigned touch(std::uint64_t /*i*/) noexcept { return 0; }
};

struct memory_chain_state {
  net::io_context* ioc = nullptr;
  std::uint64_t remaining = 0;
  std::uint64_t handled = 0;
  std::uint64_t checksum = 0;
  chain_memories* memories = nullptr;
};

template <strategy S, std::size_t Size>
class memory_chain_handler : public memory_hook<S> {
 public:
  explicit memory_chain_handler(memory_chain_state& s) noexcept : state_(&s) {}

  void operator()() {
    memory_chain_state& s = *state_;
    s.checksum += payload_.touch(s.handled);
    ++s.handled;
    if (--s.remaining != 0) net::post(*s.ioc, std::move(*this));
  }

  auto get_allocator() const noexcept requires(S != strategy::default_cache) {
    return allocator_of<S>::get(*state_->memories);
  }

 private:
  memory_chain_state* state_;
  [[no_unique_address]] handler_bytes<Size - sizeof(void*)> payload_;
};

template <strategy S, std::size_t Size>
bench::measurement run_memory_chain(std::uint64_t ops) {
  chain_memories memories;
  net::io_context ioc;
  memory_chain_state state;
  state.ioc = &ioc;
  state.memories = &memories;
  auto start = [&](std::uint64_t n) {
    state.remaining = n;
    state.handled = 0;
    net::post(ioc, memory_chain_handler<S, Size>(state));
  };
  start(std::max<std::uint64_t>(1, ops / 10));
  static_cast<void>(ioc.run());
  ioc.restart();
  start(ops);
  bench::measurement result;
  const std::uint64_t before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  result.heap_allocations = bench::heap_allocation_count() - before;
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.work = state.handled;
  result.operations = state.handled;
  result.checksum = state.checksum;
  result.arena_fallbacks = memories.doc.fallbacks();
  result.complete = state.handled == ops;
  return result;
}

// Ping-pong over one loopback connection with handlers of Size bytes; each
// end has its own memories (one operation in flight per end).
struct memory_connection : tcp_connection {
  using tcp_connection::tcp_connection;
  std::array<std::byte, 64> client_buffer{};
  std::array<std::byte, 64> server_buffer{};
  std::uint64_t remaining = 0;
  std::uint64_t round_trips = 0;
  bool failed = false;
  // Owned by the caller and declared before the io_context: operations still
  // pending when the connection closes are freed when the context goes.
  chain_memories* client_memories = nullptr;
  chain_memories* server_memories = nullptr;
};

template <strategy S, std::size_t Size, bool Client>
class memory_end_handler : public memory_hook<S> {
 public:
  explicit memory_end_handler(memory_connection& c) noexcept : c_(&c) {}

  void start() {
    second_ = false;
    if constexpr (Client) {
      net::async_write(c_->client, net::buffer(c_->client_buffer), std::move(*this));
    } else {
      net::async_read(c_->server, net::buffer(c_->server_buffer), std::move(*this));
    }
  }

  void operator()(const net::error_code& ec, std::size_t n) {
    memory_connection& c = *c_;
    static_cast<void>(payload_.touch(c.round_trips));
    if (ec || n != 64) {
      c.failed = true;
      return;
    }
    if (!second_) {
      second_ = true;
      if constexpr (Client) {
        net::async_read(c.client, net::buffer(c.client_buffer), std::move(*this));
      } else {
        net::async_write(c.server, net::buffer(c.server_buffer), std::move(*this));
      }
      return;
    }
    if constexpr (Client) {
      ++c.round_trips;
      if (--c.remaining != 0) start();
    } else {
      start();  // the server end echoes for as long as the connection lives
    }
  }

  auto get_allocator() const noexcept requires(S != strategy::default_cache) {
    return allocator_of<S>::get(Client ? *c_->client_memories : *c_->server_memories);
  }

 private:
  memory_connection* c_;
  bool second_ = false;
  // The pointer and the flag take 16 bytes: the "8 B" rows are 16 here.
  [[no_unique_address]] handler_bytes<(Size > 2 * sizeof(void*) ? Size - 2 * sizeof(void*) : 0)>
      payload_;
};

template <strategy S, std::size_t Size>
bench::measurement run_memory_ping_pong(std::uint64_t round_trips) {
  chain_memories client_memories;
  chain_memories server_memories;
  net::io_context ioc;
  auto conns = make_connections<memory_connection>(ioc, 1);
  memory_connection& c = *conns.front();
  c.client_memories = &client_memories;
  c.server_memories = &server_memories;
  memory_end_handler<S, Size, false>(c).start();
  auto play = [&](std::uint64_t n) {
    c.remaining = n;
    c.round_trips = 0;
    memory_end_handler<S, Size, true>(c).start();
    while (!c.failed && c.round_trips < n) static_cast<void>(ioc.run_one());
  };
  play(std::max<std::uint64_t>(1, round_trips / 10));
  bench::measurement result;
  const std::uint64_t before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  play(round_trips);
  const auto t1 = std::chrono::steady_clock::now();
  result.heap_allocations = bench::heap_allocation_count() - before;
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.work = c.round_trips;
  result.operations = 4 * c.round_trips;
  result.checksum = c.round_trips;
  result.arena_fallbacks = client_memories.doc.fallbacks() + server_memories.doc.fallbacks();
  result.complete = !c.failed && c.round_trips == round_trips;
  // The server's read is still pending: end it (operation_aborted) while the
  // connection, which its handler points to, still exists.
  net::error_code ignored;
  c.client.close(ignored);
  c.server.close(ignored);
  ioc.restart();
  static_cast<void>(ioc.poll());
  return result;
}
