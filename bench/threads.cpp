// Multi-threaded benchmark: rill against Asio, side by side in one process.
//
// Rows: 64 post chains on one io_context run by two threads; the same with
// each chain on its own strand; a ball posted back and forth between two
// io_contexts, each run by its own thread. The rate counts handlers run.
// See docs/benchmarks.md.
//
// Usage: rill_bench_threads [--ops=N] [--reps=N] [--quick] [--json]
//                           [--filter=TEXT]

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>
#if !defined(RILL_BENCH_ASIO_ONLY)
#include <rill/executor_work_guard.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/strand.hpp>
#endif

#include "harness.hpp"

namespace bench_asio {
namespace net = ::asio;
#include "threads_workload.ipp"
}  // namespace bench_asio

namespace bench_rill {
#if defined(RILL_BENCH_ASIO_ONLY)
namespace net = ::asio;
#else
namespace net = ::rill;
#endif
#include "threads_workload.ipp"
}  // namespace bench_rill

namespace {

constexpr std::uint64_t default_ops = 2'000'000;
constexpr std::uint64_t quick_ops = 4'000;

// The target from issue 5; only reported, never turned into an exit code.
constexpr double target_ratio = 1.5;

bench::row chains_row(bool strands) {
  bench::row r;
  r.name = strands ? "2 threads, 64 strand chains" : "2 threads, 64 post chains";
  r.json_fields =
      std::string("\"threads\": 2, \"chains\": 64, \"strands\": ") + (strands ? "true" : "false");
  r.target_ratio = target_ratio;
  r.run_asio = [strands](const bench::options& opts) {
    return bench_asio::run_mt_chains(2, 64, std::max<std::uint64_t>(1, opts.ops / 64), strands);
  };
  r.run_rill = [strands](const bench::options& opts) {
    return bench_rill::run_mt_chains(2, 64, std::max<std::uint64_t>(1, opts.ops / 64), strands);
  };
  return r;
}

bench::row ping_pong_row() {
  bench::row r;
  r.name = "2-thread ping-pong through posts";
  r.json_fields = "\"threads\": 2, \"ping_pong\": true";
  r.target_ratio = target_ratio;
  // Cross-thread hand-offs are ~100x slower than local posts.
  r.run_asio = [](const bench::options& opts) {
    return bench_asio::run_mt_ping_pong(std::max<std::uint64_t>(2, opts.ops / 20));
  };
  r.run_rill = [](const bench::options& opts) {
    return bench_rill::run_mt_ping_pong(std::max<std::uint64_t>(2, opts.ops / 20));
  };
  return r;
}

std::vector<bench::row> all_rows() {
  return {chains_row(false), chains_row(true), ping_pong_row()};
}

std::string title(const bench::options& opts) {
  return "Threads: " + std::to_string(opts.ops) +
         " handlers per run (the ping-pong row a twentieth of that)";
}

}  // namespace

int main(int argc, char** argv) {
  bench::program p;
  p.name = "rill_bench_threads";
  p.json_name = "threads";
  p.json_unit = "handlers";
  p.default_ops = default_ops;
  p.quick_ops = quick_ops;
  p.ops_help = "handlers per repetition and library";
  p.filter_example = "'strand'";
  p.incomplete = "the threads did not run the expected handlers";
  p.targets = "rill >= 1.5x Asio on every row; 0 rill heap allocs/op everywhere";
  p.title = &title;
  p.rows = &all_rows;
  return bench::run_main(p, argc, argv);
}
