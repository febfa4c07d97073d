// The UDP ping-pong workload, written once against the namespace alias `net`.
//
// Not a header: udp_ping_pong.cpp includes it inside `namespace bench_asio {
// namespace net = ::asio; }` and `namespace bench_rill { namespace net =
// ::rill; }`, and asio_uring.cpp once more against Asio's io_uring build, so
// every library runs the same code. It must not include anything itself and
// may only use names Asio and rill share: io_context, ip::udp sockets and
// endpoints, async_send_to, async_receive_from, buffer, error_code.

inline constexpr std::size_t datagram_size = 64;

// Two unconnected UDP sockets on loopback and their state. The client sends
// a datagram to the server's endpoint and receives the echo; the server
// receives a datagram and sends it back to its sender. Each end has at most
// one operation in flight, so one arena per end suffices, and at most one
// datagram is in flight per pair, so none is dropped on loopback.
struct udp_pair {
  explicit udp_pair(net::io_context& ioc)
      : client(ioc, net::ip::udp::endpoint(net::ip::address_v4::loopback(), 0)),
        server(ioc, net::ip::udp::endpoint(net::ip::address_v4::loopback(), 0)),
        server_endpoint(server.local_endpoint()) {}

  net::ip::udp::socket client;
  net::ip::udp::socket server;
  net::ip::udp::endpoint server_endpoint;
  net::ip::udp::endpoint client_sender;  // where the echo came from
  net::ip::udp::endpoint server_sender;  // where the ping came from
  std::array<std::byte, datagram_size> client_buffer{};
  std::array<std::byte, datagram_size> server_buffer{};
  std::uint64_t client_remaining = 0;  // round trips the client still has to start or finish
  std::uint64_t server_remaining = 0;  // datagrams the server still has to echo
  std::uint64_t round_trips = 0;       // completed by the client since the start
  std::uint64_t checksum = 0;
  bool failed = false;  // an error, a short datagram or a stranger's echo
  bench::handler_memory client_memory;
  bench::handler_memory server_memory;

  // Records the failure and closes both ends, so that the other end's
  // pending operation completes (operation_aborted) and run() returns.
  void fail() {
    failed = true;
    net::error_code ignored;
    client.close(ignored);
    server.close(ignored);
  }
};

// The client end: send a ping, receive its echo, count the round trip, repeat.
template <bool CustomAlloc>
class udp_client_handler : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit udp_client_handler(udp_pair& p) noexcept : p_(&p) {}

  void start() {
    udp_pair& p = *p_;
    receiving_ = false;
    // Change the datagram each time, so the echo proves the data went round.
    p.client_buffer[0] = static_cast<std::byte>(p.round_trips);
    p.client.async_send_to(net::buffer(p.client_buffer.data(), p.client_buffer.size()),
                           p.server_endpoint, std::move(*this));
  }

  void operator()(const net::error_code& ec, std::size_t bytes) {
    udp_pair& p = *p_;
    if (ec || bytes != datagram_size || (receiving_ && p.client_sender != p.server_endpoint)) {
      if (!p.failed) p.fail();
      return;
    }
    if (!receiving_) {
      receiving_ = true;
      p.client.async_receive_from(net::buffer(p.client_buffer.data(), p.client_buffer.size()),
                                  p.client_sender, std::move(*this));
      return;
    }
    p.checksum += static_cast<std::uint64_t>(p.client_buffer[0]);
    ++p.round_trips;
    if (--p.client_remaining != 0) start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(p_->client_memory);
  }

 private:
  udp_pair* p_;
  bool receiving_ = false;
};

// The server end: receive a ping, send it back to its sender, repeat.
template <bool CustomAlloc>
class udp_server_handler : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit udp_server_handler(udp_pair& p) noexcept : p_(&p) {}

  void start() {
    udp_pair& p = *p_;
    sending_ = false;
    p.server.async_receive_from(net::buffer(p.server_buffer.data(), p.server_buffer.size()),
                                p.server_sender, std::move(*this));
  }

  void operator()(const net::error_code& ec, std::size_t bytes) {
    udp_pair& p = *p_;
    if (ec || bytes != datagram_size) {
      if (!p.failed) p.fail();
      return;
    }
    if (!sending_) {
      sending_ = true;
      p.server.async_send_to(net::buffer(p.server_buffer.data(), p.server_buffer.size()),
                             p.server_sender, std::move(*this));
      return;
    }
    if (--p.server_remaining != 0) start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(p_->server_memory);
  }

 private:
  udp_pair* p_;
  bool sending_ = false;
};

// Runs `pairs` socket pairs of `round_trips_per_pair` round trips each on one
// io_context and one thread (which runs both ends), after a warm-up of
// `warmup_per_pair` round trips per pair on the same sockets. Each end's
// first operation is started before the clock starts; the run ends when
// every pair has done its round trips. Four operations per round trip: the
// client's async_send_to and async_receive_from, the server's
// async_receive_from and async_send_to.
template <bool CustomAlloc>
bench::measurement run_udp_ping_pong(std::size_t pairs, std::uint64_t round_trips_per_pair,
                                     std::uint64_t warmup_per_pair) {
  net::io_context ioc;
  // The pairs hold arenas that do not move, hence one allocation each.
  std::vector<std::unique_ptr<udp_pair>> all;
  for (std::size_t i = 0; i < pairs; ++i) all.push_back(std::make_unique<udp_pair>(ioc));

  auto start = [&](std::uint64_t n) {
    for (const auto& p : all) {
      p->client_remaining = n;
      p->server_remaining = n;
      p->round_trips = 0;
      udp_server_handler<CustomAlloc>(*p).start();
      udp_client_handler<CustomAlloc>(*p).start();
    }
  };

  if (warmup_per_pair > 0) {
    start(warmup_per_pair);
    static_cast<void>(ioc.run());
    ioc.restart();
  }

  bench::measurement result;
  start(round_trips_per_pair);

  std::uint64_t fallbacks_before = 0;
  for (const auto& p : all) {
    fallbacks_before += p->client_memory.fallbacks() + p->server_memory.fallbacks();
  }

  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.complete = true;
  for (const auto& p : all) {
    result.work += p->round_trips;
    result.checksum += p->checksum;
    result.arena_fallbacks += p->client_memory.fallbacks() + p->server_memory.fallbacks();
    if (p->failed || p->round_trips != round_trips_per_pair || p->client_remaining != 0 ||
        p->server_remaining != 0) {
      result.complete = false;
    }
  }
  result.operations = 4 * result.work;
  result.arena_fallbacks -= fallbacks_before;
  return result;
}
