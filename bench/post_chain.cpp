// Post-chain benchmark: rill against Asio, side by side in one process.
//
// A chain is a handler that, when run, posts a moved copy of itself to the
// same io_context until its counter runs out. Rows vary the number of chains
// started before run() (1, 64), the handler size (8, 256, 2048 bytes) and the
// associated allocator (none, i.e. std::allocator<void>, or a per-chain
// handler_memory arena as in Asio's allocation example). One thread runs the
// io_context. See docs/benchmarks.md for how to read the output.
//
// Usage: rill_bench_post_chain [--ops=N] [--reps=N] [--quick] [--json]
//                              [--filter=TEXT]
//
// Build options (preprocessor):
//   RILL_BENCH_ASIO_ONLY  The "rill" half is compiled against ::asio as well,
//                         so the table compares Asio with itself. Useful to
//                         see the harness noise (ratios should be ~1.0) and to
//                         work on the bench while rill does not build, e.g.
//                         g++ -std=c++20 -O2 -DRILL_BENCH_ASIO_ONLY
//                         bench/post_chain.cpp -lpthread
//   RILL_BENCH_NO_MALLOC_COUNT  Count operator new only, not the glibc
//                         malloc family (see counting_new.hpp).

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The libraries under test, at global scope: the workload below is
// instantiated inside namespaces and must not include anything itself.
#include <asio.hpp>
#if !defined(RILL_BENCH_ASIO_ONLY)
#include <rill.hpp>
#endif

#include "counting_new.hpp"
#include "handler_memory.hpp"

namespace bench_asio {
namespace net = ::asio;
#include "post_chain_workload.ipp"
}  // namespace bench_asio

namespace bench_rill {
#if defined(RILL_BENCH_ASIO_ONLY)
namespace net = ::asio;
#else
namespace net = ::rill;
#endif
#include "post_chain_workload.ipp"
}  // namespace bench_rill

namespace {

#if defined(RILL_BENCH_ASIO_ONLY)
constexpr bool asio_only = true;
#else
constexpr bool asio_only = false;
#endif

// Defaults: about 0.1-0.5 s per run for Asio on the 2-core dev machine (the
// 2048-byte rows are the slow ones), so the whole table takes well under a
// minute.
constexpr std::uint64_t default_ops = 4'000'000;
constexpr int default_reps = 5;
constexpr std::uint64_t quick_ops = 20'000;

// The targets from issue 2; only reported, never turned into an exit code.
constexpr double target_ratio_single_chain_default = 2.0;

using run_fn = bench_asio::run_result (*)(std::size_t, std::uint64_t, std::uint64_t);
using rill_run_fn = bench_rill::run_result (*)(std::size_t, std::uint64_t, std::uint64_t);

struct row {
  std::size_t chains;
  std::size_t handler_size;
  bool custom_alloc;
  run_fn run_asio;
  rill_run_fn run_rill;

  std::string name() const {
    std::string s = std::to_string(chains) + (chains == 1 ? " chain, " : " chains, ");
    s += std::to_string(handler_size) + " B, ";
    s += custom_alloc ? "custom alloc" : "default alloc";
    return s;
  }
};

template <std::size_t Size, bool Custom>
row make_row(std::size_t chains) {
  return row{chains, Size, Custom, &bench_asio::run_post_chain<Size, Custom>,
             &bench_rill::run_post_chain<Size, Custom>};
}

std::vector<row> all_rows() {
  std::vector<row> rows;
  for (std::size_t chains : {std::size_t{1}, std::size_t{64}}) {
    rows.push_back(make_row<8, false>(chains));
    rows.push_back(make_row<8, true>(chains));
    rows.push_back(make_row<256, false>(chains));
    rows.push_back(make_row<256, true>(chains));
    rows.push_back(make_row<2048, false>(chains));
    rows.push_back(make_row<2048, true>(chains));
  }
  return rows;
}

// One library's repetitions of one row.
struct samples {
  std::vector<double> ops_per_sec;
  std::vector<double> allocs_per_op;
  std::uint64_t arena_fallbacks = 0;

