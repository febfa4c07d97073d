// The parts every rill-versus-Asio benchmark program shares: command-line
// options, the alternating median-of-N loop, the Markdown and JSON output, the
// targets line and the start-up checks. A program describes itself (a
// `bench::program`) and its rows (`bench::row`, one run function per library)
// and hands over to `bench::run_main`; see post_chain.cpp for the pattern.
//
// Each benchmark program is a single translation unit; this header includes
// counting_new.hpp, which replaces the global allocation functions and so may
// be included by one translation unit per program only.
//
// Build options (preprocessor), for every program:
//   RILL_BENCH_ASIO_ONLY  The "rill" half is compiled against ::asio as well,
//                         so the table compares Asio with itself (harness
//                         noise; ratios should be ~1.0).
//   RILL_BENCH_NO_MALLOC_COUNT  Count operator new only, not the glibc
//                         malloc family (see counting_new.hpp).
#ifndef RILL_BENCH_HARNESS_HPP
#define RILL_BENCH_HARNESS_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "counting_new.hpp"
#include "handler_memory.hpp"

namespace bench {

#if defined(RILL_BENCH_ASIO_ONLY)
inline constexpr bool asio_only = true;
#else
inline constexpr bool asio_only = false;
#endif

struct options {
  std::uint64_t ops = 0;  // the program's unit of work per repetition (see program::ops_help)
  int reps = 0;
  bool json = false;
  std::string filter;
};

// What one timed run of one library measured. Times and counts cover only
// the timed phase of the run (steady state, after a warm-up).
struct measurement {
  double seconds = 0;
  std::uint64_t work = 0;        // what the rate column counts: handlers, waits, round trips, bytes
  std::uint64_t operations = 0;  // asynchronous operations: the denominator of heap allocs/op
  std::uint64_t heap_allocations = 0;  // heap allocations in the timed phase (counting_new.hpp)
  std::uint64_t arena_fallbacks = 0;   // handler_memory requests that went to the heap
  std::uint64_t checksum = 0;          // keeps payloads observable
  bool complete = false;               // the run did all the work it was given
};

using run_fn = std::function<measurement(const options&)>;

// One line of the table: the same workload, once per library.
struct row {
  std::string name;
  std::string json_fields;  // extra JSON members, e.g. "\"chains\": 1, \"custom_alloc\": false"
  bool custom_alloc = false;
  double target_ratio = 0;  // rill/Asio target for this row; 0 if the row has none
  run_fn run_asio;
  run_fn run_rill;
};

// One library's repetitions of one row.
struct samples {
  std::vector<double> ops_per_sec;
  std::vector<double> allocs_per_op;
  std::uint64_t arena_fallbacks = 0;

