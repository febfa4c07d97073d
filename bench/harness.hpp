// The parts every rill-versus-Asio benchmark program shares: command-line
// options, the alternating median-of-N loop, the Markdown and JSON output, the
// targets line and the start-up checks. A program describes itself (a
// `bench::program`) and its rows (`bench::row`, one run function per library)
// and hands over to `bench::run_main`; see post_chain.cpp for the pattern.
// A row may have a third run function, Asio's io_uring build (asio_uring.hpp);
// its rows then show both Asio builds, and the ratio that counts for the
// targets is rill against the better of the two. A row may also have a
// "floor" run function: the same workload on the least machinery that can do
// it (floor_loop.hpp for post chains); its rows then show the floor's rate
// and rill/floor, how far rill is from what the hardware allows.
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
//   RILL_BENCH_ASIO_URING The program is linked with rill_bench_asio_uring,
//                         Asio's io_uring build (set by CMake when liburing
//                         is found).
//
// Environment: RILL_BENCH_RESULTS=FILE appends one tab-separated line per row
// to FILE (program, row, rill/best Asio, target, which Asio was best, rill/Asio
// epoll), which bench/run.sh --svg turns into a chart (bench/svg_chart.awk).
#ifndef RILL_BENCH_HARNESS_HPP
#define RILL_BENCH_HARNESS_HPP

#include <algorithm>
#include <array>
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
#include "measurement.hpp"
#if defined(RILL_BENCH_ASIO_URING)
#include "asio_uring.hpp"
#endif

namespace bench {

#if defined(RILL_BENCH_ASIO_ONLY)
inline constexpr bool asio_only = true;
#else
inline constexpr bool asio_only = false;
#endif

#if defined(RILL_BENCH_ASIO_URING)
// Asio's io_uring build, in its shared library; valid for the program's lifetime.
inline const asio_uring_api& asio_uring() {
  static const asio_uring_api* const api = rill_bench_asio_uring(&heap_allocation_count);
  return *api;
}
#endif

struct options {
  std::uint64_t ops = 0;  // the program's unit of work per repetition (see program::ops_help)
  int reps = 0;
  bool json = false;
  std::string filter;
  std::string only;  // "", or the one library to run: "rill", "asio", "asio-uring" or "floor"
};

using run_fn = std::function<measurement(const options&)>;

// One line of the table: the same workload, once per library.
struct row {
  std::string name;
  std::string json_fields;  // extra JSON members, e.g. "\"chains\": 1, \"custom_alloc\": false"
  bool custom_alloc = false;
  double target_ratio = 0;  // rill/best Asio target for this row; 0 if the row has none
  run_fn run_asio;          // Asio as the program includes it: epoll
  run_fn run_rill;
  run_fn run_asio_uring;  // Asio's io_uring build; empty if the program has none
  run_fn run_floor;       // the workload's floor (no library); empty if the program has none
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
  samples asio;        // epoll
  samples asio_uring;  // io_uring; empty when not built, not available or not selected
  samples rill;
  samples floor;  // empty when the program has no floor or it was not selected

  const std::string& name() const { return spec->name; }

  bool uring_won() const { return asio_uring.median_ops_per_sec() > asio.median_ops_per_sec(); }

  // rill against Asio on epoll.
  double ratio() const {
    const double a = asio.median_ops_per_sec();
    return a > 0 ? rill.median_ops_per_sec() / a : 0.0;
  }

  // rill against the faster Asio build: what the targets are about.
  double ratio_best() const {
    const double a = std::max(asio.median_ops_per_sec(), asio_uring.median_ops_per_sec());
    return a > 0 ? rill.median_ops_per_sec() / a : 0.0;
  }