  void add(std::uint64_t handlers, double seconds, std::uint64_t allocations,
           std::uint64_t fallbacks) {
    ops_per_sec.push_back(seconds > 0 ? static_cast<double>(handlers) / seconds : 0.0);
    allocs_per_op.push_back(
        handlers > 0 ? static_cast<double>(allocations) / static_cast<double>(handlers) : 0.0);
    arena_fallbacks += fallbacks;
  }

  double median_ops_per_sec() const { return median(ops_per_sec); }

  // The worst repetition, so that a single allocating run is not hidden.
  double max_allocs_per_op() const {
    return allocs_per_op.empty() ? 0.0
                                 : *std::max_element(allocs_per_op.begin(), allocs_per_op.end());
  }

  static double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t mid = v.size() / 2;
    return v.size() % 2 != 0 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }
};

struct row_result {
  std::string name;
  const row* spec = nullptr;
  samples asio;
  samples rill;

  double ratio() const {
    const double a = asio.median_ops_per_sec();
    return a > 0 ? rill.median_ops_per_sec() / a : 0.0;
  }
};

struct options {
  std::uint64_t ops = default_ops;
  int reps = default_reps;
  bool json = false;
  std::string filter;
};

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: rill_bench_post_chain [--ops=N] [--reps=N] [--quick] [--json] "
               "[--filter=TEXT]\n"
               "  --ops=N        handlers run per repetition and library, over all chains "
               "(default %llu)\n"
               "  --reps=N       repetitions per library and row; the median is reported "
               "(default %d)\n"
               "  --quick        smoke test: --ops=%llu --reps=1\n"
               "  --json         print raw per-repetition results as JSON instead of the "
               "table\n"
               "  --filter=TEXT  only run rows whose name contains TEXT, e.g. '64 chains'\n",
               static_cast<unsigned long long>(default_ops), default_reps,
               static_cast<unsigned long long>(quick_ops));
}

bool parse_unsigned(std::string_view text, std::uint64_t& value) {
  if (text.empty()) return false;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c == '_' || c == '\'') continue;  // allow 2'000'000 and 2_000_000
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  value = v;
  return true;
}

bool parse_options(int argc, char** argv, options& opts) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::uint64_t n = 0;
    if (arg.starts_with("--ops=") && parse_unsigned(arg.substr(6), n) && n > 0) {
      opts.ops = n;
    } else if (arg.starts_with("--reps=") && parse_unsigned(arg.substr(7), n) && n > 0 &&
               n < 1000) {
      opts.reps = static_cast<int>(n);
    } else if (arg == "--quick") {
      opts.ops = quick_ops;
      opts.reps = 1;
    } else if (arg == "--json") {
      opts.json = true;
    } else if (arg.starts_with("--filter=")) {
      opts.filter = std::string(arg.substr(9));
    } else if (arg == "--help" || arg == "-h") {
      print_usage(stdout);
      std::exit(0);
    } else {
      std::fprintf(stderr, "unknown or invalid argument: %s\n", argv[i]);
      print_usage(stderr);
      return false;
    }
  }
  return true;
}

// The allocation counts are only meaningful if our operator new is the one
// that runs; check that before measuring anything.
bool counting_new_works() {
  const std::uint64_t before = bench::heap_allocation_count();
  // volatile pointers: new-expressions whose result is unused may be elided.
  int* volatile p = new int(42);
  delete p;
  struct alignas(64) over_aligned {
    char c;
  };
  over_aligned* volatile q = new over_aligned{};
  delete q;
  char* volatile r = new char[3];
  delete[] r;
  if (bench::heap_allocation_count() - before != 3) return false;
  if constexpr (bench::counts_malloc) {
    // Direct malloc-family calls, the way Asio's recycling allocator allocates.
    const std::uint64_t before_malloc = bench::heap_allocation_count();
    void* volatile m = std::malloc(16);
    std::free(m);
    void* volatile a = std::aligned_alloc(64, 64);
    std::free(a);
    if (bench::heap_allocation_count() - before_malloc != 2) return false;
  }
  return true;
}

