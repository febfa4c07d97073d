// UDP ping-pong benchmark: rill against Asio on epoll and Asio on io_uring
// (its shared library, asio_uring.hpp), side by side in one process.
//
// Pairs of unconnected UDP sockets on loopback, both ends of each on one
// io_context run by one thread. The client sends a 64-byte datagram with
// async_send_to and receives the echo with async_receive_from; the server
// receives it with async_receive_from and sends it back to its sender with
// async_send_to. Rows: 1 and 64 pairs, each with the default allocator and a
// per-end handler_memory arena. Reported: round trips per second and heap
// allocations per operation (four operations per round trip). No target in
// issue 7: it measures send_to/receive_from on the ring. See
// docs/benchmarks.md.
//
// Usage: rill_bench_udp_ping_pong [--ops=N] [--reps=N] [--quick] [--json]
//                                 [--filter=TEXT] [--only=LIBRARY]
// Build options: see harness.hpp (RILL_BENCH_ASIO_ONLY, RILL_BENCH_NO_MALLOC_COUNT).

#include <algorithm>
#include <array>
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
#include "udp_ping_pong_workload.ipp"
}  // namespace bench_asio

namespace bench_rill {
#if defined(RILL_BENCH_ASIO_ONLY)
namespace net = ::asio;
#else
namespace net = ::rill;
#endif
#include "udp_ping_pong_workload.ipp"
}  // namespace bench_rill

namespace {

constexpr std::uint64_t default_ops = 100'000;
constexpr std::uint64_t quick_ops = 2'000;

template <bool Custom>
bench::row make_row(std::size_t pairs) {
  bench::row r;
  r.name = std::to_string(pairs) + (pairs == 1 ? " pair, " : " pairs, ");
  r.name += Custom ? "custom alloc" : "default alloc";
  r.json_fields = "\"pairs\": " + std::to_string(pairs) +
                  ", \"datagram_size\": " + std::to_string(bench_rill::datagram_size) +
                  ", \"custom_alloc\": " + (Custom ? "true" : "false");
  r.custom_alloc = Custom;
  r.target_ratio = 0;  // no target: a measurement
  // --ops round trips in all, split evenly over the pairs; a tenth as warm-up.
  r.run_asio = [pairs](const bench::options& opts) {
    const std::uint64_t per_pair = std::max<std::uint64_t>(1, opts.ops / pairs);
    return bench_asio::run_udp_ping_pong<Custom>(pairs, per_pair,
                                                 std::max<std::uint64_t>(1, per_pair / 10));
  };
  r.run_rill = [pairs](const bench::options& opts) {
    const std::uint64_t per_pair = std::max<std::uint64_t>(1, opts.ops / pairs);
    return bench_rill::run_udp_ping_pong<Custom>(pairs, per_pair,
                                                 std::max<std::uint64_t>(1, per_pair / 10));
  };
#if defined(RILL_BENCH_ASIO_URING)
  r.run_asio_uring = [pairs](const bench::options& opts) {
    const std::uint64_t per_pair = std::max<std::uint64_t>(1, opts.ops / pairs);
    return bench::asio_uring().udp_ping_pong(Custom, pairs, per_pair,
                                             std::max<std::uint64_t>(1, per_pair / 10));
  };
#endif
  return r;
}

std::vector<bench::row> all_rows() {
  std::vector<bench::row> rows;
  for (std::size_t pairs : {std::size_t{1}, std::size_t{64}}) {
    rows.push_back(make_row<false>(pairs));
    rows.push_back(make_row<true>(pairs));
  }
  return rows;
}

std::string title(const bench::options& opts) {
  return "UDP ping-pong over loopback: " + std::to_string(opts.ops) + " round trips of " +
         std::to_string(bench_rill::datagram_size) +
         "-byte datagrams per run (4 operations per round trip: async_send_to and "
         "async_receive_from at each end)";
}

}  // namespace

int main(int argc, char** argv) {
  bench::program p;
  p.name = "rill_bench_udp_ping_pong";
  p.json_name = "udp_ping_pong";
  p.json_unit = "round trips";
  p.default_ops = default_ops;
  p.quick_ops = quick_ops;
  p.ops_help = "round trips per repetition and library, over all pairs";
  p.filter_example = "'64 pairs'";
  p.rate_label = "k round trips/s";
  p.rate_scale = 1e3;
  p.allocs_label = "heap allocs/op";
  p.incomplete = "the pairs did not complete the expected round trips";
  p.targets = "none (a measurement of send_to/receive_from); 0 rill heap allocs/op";
  p.title = &title;
  p.rows = &all_rows;
  return bench::run_main(p, argc, argv);
}
