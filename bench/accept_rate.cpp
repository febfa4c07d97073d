// Accept-rate benchmark: rill against Asio on epoll and Asio on io_uring
// (its shared library, asio_uring.hpp), side by side in one process.
//
// One listening socket on loopback and connectors on one io_context run by
// one thread: each connector opens a socket, async_connects it, waits for
// the server's close with async_read_some and closes it (with a reset, so no
// TIME_WAIT piles up); the acceptor async_accepts each connection into one
// socket and closes it. Rows: 1 and 16 connectors in flight, each with the
// default allocator and with handler_memory arenas. Reported: connections
// per second and heap allocations per operation (three operations per
// connection). No target in issue 7: it measures the accept path (the
// ring's accept, multishot accept). See docs/benchmarks.md.
//
// Usage: rill_bench_accept_rate [--ops=N] [--reps=N] [--quick] [--json]
//                               [--filter=TEXT] [--only=LIBRARY]
// Build options: see harness.hpp (RILL_BENCH_ASIO_ONLY, RILL_BENCH_NO_MALLOC_COUNT).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <asio.hpp>
#if !defined(RILL_BENCH_ASIO_ONLY)
#include <rill.hpp>
#endif

#include "harness.hpp"  // also counting_new.hpp and handler_memory.hpp

namespace bench_asio {
namespace net = ::asio;
#include "accept_workload.ipp"
}  // namespace bench_asio

namespace bench_rill {
#if defined(RILL_BENCH_ASIO_ONLY)
namespace net = ::asio;
#else
namespace net = ::rill;
#endif
#include "accept_workload.ipp"
}  // namespace bench_rill

namespace {

constexpr std::uint64_t default_ops = 50'000;
constexpr std::uint64_t quick_ops = 500;

template <bool Custom>
bench::row make_row(std::size_t in_flight) {
  bench::row r;
  r.name = std::to_string(in_flight) + (in_flight == 1 ? " connector, " : " connectors, ");
  r.name += Custom ? "custom alloc" : "default alloc";
  r.json_fields = "\"in_flight\": " + std::to_string(in_flight) +
                  ", \"custom_alloc\": " + (Custom ? "true" : "false");
  r.custom_alloc = Custom;
  r.target_ratio = 0;  // no target: a measurement
  // --ops connections; a tenth as warm-up.
  r.run_asio = [in_flight](const bench::options& opts) {
    return bench_asio::run_accept<Custom>(in_flight, opts.ops,
                                          std::max<std::uint64_t>(1, opts.ops / 10));
  };
  r.run_rill = [in_flight](const bench::options& opts) {
    return bench_rill::run_accept<Custom>(in_flight, opts.ops,
                                          std::max<std::uint64_t>(1, opts.ops / 10));
  };
#if defined(RILL_BENCH_ASIO_URING)
  r.run_asio_uring = [in_flight](const bench::options& opts) {
    return bench::asio_uring().accept(Custom, in_flight, opts.ops,
                                      std::max<std::uint64_t>(1, opts.ops / 10));
  };
#endif
  return r;
}

std::vector<bench::row> all_rows() {
  std::vector<bench::row> rows;
  for (std::size_t in_flight : {std::size_t{1}, std::size_t{16}}) {
    rows.push_back(make_row<false>(in_flight));
    rows.push_back(make_row<true>(in_flight));
  }
  return rows;
}

std::string title(const bench::options& opts) {
  return "TCP accept rate over loopback: " + std::to_string(opts.ops) +
         " connections per run (3 operations per connection: async_connect, async_read_some, "
         "async_accept)";
}

}  // namespace

int main(int argc, char** argv) {
  bench::program p;
  p.name = "rill_bench_accept_rate";
  p.json_name = "accept_rate";
  p.json_unit = "connections";
  p.default_ops = default_ops;
  p.quick_ops = quick_ops;
  p.ops_help = "connections per repetition and library";
  p.filter_example = "'16 connectors'";
  p.rate_label = "k connections/s";
  p.rate_scale = 1e3;
  p.allocs_label = "heap allocs/op";
  p.incomplete = "the connectors and the acceptor did not complete the expected connections";
  p.targets = "none (a measurement of the accept path); 0 rill heap allocs/op";
  p.title = &title;
  p.rows = &all_rows;
  return bench::run_main(p, argc, argv);
}