template <typename Result>
bool record(const char* library, const row_result& r, const Result& result, samples& into) {
  if (!result.complete) {
    std::fprintf(stderr, "error: %s, %s: the chains did not run the expected number of handlers\n",
                 library, r.name.c_str());
    return false;
  }
  into.add(result.handlers, result.seconds, result.heap_allocations, result.arena_fallbacks);
  return true;
}

// Folded into the output so the optimiser cannot discard the payloads.
std::uint64_t checksum_sink = 0;

bool run_row(const row& spec, const options& opts, row_result& out) {
  const std::uint64_t per_chain = std::max<std::uint64_t>(1, opts.ops / spec.chains);
  const std::uint64_t warmup = std::max<std::uint64_t>(1, per_chain / 10);
  out.name = spec.name();
  out.spec = &spec;
  for (int rep = 0; rep < opts.reps; ++rep) {
    // Alternate which library goes first, so drift in the machine's speed
    // (frequency, neighbours) does not always favour the same one.
    const bool asio_first = rep % 2 == 0;
    for (int turn = 0; turn < 2; ++turn) {
      if ((turn == 0) == asio_first) {
        const auto result = spec.run_asio(spec.chains, per_chain, warmup);
        checksum_sink += result.checksum;
        if (!record("asio", out, result, out.asio)) return false;
      } else {
        const auto result = spec.run_rill(spec.chains, per_chain, warmup);
        checksum_sink += result.checksum;
        if (!record("rill", out, result, out.rill)) return false;
      }
    }
  }
  return true;
}

std::string format_allocs(double allocs_per_op) {
  if (allocs_per_op == 0) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", allocs_per_op);
  return buf;
}

bool is_target_row(const row& spec) { return spec.chains == 1 && !spec.custom_alloc; }

void print_markdown(const std::vector<row_result>& results, const options& opts) {
  const char* rill_label = asio_only ? "\"rill\" (= Asio)" : "rill";
  std::printf(
      "Post chains: %llu handlers per run, median of %d run%s per library.%s\n\n",
      static_cast<unsigned long long>(opts.ops), opts.reps, opts.reps == 1 ? "" : "s",
      asio_only ? " HARNESS CHECK: built with RILL_BENCH_ASIO_ONLY, both columns are Asio." : "");
  std::printf(
      "| workload | asio Mops/s | %s Mops/s | %s/asio | asio heap allocs/op | %s heap "
      "allocs/op |\n",
      rill_label, asio_only ? "\"rill\"" : "rill", rill_label);
  std::printf("|---|--:|--:|--:|--:|--:|\n");
  for (const row_result& r : results) {
    std::printf("| %s | %.2f | %.2f | %.2fx | %s | %s |\n", r.name.c_str(),
                r.asio.median_ops_per_sec() / 1e6, r.rill.median_ops_per_sec() / 1e6, r.ratio(),
                format_allocs(r.asio.max_allocs_per_op()).c_str(),
                format_allocs(r.rill.max_allocs_per_op()).c_str());
  }
  std::printf("\n");
  if (!bench::counts_malloc) {
    std::printf(
        "note: heap allocs/op count operator new only (malloc counting is glibc-only and off "
        "under sanitizers); Asio's recycling allocator calls aligned_alloc directly and is "
        "undercounted.\n");
  }

  // Allocations that the arena should have absorbed deserve a word of
  // explanation: they mean the library allocated more than one operation per
  // chain at a time, or an operation bigger than the arena.
  for (const row_result& r : results) {
    if (r.spec->custom_alloc && r.rill.arena_fallbacks > 0) {
      std::printf(
          "note: %s: %llu rill allocation(s) did not fit the %zu-byte handler_memory "
          "arena (busy or too large)\n",
          r.name.c_str(), static_cast<unsigned long long>(r.rill.arena_fallbacks),
          bench::handler_memory::block_size);
    }
    if (r.spec->custom_alloc && r.asio.arena_fallbacks > 0) {
      std::printf(
          "note: %s: %llu asio allocation(s) did not fit the %zu-byte handler_memory "
          "arena (busy or too large)\n",
          r.name.c_str(), static_cast<unsigned long long>(r.asio.arena_fallbacks),
          bench::handler_memory::block_size);
    }
  }

  std::string missed;
  for (const row_result& r : results) {
    std::string why;
    if (is_target_row(*r.spec) && r.ratio() < target_ratio_single_chain_default) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2fx < %.1fx", r.ratio(), target_ratio_single_chain_default);
      why += buf;
    }
    if (r.rill.max_allocs_per_op() > 0) {
      if (!why.empty()) why += ", ";
      why += format_allocs(r.rill.max_allocs_per_op()) + " heap allocs/op";
    }
    if (!why.empty()) {
      if (!missed.empty()) missed += "; ";
      missed += r.name + " (" + why + ")";
    }
  }
  std::printf(
      "Targets (rill >= %.1fx Asio on 1-chain default-alloc rows; 0 rill heap allocs/op "
      "everywhere): %s%s.\n",
      target_ratio_single_chain_default, missed.empty() ? "all met" : "missed by ", missed.c_str());
}

