// The accept-rate workload, written once against the namespace alias `net`.
//
// Not a header: accept_rate.cpp includes it inside `namespace bench_asio {
// namespace net = ::asio; }` and `namespace bench_rill { namespace net =
// ::rill; }`, and asio_uring.cpp once more against Asio's io_uring build, so
// every library runs the same code. It must not include anything itself and
// may only use names Asio and rill share: io_context, ip::tcp sockets and
// acceptor, async_connect and async_read_some on a socket, async_accept,
// socket_base::linger.

// One listening socket and `in_flight` connectors on one io_context and one
// thread. Each connector opens a socket, connects it (async_connect), waits
// for the server's close (async_read_some completing with eof) and closes it;
// the acceptor accepts each connection (async_accept into one socket) and
// closes it at once. The connector closes with linger(on, 0): after the
// server's FIN, its reset ends the connection at both ends without a
// TIME_WAIT, so a run of 100000 connections neither exhausts the ephemeral
// ports nor slows connect() down as TIME_WAITs pile up. (A reset before the
// other end's operation completed would race with it: waiting for the FIN
// orders them.)
struct accept_state {
  accept_state(net::io_context& ioc, std::size_t in_flight)
      : acceptor(ioc, net::ip::tcp::endpoint(net::ip::address_v4::loopback(), 0)),
        accepted(ioc),
        endpoint(acceptor.local_endpoint()) {
    for (std::size_t i = 0; i < in_flight; ++i)
      connectors.push_back(std::make_unique<connector>(ioc));
  }

  struct connector {
    explicit connector(net::io_context& ioc) : socket(ioc) {}
    net::ip::tcp::socket socket;
    char byte = 0;  // what the wait for the server's close reads into
    bench::handler_memory memory;
  };

  net::ip::tcp::acceptor acceptor;
  net::ip::tcp::socket accepted;
  net::ip::tcp::endpoint endpoint;
  std::vector<std::unique_ptr<connector>> connectors;  // handler_memory does not move
  bench::handler_memory accept_memory;
  std::uint64_t to_connect = 0;  // connections not yet started
  std::uint64_t to_accept = 0;   // connections not yet accepted
  std::uint64_t connected = 0;   // connections the connectors saw through, since the start
  std::uint64_t accepted_count = 0;
  std::uint64_t checksum = 0;  // sums the accepted peers' ports
  bool failed = false;

  void fail() {
    failed = true;
    net::error_code ignored;
    acceptor.close(ignored);
    for (const auto& c : connectors) c->socket.close(ignored);
  }
};

template <bool CustomAlloc>
class connect_handler : public bench::allocator_hook<CustomAlloc> {
 public:
  connect_handler(accept_state& s, accept_state::connector& c) noexcept : s_(&s), c_(&c) {}

  // Opens a fresh socket and connects it, if connections remain to start.
  void start() {
    accept_state& s = *s_;
    if (s.failed || s.to_connect == 0) return;
    --s.to_connect;
    net::error_code ec;
    c_->socket.open(net::ip::tcp::v4(), ec);
    if (!ec) c_->socket.set_option(net::socket_base::linger(true, 0), ec);
    if (ec) {
      s.fail();
      return;
    }
    c_->socket.async_connect(s.endpoint, std::move(*this));
  }

  // The connect completed: wait for the server's close.
  void operator()(const net::error_code& ec) {
    accept_state& s = *s_;
    if (ec) {
      if (!s.failed) s.fail();
      return;
    }
    c_->socket.async_read_some(net::buffer(&c_->byte, 1), std::move(*this));
  }

  // The wait for the server's close completed: end of file expected.
  void operator()(const net::error_code& ec, std::size_t) {
    accept_state& s = *s_;
    if (ec != net::error::eof) {
      if (!s.failed) s.fail();
      return;
    }
    ++s.connected;
    net::error_code ignored;
    c_->socket.close(ignored);
    start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(c_->memory);
  }

 private:
  accept_state* s_;
  accept_state::connector* c_;
};

template <bool CustomAlloc>
class accept_handler : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit accept_handler(accept_state& s) noexcept : s_(&s) {}

  void start() {
    accept_state& s = *s_;
    s.acceptor.async_accept(s.accepted, std::move(*this));
  }

  void operator()(const net::error_code& ec) {
    accept_state& s = *s_;
    if (ec) {
      if (!s.failed) s.fail();
      return;
    }
    ++s.accepted_count;
    net::error_code port_ec;
    const auto peer = s.accepted.remote_endpoint(port_ec);
    if (!port_ec) s.checksum += peer.port();
    net::error_code ignored;
    s.accepted.close(ignored);
    if (--s.to_accept != 0) start();
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(s_->accept_memory);
  }

 private:
  accept_state* s_;
};

// Runs `connections` connections, at most `in_flight` connecting at once,
// after `warmup` connections on the same objects. Three operations per
// connection: the connector's async_connect and async_read_some, the
// acceptor's async_accept.
template <bool CustomAlloc>
bench::measurement run_accept(std::size_t in_flight, std::uint64_t connections,
                              std::uint64_t warmup) {
  net::io_context ioc;
  accept_state s(ioc, in_flight);

  auto start = [&](std::uint64_t n) {
    s.to_connect = n;
    s.to_accept = n;
    s.connected = 0;
    s.accepted_count = 0;
    accept_handler<CustomAlloc>(s).start();
    for (const auto& c : s.connectors) connect_handler<CustomAlloc>(s, *c).start();
  };

  if (warmup > 0) {
    start(warmup);
    static_cast<void>(ioc.run());
    ioc.restart();
  }

  bench::measurement result;
  start(connections);

  std::uint64_t fallbacks_before = s.accept_memory.fallbacks();
  for (const auto& c : s.connectors) fallbacks_before += c->memory.fallbacks();

  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.work = s.accepted_count;
  result.operations = s.accepted_count + 2 * s.connected;
  result.checksum = s.checksum;
  result.arena_fallbacks = s.accept_memory.fallbacks();
  for (const auto& c : s.connectors) result.arena_fallbacks += c->memory.fallbacks();
  result.arena_fallbacks -= fallbacks_before;
  result.complete = !s.failed && s.accepted_count == connections && s.connected == connections;
  return result;
}