  void add(const measurement& m) {
    ops_per_sec.push_back(m.seconds > 0 ? static_cast<double>(m.work) / m.seconds : 0.0);
    allocs_per_op.push_back(m.operations > 0 ? static_cast<double>(m.heap_allocations) /
                                                   static_cast<double>(m.operations)
                                             : 0.0);
    arena_fallbacks += m.arena_fallbacks;
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
  const row* spec = nullptr;
  samples asio;
  samples rill;

  const std::string& name() const { return spec->name; }

  double ratio() const {
    const double a = asio.median_ops_per_sec();
    return a > 0 ? rill.median_ops_per_sec() / a : 0.0;
  }
};

// How a program describes itself to the harness.
struct program {
  const char* name = "";          // executable name, for the usage text
  const char* json_name = "";     // "benchmark" member of the JSON output
  const char* json_unit = "";     // "work_unit" member of the JSON output; "" to omit it
  std::uint64_t default_ops = 0;  // --ops default
  int default_reps = 5;
  std::uint64_t quick_ops = 0;  // --ops under --quick
  const char* ops_help = "";    // what --ops counts, for the usage text
  const char* filter_example = "";
  const char* rate_label = "Mops/s";  // column unit; the rate is work/s divided by rate_scale
  double rate_scale = 1e6;
  const char* allocs_label = "heap allocs/op";
  const char* incomplete = "";  // error text when a run reports complete == false
  std::string targets;          // the targets, as printed on the last line
  std::string (*title)(const options&) = nullptr;  // first words of the table's caption
  std::vector<row> (*rows)() = nullptr;
};

namespace harness_detail {

inline void print_usage(const program& p, std::FILE* out) {
  std::fprintf(out,
               "usage: %s [--ops=N] [--reps=N] [--quick] [--json] "
               "[--filter=TEXT]\n"
               "  --ops=N        %s "
               "(default %llu)\n"
               "  --reps=N       repetitions per library and row; the median is reported "
               "(default %d)\n"
               "  --quick        smoke test: --ops=%llu --reps=1\n"
               "  --json         print raw per-repetition results as JSON instead of the "
               "table\n"
               "  --filter=TEXT  only run rows whose name contains TEXT, e.g. %s\n",
               p.name, p.ops_help, static_cast<unsigned long long>(p.default_ops), p.default_reps,
               static_cast<unsigned long long>(p.quick_ops), p.filter_example);
}

inline bool parse_unsigned(std::string_view text, std::uint64_t& value) {
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

inline bool parse_options(const program& p, int argc, char** argv, options& opts) {
  opts.ops = p.default_ops;
  opts.reps = p.default_reps;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::uint64_t n = 0;
    if (arg.starts_with("--ops=") && parse_unsigned(arg.substr(6), n) && n > 0) {
      opts.ops = n;
    } else if (arg.starts_with("--reps=") && parse_unsigned(arg.substr(7), n) && n > 0 &&
               n < 1000) {
      opts.reps = static_cast<int>(n);
    } else if (arg == "--quick") {
      opts.ops = p.quick_ops;
      opts.reps = 1;
    } else if (arg == "--json") {
      opts.json = true;
    } else if (arg.starts_with("--filter=")) {
      opts.filter = std::string(arg.substr(9));
    } else if (arg == "--help" || arg == "-h") {
      print_usage(p, stdout);
      std::exit(0);
    } else {
      std::fprintf(stderr, "unknown or invalid argument: %s\n", argv[i]);
      print_usage(p, stderr);
      return false;
    }
  }
  return true;
}

// The allocation counts are only meaningful if our operator new is the one
// that runs; check that before measuring anything.
inline bool counting_new_works() {
  const std::uint64_t before = heap_allocation_count();
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
  if (heap_allocation_count() - before != 3) return false;
  if constexpr (counts_malloc) {
    // Direct malloc-family calls, the way Asio's recycling allocator allocates.
    const std::uint64_t before_malloc = heap_allocation_count();
    void* volatile m = std::malloc(16);
    std::free(m);
    void* volatile a = std::aligned_alloc(64, 64);
    std::free(a);
    if (heap_allocation_count() - before_malloc != 2) return false;
  }
  return true;
}

// Folded into the output so the optimiser cannot discard the payloads.
inline std::uint64_t checksum_sink = 0;

inline bool record(const program& p, const char* library, const row_result& r, const measurement& m,
                   samples& into) {
  checksum_sink += m.checksum;
  if (!m.complete) {
    std::fprintf(stderr, "error: %s, %s: %s\n", library, r.name().c_str(), p.incomplete);
    return false;
  }
  into.add(m);
  return true;
}

inline bool run_row(const program& p, const row& spec, const options& opts, row_result& out) {
  out.spec = &spec;
  for (int rep = 0; rep < opts.reps; ++rep) {
    // Alternate which library goes first, so drift in the machine's speed
    // (frequency, neighbours) does not always favour the same one.
    const bool asio_first = rep % 2 == 0;
    for (int turn = 0; turn < 2; ++turn) {
      if ((turn == 0) == asio_first) {
        if (!record(p, "asio", out, spec.run_asio(opts), out.asio)) return false;
      } else {
        if (!record(p, "rill", out, spec.run_rill(opts), out.rill)) return false;
      }
    }
  }
  return true;
}

inline std::string format_allocs(double allocs_per_op) {
  if (allocs_per_op == 0) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", allocs_per_op);
  return buf;
}

inline void print_markdown(const program& p, const std::vector<row_result>& results,
                           const options& opts) {
  const char* rill_label = asio_only ? "\"rill\" (= Asio)" : "rill";
  std::printf(
      "%s, median of %d run%s per library.%s\n\n", p.title(opts).c_str(), opts.reps,
      opts.reps == 1 ? "" : "s",
      asio_only ? " HARNESS CHECK: built with RILL_BENCH_ASIO_ONLY, both columns are Asio." : "");
  std::printf("| workload | asio %s | %s %s | %s/asio | asio %s | %s %s |\n", p.rate_label,
              rill_label, p.rate_label, asio_only ? "\"rill\"" : "rill", p.allocs_label, rill_label,
              p.allocs_label);
  std::printf("|---|--:|--:|--:|--:|--:|\n");
  for (const row_result& r : results) {
    std::printf("| %s | %.2f | %.2f | %.2fx | %s | %s |\n", r.name().c_str(),
                r.asio.median_ops_per_sec() / p.rate_scale,
                r.rill.median_ops_per_sec() / p.rate_scale, r.ratio(),
                format_allocs(r.asio.max_allocs_per_op()).c_str(),
                format_allocs(r.rill.max_allocs_per_op()).c_str());
  }
  std::printf("\n");
  if (!counts_malloc) {
    std::printf(
        "note: heap allocs/op count operator new only (malloc counting is glibc-only and off "
        "under sanitizers); Asio's recycling allocator calls aligned_alloc directly and is "
        "undercounted.\n");
  }

  // Allocations that the arena should have absorbed deserve a word of
  // explanation: they mean the library allocated more than one operation per
  // arena at a time, or an operation bigger than the arena.
  for (const row_result& r : results) {
    if (r.spec->custom_alloc && r.rill.arena_fallbacks > 0) {
      std::printf(
          "note: %s: %llu rill allocation(s) did not fit the %zu-byte handler_memory "
          "arena (busy or too large)\n",
          r.name().c_str(), static_cast<unsigned long long>(r.rill.arena_fallbacks),
          handler_memory::block_size);
    }
    if (r.spec->custom_alloc && r.asio.arena_fallbacks > 0) {
      std::printf(
          "note: %s: %llu asio allocation(s) did not fit the %zu-byte handler_memory "
          "arena (busy or too large)\n",
          r.name().c_str(), static_cast<unsigned long long>(r.asio.arena_fallbacks),
          handler_memory::block_size);
    }
  }

  std::string missed;
  for (const row_result& r : results) {
    std::string why;
    if (r.spec->target_ratio > 0 && r.ratio() < r.spec->target_ratio) {
      // Three decimals where two would round up to the target ("1.00x < 1.0x").
      const bool close = std::floor(r.ratio() * 100 + 0.5) >= r.spec->target_ratio * 100;
      char buf[64];
      std::snprintf(buf, sizeof buf, close ? "%.3fx < %.1fx" : "%.2fx < %.1fx", r.ratio(),
                    r.spec->target_ratio);
      why += buf;
    }
    if (r.rill.max_allocs_per_op() > 0) {
      if (!why.empty()) why += ", ";
      why += format_allocs(r.rill.max_allocs_per_op()) + " " + p.allocs_label;
    }
    if (!why.empty()) {
      if (!missed.empty()) missed += "; ";
      missed += r.name() + " (" + why + ")";
    }
  }
  std::printf("Targets (%s): %s%s.\n", p.targets.c_str(), missed.empty() ? "all met" : "missed by ",
              missed.c_str());
}

inline void print_json_samples(const char* key, const samples& s, bool last) {
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

inline void print_json(const program& p, const std::vector<row_result>& results,
                       const options& opts) {
  std::printf("{\n  \"benchmark\": \"%s\",\n", p.json_name);
  if (*p.json_unit != '\0') std::printf("  \"work_unit\": \"%s\",\n", p.json_unit);
  std::printf(
      "  \"asio_only\": %s,\n  \"ops\": %llu,\n"
      "  \"reps\": %d,\n  \"rows\": [\n",
      asio_only ? "true" : "false", static_cast<unsigned long long>(opts.ops), opts.reps);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const row_result& r = results[i];
    std::printf("    {\"name\": \"%s\", %s, \"ratio\": %.4f,\n", r.name().c_str(),
                r.spec->json_fields.c_str(), r.ratio());
    print_json_samples("asio", r.asio, false);
    print_json_samples("rill", r.rill, true);
    std::printf("    }%s\n", i + 1 == results.size() ? "" : ",");
  }
  std::printf("  ]\n}\n");
}

}  // namespace harness_detail

// The whole program after its description: parse the arguments, check the
// allocation counter, run the selected rows (both libraries alternating,
// opts.reps times each) and print the table or the JSON. Returns main's exit
// code: 0 whatever the numbers are; 1 for a broken counter or an incomplete
// run; 2 for bad arguments.
inline int run_main(const program& p, int argc, char** argv) {
  options opts;
  if (!harness_detail::parse_options(p, argc, argv, opts)) return 2;

  if (!harness_detail::counting_new_works()) {
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

  const std::vector<row> rows = p.rows();
  std::vector<row_result> results;
  for (const row& spec : rows) {
    if (!opts.filter.empty() && spec.name.find(opts.filter) == std::string::npos) continue;
    row_result r;
    if (!opts.json) {
      // Progress on stderr keeps stdout a clean Markdown table.
      std::fprintf(stderr, "running %s ...\n", spec.name.c_str());
    }
    if (!harness_detail::run_row(p, spec, opts, r)) return 1;
    results.push_back(std::move(r));
  }

  if (opts.json) {
    harness_detail::print_json(p, results, opts);
  } else {
    harness_detail::print_markdown(p, results, opts);
  }
  // Never true in practice; it only makes the checksums observable.
  if (harness_detail::checksum_sink == 0xFFFF'FFFF'FFFF'FFFFull) std::printf("\n");
  return 0;
}

}  // namespace bench

#endif  // RILL_BENCH_HARNESS_HPP
