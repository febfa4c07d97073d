// The echo-throughput workload, written once against the namespace alias
// `net`.
//
// Not a header: echo_throughput.cpp includes it twice, inside `namespace
// bench_asio { namespace net = ::asio; }` and `namespace bench_rill {
// namespace net = ::rill; }`, so both libraries run the same code. It must not
// include anything itself and may only use names Asio and rill share:
// io_context, ip::tcp sockets and acceptor, async_read, async_write, buffer,
// error_code.

#include "tcp_connections.ipp"

inline constexpr std::size_t echo_message_size = 1024;
inline constexpr std::uint64_t echo_depth = 4;  // messages in flight per connection

// One connection. The client end runs two loops at once: a writer that keeps
// up to echo_depth messages written but not yet echoed, and a reader that
// reads the echoes back. The server end echoes one message at a time (read
// it, write it back), like Asio's echo example; the pipelining lives in the
// socket buffers. Three operations can be in flight at once (client write,
// client read, server read or write), hence three arenas.
struct echo_connection : tcp_connection {
  using tcp_connection::tcp_connection;

  std::array<std::byte, echo_message_size> client_out{};
  std::array<std::byte, echo_message_size> client_in{};
  std::array<std::byte, echo_message_size> server_buffer{};
  std::uint64_t to_send = 0;     // messages the client has not yet started to write
  std::uint64_t to_receive = 0;  // echoes the client has not yet read
  std::uint64_t to_echo = 0;     // messages the server has not yet written back
  std::uint64_t in_flight = 0;   // written (or being written) and not yet read back
  std::uint64_t received = 0;    // echoes read since the start
  bool writing = false;          // a client async_write is pending
  std::uint64_t checksum = 0;
  bool failed = false;
  bench::handler_memory write_memory;
  bench::handler_memory read_memory;
  bench::handler_memory server_memory;

  // Records the failure and closes both ends, so that every pending
  // operation completes (operation_aborted) and run() returns.
  void fail() {
    failed = true;
    net::error_code ignored;
    client.close(ignored);
    server.close(ignored);
  }
};

// The client's writer: writes the next message while fewer than echo_depth
// are in flight; the reader restarts it when it stopped for that reason.
template <bool CustomAlloc>
class echo_writer : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit echo_writer(echo_connection& c) noexcept : c_(&c) {}

  // Starts a write if one may start; otherwise the handler is dropped.
  void start() {
    echo_connection& c = *c_;
    if (c.failed || c.writing || c.to_send == 0 || c.in_flight == echo_depth) return;
    c.writing = true;
    --c.to_send;
    ++c.in_flight;
    c.client_out[0] = static_cast<std::byte>(c.to_send);
    net::async_write(c.client, net::buffer(c.client_out.data(), c.client_out.size()),
                     std::move(*this));
  }

  void operator()(const net::error_code& ec, std::size_t bytes) {
    echo_connection& c = *c_;
    c.writing = false;
    if (ec || bytes != echo_message_size) {
      if (!c.failed) c.fail();
      return;
    }
    start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(c_->write_memory);
  }

 private:
  echo_connection* c_;
};

// The client's reader: reads echoes until all have come back.
template <bool CustomAlloc>
class echo_reader : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit echo_reader(echo_connection& c) noexcept : c_(&c) {}

  void start() {
    echo_connection& c = *c_;
    net::async_read(c.client, net::buffer(c.client_in.data(), c.client_in.size()),
                    std::move(*this));
  }

  void operator()(const net::error_code& ec, std::size_t bytes) {
    echo_connection& c = *c_;
    if (ec || bytes != echo_message_size) {
      if (!c.failed) c.fail();
      return;
    }
    c.checksum += static_cast<std::uint64_t>(c.client_in[0]);
    ++c.received;
    --c.in_flight;
    // The writer may have stopped at the depth limit; a new handler object
    // (its own arena) restarts it.
    if (!c.writing) echo_writer<CustomAlloc>(c).start();
    if (--c.to_receive != 0) start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(c_->read_memory);
  }

 private:
  echo_connection* c_;
};

// The server end: read a message, write it back, repeat.
template <bool CustomAlloc>
class echo_server : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit echo_server(echo_connection& c) noexcept : c_(&c) {}

  void start() {
    echo_connection& c = *c_;
    writing_ = false;
    net::async_read(c.server, net::buffer(c.server_buffer.data(), c.server_buffer.size()),
                    std::move(*this));
  }

  void operator()(const net::error_code& ec, std::size_t bytes) {
    echo_connection& c = *c_;
    if (ec || bytes != echo_message_size) {
      if (!c.failed) c.fail();
      return;
    }
    if (!writing_) {
      writing_ = true;
      net::async_write(c.server, net::buffer(c.server_buffer.data(), c.server_buffer.size()),
                       std::move(*this));
      return;
    }
    if (--c.to_echo != 0) start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(c_->server_memory);
  }

 private:
  echo_connection* c_;
  bool writing_ = false;
};

// Runs `connections` connections that each echo `messages_per_connection`
// messages of echo_message_size bytes, up to echo_depth in flight, on one
// io_context and one thread (which runs both ends), after a warm-up of
// `warmup_per_connection` messages per connection on the same connections.
// The first operations are started before the clock starts. Work is the
// payload echoed (bytes the client read back); four operations per message:
// the client's async_write and async_read, the server's async_read and
// async_write.
template <bool CustomAlloc>
bench::measurement run_echo(std::size_t connections, std::uint64_t messages_per_connection,
                            std::uint64_t warmup_per_connection) {
  net::io_context ioc;
  auto conns = make_connections<echo_connection>(ioc, connections);

  auto start = [&](std::uint64_t n) {
    for (const auto& c : conns) {
      c->to_send = n;
      c->to_receive = n;
      c->to_echo = n;
      c->in_flight = 0;
      c->received = 0;
      echo_server<CustomAlloc>(*c).start();
      echo_reader<CustomAlloc>(*c).start();
      echo_writer<CustomAlloc>(*c).start();
    }
  };

  if (warmup_per_connection > 0) {
    start(warmup_per_connection);
    static_cast<void>(ioc.run());
    ioc.restart();
  }

  bench::measurement result;
  start(messages_per_connection);

  auto fallbacks = [&] {
    std::uint64_t n = 0;
    for (const auto& c : conns) {
      n += c->write_memory.fallbacks() + c->read_memory.fallbacks() + c->server_memory.fallbacks();
    }
    return n;
  };
  const std::uint64_t fallbacks_before = fallbacks();

  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.complete = true;
  std::uint64_t messages = 0;
  for (const auto& c : conns) {
    messages += c->received;
    result.checksum += c->checksum;
    if (c->failed || c->received != messages_per_connection || c->to_send != 0 ||
        c->to_receive != 0 || c->to_echo != 0 || c->in_flight != 0) {
      result.complete = false;
    }
  }
  result.work = messages * echo_message_size;
  result.operations = 4 * messages;
  result.arena_fallbacks = fallbacks() - fallbacks_before;
  return result;
}
