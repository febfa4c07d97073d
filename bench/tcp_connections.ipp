// TCP connections over loopback for the socket workloads, written against the
// namespace alias `net` like the workloads that include it (ping_pong and
// echo_throughput). Included inside their namespaces, it must not include
// anything itself.

// Both ends of one TCP connection over loopback, owned by one io_context,
// with TCP_NODELAY set on both so that small messages are sent at once
// instead of waiting for Nagle's algorithm.
struct tcp_connection {
  explicit tcp_connection(net::io_context& ioc) : client(ioc), server(ioc) {}

  net::ip::tcp::socket client;
  net::ip::tcp::socket server;
};

// Connects `client` to `acceptor` and accepts the connection into `server`,
// synchronously: on loopback the kernel completes the handshake during
// connect(), and the sockets are only used asynchronously afterwards.
inline void connect_loopback(net::ip::tcp::acceptor& acceptor, tcp_connection& c) {
  c.client.connect(acceptor.local_endpoint());
  acceptor.accept(c.server);
  c.client.set_option(net::ip::tcp::no_delay(true));
  c.server.set_option(net::ip::tcp::no_delay(true));
  // Closing with linger(on, 0) resets the connection instead of leaving it in
  // TIME_WAIT, so that repeated runs do not pile up thousands of those.
  c.client.set_option(net::socket_base::linger(true, 0));
}

// A listening socket on an ephemeral loopback port.
inline net::ip::tcp::endpoint loopback_any_port() {
  return net::ip::tcp::endpoint(net::ip::address_v4::loopback(), 0);
}

// `n` connected pairs on `ioc`. The connections hold arenas that do not move,
// hence one allocation each.
template <typename Connection>
std::vector<std::unique_ptr<Connection>> make_connections(net::io_context& ioc, std::size_t n) {
  net::ip::tcp::acceptor acceptor(ioc, loopback_any_port());
  std::vector<std::unique_ptr<Connection>> connections;
  for (std::size_t i = 0; i < n; ++i) {
    connections.push_back(std::make_unique<Connection>(ioc));
    connect_loopback(acceptor, *connections.back());
  }
  return connections;
}
