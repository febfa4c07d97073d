// The coroutine workloads, written once against the namespace alias `net`.
//
// Not a header: coroutines.cpp includes it twice, inside `namespace
// bench_asio { namespace net = ::asio; }` and `namespace bench_rill {
// namespace net = ::rill; }`, so both libraries run the same coroutines. It
// must not include anything itself and may only use names Asio and rill
// share: awaitable, co_spawn, use_awaitable, post, async_read, async_write.

#include "tcp_connections.ipp"

// One coroutine: `co_await post(use_awaitable)` n times. Each iteration is
// one asynchronous operation: the coroutine suspends, its continuation goes
// through the io_context's queue, and the co_await expression completes.
inline net::awaitable<void> post_loop(std::uint64_t n, std::uint64_t& done) {
  for (std::uint64_t i = 0; i < n; ++i) {
    co_await net::post(net::use_awaitable);
    ++done;
  }
}

// `coroutines` coroutines on one io_context and one thread, each doing
// `per_coroutine` posts after a warm-up of `warmup` posts each.
inline bench::measurement run_post_loops(std::size_t coroutines, std::uint64_t per_coroutine,
                                         std::uint64_t warmup) {
  net::io_context ioc;
  std::uint64_t done = 0;
  std::uint64_t failures = 0;
  auto spawn_all = [&](std::uint64_t n) {
    for (std::size_t i = 0; i < coroutines; ++i) {
      net::co_spawn(ioc, post_loop(n, done), [&failures](std::exception_ptr e) {
        if (e) ++failures;
      });
    }
  };
  spawn_all(warmup);
  static_cast<void>(ioc.run());
  ioc.restart();

  // Spawning allocates each coroutine's first frame; start them before the
  // clock so the timed phase is the steady state of the loops.
  done = 0;
  spawn_all(per_coroutine);
  static_cast<void>(ioc.poll_one());

  bench::measurement result;
  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.work = done;
  result.operations = done;
  result.checksum = done;
  result.complete = failures == 0 && done == coroutines * per_coroutine;
  return result;
}

inline constexpr std::size_t coro_ping_size = 64;

struct coro_connection : tcp_connection {
  using tcp_connection::tcp_connection;
  std::uint64_t round_trips = 0;
  std::uint64_t checksum = 0;
};

// The client: write a ping, read its echo, n times.
inline net::awaitable<void> coro_client(coro_connection& c, std::uint64_t n) {
  std::array<std::byte, coro_ping_size> buffer{};
  for (std::uint64_t i = 0; i < n; ++i) {
    buffer[0] = static_cast<std::byte>(c.round_trips);
    co_await net::async_write(c.client, net::buffer(buffer.data(), buffer.size()),
                              net::use_awaitable);
    co_await net::async_read(c.client, net::buffer(buffer.data(), buffer.size()),
                             net::use_awaitable);
    c.checksum += static_cast<std::uint64_t>(buffer[0]);
    ++c.round_trips;
  }
}

// The server: read a ping, write it back, n times.
inline net::awaitable<void> coro_server(coro_connection& c, std::uint64_t n) {
  std::array<std::byte, coro_ping_size> buffer{};
  for (std::uint64_t i = 0; i < n; ++i) {
    co_await net::async_read(c.server, net::buffer(buffer.data(), buffer.size()),
                             net::use_awaitable);
    co_await net::async_write(c.server, net::buffer(buffer.data(), buffer.size()),
                              net::use_awaitable);
  }
}

// `connections` connections on one io_context and one thread, each with a
// client and a server coroutine doing `round_trips` round trips after a
// warm-up of `warmup` round trips. Four operations per round trip.
inline bench::measurement run_coro_ping_pong(std::size_t connections, std::uint64_t round_trips,
                                             std::uint64_t warmup) {
  net::io_context ioc;
  auto conns = make_connections<coro_connection>(ioc, connections);
  std::uint64_t failures = 0;
  auto spawn_all = [&](std::uint64_t n) {
    for (const auto& c : conns) {
      c->round_trips = 0;
      net::co_spawn(ioc, coro_server(*c, n), [&failures](std::exception_ptr e) {
        if (e) ++failures;
      });
      net::co_spawn(ioc, coro_client(*c, n), [&failures](std::exception_ptr e) {
        if (e) ++failures;
      });
    }
  };
  spawn_all(warmup);
  static_cast<void>(ioc.run());
  ioc.restart();

  spawn_all(round_trips);
  bench::measurement result;
  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.complete = failures == 0;
  std::uint64_t total_round_trips = 0;
  for (const auto& c : conns) {
    total_round_trips += c->round_trips;
    result.checksum += c->checksum;
    if (c->round_trips != round_trips) result.complete = false;
  }
  // The rate counts asynchronous operations, as the post rows do.
  result.operations = 4 * total_round_trips;
  result.work = result.operations;
  return result;
}
