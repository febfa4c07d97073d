// The ping-pong workload, written once against the namespace alias `net`.
//
// Not a header: ping_pong.cpp includes it twice, inside `namespace bench_asio {
// namespace net = ::asio; }` and `namespace bench_rill { namespace net =
// ::rill; }`, so both libraries run the same code. It must not include
// anything itself and may only use names Asio and rill share: io_context,
// ip::tcp sockets and acceptor, async_read, async_write, buffer, error_code.

#include "tcp_connections.ipp"

inline constexpr std::size_t ping_size = 64;

// One connection and its two ends' state. The client writes a message and
// reads the echo; the server reads a message and writes it back. Each end
// has at most one operation in flight, so one arena per end suffices.
struct ping_pong_connection : tcp_connection {
  using tcp_connection::tcp_connection;

  std::array<std::byte, ping_size> client_buffer{};
  std::array<std::byte, ping_size> server_buffer{};
  std::uint64_t client_remaining = 0;  // round trips the client still has to start or finish
  std::uint64_t server_remaining = 0;  // messages the server still has to echo
  std::uint64_t round_trips = 0;       // completed by the client since the start
  std::uint64_t checksum = 0;
  bool failed = false;  // an operation completed with an error or a short transfer
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

// The client end: write a ping, read its echo, count the round trip, repeat.
// `reading_` tells which of the two operations just completed.
template <bool CustomAlloc>
class client_handler : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit client_handler(ping_pong_connection& c) noexcept : c_(&c) {}

  // Starts a round trip: the write of the ping.
  void start() {
    ping_pong_connection& c = *c_;
    reading_ = false;
    // Change the message each time, so the echo proves the data went round.
    c.client_buffer[0] = static_cast<std::byte>(c.round_trips);
    net::async_write(c.client, net::buffer(c.client_buffer.data(), c.client_buffer.size()),
                     std::move(*this));
  }

  void operator()(const net::error_code& ec, std::size_t bytes) {
    ping_pong_connection& c = *c_;
    if (ec || bytes != ping_size) {
      if (!c.failed) c.fail();
      return;
    }
    if (!reading_) {
      reading_ = true;
      net::async_read(c.client, net::buffer(c.client_buffer.data(), c.client_buffer.size()),
                      std::move(*this));
      return;
    }
    c.checksum += static_cast<std::uint64_t>(c.client_buffer[0]);
    ++c.round_trips;
    if (--c.client_remaining != 0) start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(c_->client_memory);
  }

 private:
  ping_pong_connection* c_;
  bool reading_ = false;
};

// The server end: read a ping, write it back, repeat.
template <bool CustomAlloc>
class server_handler : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit server_handler(ping_pong_connection& c) noexcept : c_(&c) {}

  void start() {
    ping_pong_connection& c = *c_;
    writing_ = false;
    net::async_read(c.server, net::buffer(c.server_buffer.data(), c.server_buffer.size()),
                    std::move(*this));
  }

  void operator()(const net::error_code& ec, std::size_t bytes) {
    ping_pong_connection& c = *c_;
    if (ec || bytes != ping_size) {
      if (!c.failed) c.fail();
      return;
    }
    if (!writing_) {
      writing_ = true;
      net::async_write(c.server, net::buffer(c.server_buffer.data(), c.server_buffer.size()),
                       std::move(*this));
      return;
    }
    if (--c.server_remaining != 0) start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(c_->server_memory);
  }

 private:
  ping_pong_connection* c_;
  bool writing_ = false;
};

// Runs `connections` connections of `round_trips_per_connection` round trips
// each on one io_context and one thread (which runs both ends), after a
// warm-up of `warmup_per_connection` round trips per connection on the same
// connections. Each end's first operation is started before the clock
// starts; the run ends when every connection has done its round trips, so
// the figures are steady state. Four operations per round trip: the client's
// async_write and async_read, the server's async_read and async_write.
template <bool CustomAlloc>
bench::measurement run_ping_pong(std::size_t connections, std::uint64_t round_trips_per_connection,
                                 std::uint64_t warmup_per_connection) {
  net::io_context ioc;
  auto conns = make_connections<ping_pong_connection>(ioc, connections);

  auto start = [&](std::uint64_t n) {
    for (const auto& c : conns) {
      c->client_remaining = n;
      c->server_remaining = n;
      c->round_trips = 0;
      server_handler<CustomAlloc>(*c).start();
      client_handler<CustomAlloc>(*c).start();
    }
  };

  if (warmup_per_connection > 0) {
    start(warmup_per_connection);
    static_cast<void>(ioc.run());
    ioc.restart();
  }

  bench::measurement result;
  start(round_trips_per_connection);

  std::uint64_t fallbacks_before = 0;
  for (const auto& c : conns) {
    fallbacks_before += c->client_memory.fallbacks() + c->server_memory.fallbacks();
  }

  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.complete = true;
  for (const auto& c : conns) {
    result.work += c->round_trips;
    result.checksum += c->checksum;
    result.arena_fallbacks += c->client_memory.fallbacks() + c->server_memory.fallbacks();
    if (c->failed || c->round_trips != round_trips_per_connection || c->client_remaining != 0 ||
        c->server_remaining != 0) {
      result.complete = false;
    }
  }
  result.operations = 4 * result.work;
  result.arena_fallbacks -= fallbacks_before;
  return result;
}