void print_json_samples(const char* key, const samples& s, bool last) {
  std::printf("      \"%s\": {\"median_ops_per_sec\": %.1f, \"ops_per_sec\": [", key,
              s.median_ops_per_sec());
  for (std::size_t i = 0; i < s.ops_per_sec.size(); ++i) {
    std::printf("%s%.1f", i == 0 ? "" : ", ", s.ops_per_sec[i]);
  }
  std::printf("], \"heap_allocs_per_op\": [");
  for (std::size_t i = 0; i < s.allocs_per_op.size(); ++i) {
    std::printf("%s%.6g", i == 0 ? "" : ", ", s.allocs_per_op[i]);
  }
  std::printf("], \"arena_fallbacks\": %llu}%s\n",
              static_cast<unsigned long long>(s.arena_fallbacks), last ? "" : ",");
}

void print_json(const std::vector<row_result>& results, const options& opts) {
  std::printf(
      "{\n  \"benchmark\": \"post_chain\",\n  \"asio_only\": %s,\n  \"ops\": %llu,\n"
      "  \"reps\": %d,\n  \"rows\": [\n",
      asio_only ? "true" : "false", static_cast<unsigned long long>(opts.ops), opts.reps);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const row_result& r = results[i];
    std::printf(
        "    {\"name\": \"%s\", \"chains\": %zu, \"handler_size\": %zu, "
        "\"custom_alloc\": %s, \"ratio\": %.4f,\n",
        r.name.c_str(), r.spec->chains, r.spec->handler_size,
        r.spec->custom_alloc ? "true" : "false", r.ratio());
    print_json_samples("asio", r.asio, false);
    print_json_samples("rill", r.rill, true);
    std::printf("    }%s\n", i + 1 == results.size() ? "" : ",");
  }
  std::printf("  ]\n}\n");
}

}  // namespace

int main(int argc, char** argv) {
  options opts;
  if (!parse_options(argc, argv, opts)) return 2;

  if (!counting_new_works()) {
    std::fprintf(stderr,
                 "error: the counting operator new is not in use; allocation figures "
                 "would be wrong\n");
    return 1;
  }
#if !defined(__OPTIMIZE__)
  std::fprintf(stderr,
               "warning: built without optimisation; use a Release build "
               "(bash bench/run.sh) for meaningful numbers\n");
#endif

  const std::vector<row> rows = all_rows();
  std::vector<row_result> results;
  for (const row& spec : rows) {
    if (!opts.filter.empty() && spec.name().find(opts.filter) == std::string::npos) continue;
    row_result r;
    if (!opts.json) {
      // Progress on stderr keeps stdout a clean Markdown table.
      std::fprintf(stderr, "running %s ...\n", spec.name().c_str());
    }
    if (!run_row(spec, opts, r)) return 1;
    results.push_back(std::move(r));
  }

  if (opts.json) {
    print_json(results, opts);
  } else {
    print_markdown(results, opts);
  }
  // Never true in practice; it only makes the checksums observable.
  if (checksum_sink == 0xFFFF'FFFF'FFFF'FFFFull) std::printf("\n");
  return 0;
}
