// Timer benchmark: rill against Asio on epoll and Asio on io_uring (its shared
// library, asio_uring.hpp), side by side in one process.
//
// 100 steady_timers on one io_context, run by one thread. Each timer's
// handler re-arms it at zero delay (expires_after(0), then async_wait with a
// moved copy of itself) until the timer has completed its share of the
// waits. Rows: the default allocator (a plain handler) and a per-timer
// handler_memory arena. Reported: completed waits per second and heap
// allocations per wait. See docs/benchmarks.md.
//
// Usage: rill_bench_timers [--ops=N] [--reps=N] [--quick] [--json]
//                          [--filter=TEXT] [--only=LIBRARY]
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
#include "timers_workload.ipp"
}  // namespace bench_asio

namespace bench_rill {
#if defined(RILL_BENCH_ASIO_ONLY)
namespace net = ::asio;
#else
namespace net = ::rill;
#endif
#include "timers_workload.ipp"
}  // namespace bench_rill

namespace {

constexpr std::size_t timer_count = 100;
constexpr std::uint64_t default_ops = 2'000'000;
constexpr std::uint64_t quick_ops = 20'000;

// The target from issues 3 and 7, against the better Asio build; only
// reported, never turned into an exit code.
constexpr double target_ratio = 2.0;

template <bool Custom>
bench::row make_row() {
  bench::row r;
  r.name = std::to_string(timer_count) + " timers, ";
  r.name += Custom ? "custom alloc" : "default alloc";
  r.json_fields = "\"timers\": " + std::to_string(timer_count) +
                  ", \"custom_alloc\": " + (Custom ? "true" : "false");
  r.custom_alloc = Custom;
  r.target_ratio = target_ratio;
  // --ops waits in all, split evenly over the timers; a tenth as warm-up.
  r.run_asio = [](const bench::options& opts) {
    const std::uint64_t per_timer = std::max<std::uint64_t>(1, opts.ops / timer_count);
    return bench_asio::run_timers<Custom>(timer_count, per_timer,
                                          std::max<std::uint64_t>(1, per_timer / 10));
  };
  r.run_rill = [](const bench::options& opts) {
    const std::uint64_t per_timer = std::max<std::uint64_t>(1, opts.ops / timer_count);
    return bench_rill::run_timers<Custom>(timer_count, per_timer,
                                          std::max<std::uint64_t>(1, per_timer / 10));
  };
#if defined(RILL_BENCH_ASIO_URING)
  r.run_asio_uring = [](const bench::options& opts) {
    const std::uint64_t per_timer = std::max<std::uint64_t>(1, opts.ops / timer_count);
    return bench::asio_uring().timers(Custom, timer_count, per_timer,
                                      std::max<std::uint64_t>(1, per_timer / 10));
  };
#endif
  return r;
}

std::vector<bench::row> all_rows() { return {make_row<false>(), make_row<true>()}; }

std::string title(const bench::options& opts) {
  return "Timers: " + std::to_string(opts.ops) + " zero-delay waits per run over " +
         std::to_string(timer_count) + " steady_timers";
}

}  // namespace

int main(int argc, char** argv) {
  bench::program p;
  p.name = "rill_bench_timers";
  p.json_name = "timers";
  p.json_unit = "waits";
  p.default_ops = default_ops;
  p.quick_ops = quick_ops;
  p.ops_help = "timer waits completed per repetition and library, over all timers";
  p.filter_example = "'custom'";
  p.rate_label = "M waits/s";
  p.rate_scale = 1e6;
  p.allocs_label = "heap allocs/wait";
  p.incomplete = "the timers did not complete the expected number of waits";
  p.targets = "rill >= 2.0x the best Asio on every row; 0 rill heap allocs/wait everywhere";
  p.title = &title;
  p.rows = &all_rows;
  return bench::run_main(p, argc, argv);
}