  // rill against the floor: 1.0 would mean rill adds nothing to the bare loop.
  double ratio_floor() const {
    const double f = floor.median_ops_per_sec();
    return f > 0 ? rill.median_ops_per_sec() / f : 0.0;
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
               "[--filter=TEXT] [--only=LIBRARY]\n"
               "  --ops=N        %s "
               "(default %llu)\n"
               "  --reps=N       repetitions per library and row; the median is reported "
               "(default %d)\n"
               "  --quick        smoke test: --ops=%llu --reps=1\n"
               "  --json         print raw per-repetition results as JSON instead of the "
               "table\n"
               "  --filter=TEXT  only run rows whose name contains TEXT, e.g. %s\n"
               "  --only=LIBRARY only run one library: rill, asio (epoll), asio-uring or "
               "floor (for strace or perf; no ratios)\n",
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
    } else if (arg == "--only=rill" || arg == "--only=asio" || arg == "--only=asio-uring" ||
               arg == "--only=floor") {
      opts.only = std::string(arg.substr(7));
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

// `uring`: Asio's io_uring build is built, works here, and is wanted.
inline bool run_row(const program& p, const row& spec, const options& opts, bool uring,
                    row_result& out) {
  out.spec = &spec;
  struct library {
    const char* label;
    const run_fn* run;
    samples* into;
  };
  std::array<library, 4> libraries{};
  std::size_t count = 0;
  auto wanted = [&opts](std::string_view key) { return opts.only.empty() || opts.only == key; };
  if (wanted("asio")) libraries[count++] = {"asio (epoll)", &spec.run_asio, &out.asio};
  if (uring && spec.run_asio_uring && wanted("asio-uring")) {
    libraries[count++] = {"asio (io_uring)", &spec.run_asio_uring, &out.asio_uring};
  }
  if (wanted("rill")) libraries[count++] = {"rill", &spec.run_rill, &out.rill};
  if (spec.run_floor && wanted("floor")) {
    libraries[count++] = {"floor", &spec.run_floor, &out.floor};
  }
  for (int rep = 0; rep < opts.reps; ++rep) {
    // Rotate which library goes first, so drift in the machine's speed
    // (frequency, neighbours) does not always favour the same one.
    for (std::size_t turn = 0; turn < count; ++turn) {
      const library& l = libraries[(static_cast<std::size_t>(rep) + turn) % count];
      if (!record(p, l.label, out, (*l.run)(opts), *l.into)) return false;
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

// "-" for a library that did not run (--only, or io_uring unavailable).
inline std::string format_allocs(const samples& s) {
  return s.allocs_per_op.empty() ? "-" : format_allocs(s.max_allocs_per_op());
}

inline std::string format_rate(const program& p, const samples& s) {
  if (s.ops_per_sec.empty()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s.median_ops_per_sec() / p.rate_scale);
  return buf;
}

inline std::string format_ratio(double ratio) {
  if (ratio <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", ratio);
  return buf;
}

// `three_way`: the program has Asio's io_uring build, so the table shows both
// Asio builds and rill against the better one. `with_floor`: the program has
// a floor, shown in two last columns (its rate and rill/floor). `uring_note`:
// why the io_uring columns are empty, if they are.
inline void print_markdown(const program& p, const std::vector<row_result>& results,
                           const options& opts, bool three_way, bool with_floor,
                           const std::string& uring_note) {
  const char* rill_label = asio_only ? "\"rill\" (= Asio)" : "rill";
  const char* rill_short = asio_only ? "\"rill\"" : "rill";
  std::printf(
      "%s, median of %d run%s per library.%s\n\n", p.title(opts).c_str(), opts.reps,
      opts.reps == 1 ? "" : "s",
      asio_only ? " HARNESS CHECK: built with RILL_BENCH_ASIO_ONLY, every column is Asio." : "");
  // The floor's two columns close each line (header, rule, rows).
  auto floor_header = [&]() {
    if (with_floor) std::printf(" floor %s | %s/floor |", p.rate_label, rill_short);
    std::printf("\n");
  };
  auto floor_rule = [&]() { std::printf(with_floor ? "--:|--:|\n" : "\n"); };
  auto floor_cells = [&](const row_result& r) {
    if (with_floor) {
      std::printf(" %s | %s |", format_rate(p, r.floor).c_str(),
                  format_ratio(r.ratio_floor()).c_str());
    }
    std::printf("\n");
  };
  if (three_way) {
    std::printf(
        "| workload | asio epoll %s | asio io_uring %s | %s %s | %s/asio epoll | %s/best asio | "
        "asio epoll %s | asio io_uring %s | %s %s |",
        p.rate_label, p.rate_label, rill_label, p.rate_label, rill_short, rill_short,
        p.allocs_label, p.allocs_label, rill_label, p.allocs_label);
    floor_header();
    std::printf("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    floor_rule();
    for (const row_result& r : results) {
      std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |", r.name().c_str(),
                  format_rate(p, r.asio).c_str(), format_rate(p, r.asio_uring).c_str(),
                  format_rate(p, r.rill).c_str(), format_ratio(r.ratio()).c_str(),
                  format_ratio(r.ratio_best()).c_str(), format_allocs(r.asio).c_str(),
                  format_allocs(r.asio_uring).c_str(), format_allocs(r.rill).c_str());
      floor_cells(r);
    }
  } else {
    std::printf("| workload | asio %s | %s %s | %s/asio | asio %s | %s %s |", p.rate_label,
                rill_label, p.rate_label, rill_short, p.allocs_label, rill_label, p.allocs_label);
    floor_header();
    std::printf("|---|--:|--:|--:|--:|--:|");
    floor_rule();
    for (const row_result& r : results) {
      std::printf("| %s | %s | %s | %s | %s | %s |", r.name().c_str(),
                  format_rate(p, r.asio).c_str(), format_rate(p, r.rill).c_str(),
                  format_ratio(r.ratio()).c_str(), format_allocs(r.asio).c_str(),
                  format_allocs(r.rill).c_str());
      floor_cells(r);
    }
  }
  std::printf("\n");
  if (!uring_note.empty()) std::printf("note: %s\n", uring_note.c_str());
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
    if (!r.spec->custom_alloc) continue;
    const std::pair<const char*, const samples*> libraries[] = {
        {"rill", &r.rill}, {"asio (epoll)", &r.asio}, {"asio (io_uring)", &r.asio_uring}};
    for (const auto& [library, s] : libraries) {
      if (s->arena_fallbacks == 0) continue;
      std::printf(
          "note: %s: %llu %s allocation(s) did not fit the %zu-byte handler_memory "
          "arena (busy or too large)\n",
          r.name().c_str(), static_cast<unsigned long long>(s->arena_fallbacks), library,
          handler_memory::block_size);
    }
  }

  if (!opts.only.empty()) {
    std::printf("Targets: not checked (--only=%s).\n", opts.only.c_str());
    return;
  }
  std::string missed;
  for (const row_result& r : results) {
    std::string why;
    const double ratio = r.ratio_best();
    if (r.spec->target_ratio > 0 && ratio < r.spec->target_ratio) {
      // Three decimals where two would round up to the target ("1.00x < 1.0x").
      const bool close = std::floor(ratio * 100 + 0.5) >= r.spec->target_ratio * 100;
      char buf[64];
      std::snprintf(buf, sizeof buf, close ? "%.3fx < %.1fx" : "%.2fx < %.1fx", ratio,
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

// "asio" is Asio on epoll; "asio_io_uring" is there when the program has the
// io_uring build, "floor" and "ratio_floor" (rill/floor) when it has a floor.
// "ratio" is rill/asio (epoll), "ratio_best_asio" rill against the faster of
// the two.
inline void print_json(const program& p, const std::vector<row_result>& results,
                       const options& opts, bool three_way, bool with_floor) {
  std::printf("{\n  \"benchmark\": \"%s\",\n", p.json_name);
  if (*p.json_unit != '\0') std::printf("  \"work_unit\": \"%s\",\n", p.json_unit);
  std::printf(
      "  \"asio_only\": %s,\n  \"ops\": %llu,\n"
      "  \"reps\": %d,\n  \"rows\": [\n",
      asio_only ? "true" : "false", static_cast<unsigned long long>(opts.ops), opts.reps);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const row_result& r = results[i];
    std::printf("    {\"name\": \"%s\", %s, \"ratio\": %.4f, \"ratio_best_asio\": %.4f,",
                r.name().c_str(), r.spec->json_fields.c_str(), r.ratio(), r.ratio_best());
    if (with_floor) std::printf(" \"ratio_floor\": %.4f,", r.ratio_floor());
    std::printf("\n");
    print_json_samples("asio", r.asio, false);
    if (three_way) print_json_samples("asio_io_uring", r.asio_uring, false);
    if (with_floor) print_json_samples("floor", r.floor, false);
    print_json_samples("rill", r.rill, true);
    std::printf("    }%s\n", i + 1 == results.size() ? "" : ",");
  }
  std::printf("  ]\n}\n");
}

// Appends the rows to the file named by RILL_BENCH_RESULTS, if set: one line
// per row, tab-separated: program, row, rill/best Asio, target (0: none),
// which Asio was faster ("epoll", "io_uring"; "epoll only" when the program
// has no io_uring build or it did not run), rill/Asio epoll. bench/run.sh
// --svg reads them (bench/svg_chart.awk).
inline bool append_results(const program& p, const std::vector<row_result>& results) {
  const char* path = std::getenv("RILL_BENCH_RESULTS");
  if (path == nullptr || *path == '\0') return true;
  std::FILE* out = std::fopen(path, "a");
  if (out == nullptr) {
    std::fprintf(stderr, "error: cannot append to RILL_BENCH_RESULTS=%s\n", path);
    return false;
  }
  for (const row_result& r : results) {
    const char* best = r.asio_uring.ops_per_sec.empty() ? "epoll only"
                       : r.uring_won()                  ? "io_uring"
                                                        : "epoll";
    std::fprintf(out, "%s%s\t%s\t%.4f\t%.2f\t%s\t%.4f\n", p.json_name,
                 asio_only ? " (harness check: rill = Asio)" : "", r.name().c_str(), r.ratio_best(),
                 r.spec->target_ratio, best, r.ratio());
  }
  return std::fclose(out) == 0;
}

}  // namespace harness_detail

// The whole program after its description: parse the arguments, check the
// allocation counter, run the selected rows (the libraries in rotation,
// opts.reps times each) and print the table or the JSON. Returns main's exit
// code: 0 whatever the numbers are; 1 for a broken counter, an incomplete run
// or an unwritable RILL_BENCH_RESULTS; 2 for bad arguments.
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
  const bool three_way = std::any_of(
      rows.begin(), rows.end(), [](const row& r) { return static_cast<bool>(r.run_asio_uring); });
  const bool with_floor = std::any_of(rows.begin(), rows.end(),
                                      [](const row& r) { return static_cast<bool>(r.run_floor); });
  bool uring = false;
  std::string uring_note;
  if (three_way && (opts.only.empty() || opts.only == "asio-uring")) {
#if defined(RILL_BENCH_ASIO_URING)
    char why[256] = {};
    uring = asio_uring().probe(why, sizeof why);
    if (!uring) {
      uring_note = std::string("Asio's io_uring build cannot run here (") + why +
                   "); best Asio is Asio on epoll.";
      std::fprintf(stderr, "warning: %s\n", uring_note.c_str());
    }
#endif
  }
  if (opts.only == "asio-uring" && !uring) {
    std::fprintf(stderr, "error: --only=asio-uring, but %s\n",
                 three_way ? "Asio's io_uring build cannot run here"
                           : "this program has no io_uring build of Asio");
    return 1;
  }

  if (opts.only == "floor" && !with_floor) {
    std::fprintf(stderr, "error: --only=floor, but this program has no floor\n");
    return 1;
  }

  std::vector<row_result> results;
  for (const row& spec : rows) {
    if (!opts.filter.empty() && spec.name.find(opts.filter) == std::string::npos) continue;
    row_result r;
    if (!opts.json) {
      // Progress on stderr keeps stdout a clean Markdown table.
      std::fprintf(stderr, "running %s ...\n", spec.name.c_str());
    }
    if (!harness_detail::run_row(p, spec, opts, uring, r)) return 1;
    results.push_back(std::move(r));
  }

  if (opts.json) {
    harness_detail::print_json(p, results, opts, three_way, with_floor);
  } else {
    harness_detail::print_markdown(p, results, opts, three_way, with_floor, uring_note);
  }
  // Ratios of a single library are meaningless: --only runs are not recorded.
  if (opts.only.empty() && !harness_detail::append_results(p, results)) return 1;
  // Never true in practice; it only makes the checksums observable.
  if (harness_detail::checksum_sink == 0xFFFF'FFFF'FFFF'FFFFull) std::printf("\n");
  return 0;
}

}  // namespace bench

#endif  // RILL_BENCH_HARNESS_HPP
