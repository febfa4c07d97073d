// Memory-strategy benchmark (issue 6): the same post chains and TCP
// ping-pong under four ways of providing operation memory, for handlers of
// 8, 256, 1500 and 4096 bytes, rill against Asio in one process:
//
//   default     no allocator of the handler's own (each library's default:
//               rill's recycling cache, Asio's per-thread two-slot cache)
//   doc         the handler_memory/handler_allocator of Asio's allocation
//               example, verbatim: one 1024-byte block, ::operator new when
//               a request does not fit
//   pmr         a std::pmr::unsynchronized_pool_resource per chain
//   chain       rill::chain_memory per chain (an allocator like any other,
//               so it serves Asio's operations too)
//
// Usage: rill_bench_memory [--ops=N] [--reps=N] [--quick] [--json] [--filter=TEXT]

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include <asio.hpp>
#include <rill.hpp>
#include <rill/memory/chain_memory.hpp>

#include "harness.hpp"

namespace bench_memory {

// Asio's allocation example (examples/cpp11/allocation/server.cpp), kept as
// the documentation writes it, plus a fallback counter.
class doc_handler_memory {
 public:
  doc_handler_memory() : in_use_(false) {}
  doc_handler_memory(const doc_handler_memory&) = delete;
  doc_handler_memory& operator=(const doc_handler_memory&) = delete;

  void* allocate(std::size_t size) {
    if (!in_use_ && size < sizeof(storage_)) {
      in_use_ = true;
      return &storage_;
    }
    ++fallbacks_;
    return ::operator new(size);
  }

  void deallocate(void* pointer) {
    if (pointer == &storage_) {
      in_use_ = false;
    } else {
      ::operator delete(pointer);
    }
  }

  std::uint64_t fallbacks() const noexcept { return fallbacks_; }

 private:
  typename std::aligned_storage<1024>::type storage_;
  bool in_use_;
  std::uint64_t fallbacks_ = 0;
};

template <typename T>
class doc_handler_allocator {
 public:
  using value_type = T;
  explicit doc_handler_allocator(doc_handler_memory& mem) : memory_(mem) {}
  template <typename U>
  doc_handler_allocator(const doc_handler_allocator<U>& other) noexcept : memory_(other.memory_) {}
  bool operator==(const doc_handler_allocator& other) const noexcept {
    return &memory_ == &other.memory_;
  }
  T* allocate(std::size_t n) const { return static_cast<T*>(memory_.allocate(sizeof(T) * n)); }
  void deallocate(T* p, std::size_t /*n*/) const { return memory_.deallocate(p); }

 private:
  template <typename>
  friend class doc_handler_allocator;
  doc_handler_memory& memory_;
};

}  // namespace bench_memory

namespace bench_asio {
namespace net = ::asio;
using bench_memory::doc_handler_allocator;
using bench_memory::doc_handler_memory;
#include "memory_workload.ipp"
}  // namespace bench_asio

namespace bench_rill {
namespace net = ::rill;
using bench_memory::doc_handler_allocator;
using bench_memory::doc_handler_memory;
#include "memory_workload.ipp"
}  // namespace bench_rill

namespace {

constexpr std::uint64_t default_ops = 1'000'000;
constexpr std::uint64_t quick_ops = 2'000;

const char* strategy_name(bench_rill::strategy s) {
  switch (s) {
    case bench_rill::strategy::default_cache:
      return "default";
    case bench_rill::strategy::doc_handler_memory:
      return "doc handler_memory";
    case bench_rill::strategy::pmr_pool:
      return "pmr pool";
    case bench_rill::strategy::chain_memory:
      return "chain_memory";
  }
  return "?";
}

template <bench_rill::strategy S, std::size_t Size>
bench::row chain_row() {
  constexpr auto asio_s = static_cast<bench_asio::strategy>(S);
  bench::row r;
  r.name = std::string("post chain, ") + std::to_string(Size) + " B, " + strategy_name(S);
  r.json_fields = std::string("\"workload\": \"post_chain\", \"handler_size\": ") +
                  std::to_string(Size) + ", \"strategy\": \"" + strategy_name(S) + "\"";
  r.custom_alloc = S != bench_rill::strategy::default_cache;
  r.run_asio = [](const bench::options& o) {
    return bench_asio::run_memory_chain<asio_s, Size>(o.ops);
  };
  r.run_rill = [](const bench::options& o) { return bench_rill::run_memory_chain<S, Size>(o.ops); };
  return r;
}

template <bench_rill::strategy S, std::size_t Size>
bench::row ping_pong_row() {
  constexpr auto asio_s = static_cast<bench_asio::strategy>(S);
  bench::row r;
  r.name = std::string("ping-pong, ") + std::to_string(Size) + " B, " + strategy_name(S);
  r.json_fields = std::string("\"workload\": \"ping_pong\", \"handler_size\": ") +
                  std::to_string(Size) + ", \"strategy\": \"" + strategy_name(S) + "\"";
  r.custom_alloc = S != bench_rill::strategy::default_cache;
  // Round trips are ~50x slower than posts; four operations each.
  r.run_asio = [](const bench::options& o) {
    return bench_asio::run_memory_ping_pong<asio_s, Size>(std::max<std::uint64_t>(2, o.ops / 50));
  };
  r.run_rill = [](const bench::options& o) {
    return bench_rill::run_memory_ping_pong<S, Size>(std::max<std::uint64_t>(2, o.ops / 50));
  };
  return r;
}

template <std::size_t Size>
void add_rows(std::vector<bench::row>& rows) {
  using S = bench_rill::strategy;
  rows.push_back(chain_row<S::default_cache, Size>());
  rows.push_back(chain_row<S::doc_handler_memory, Size>());
  rows.push_back(chain_row<S::pmr_pool, Size>());
  rows.push_back(chain_row<S::chain_memory, Size>());
  rows.push_back(ping_pong_row<S::default_cache, Size>());
  rows.push_back(ping_pong_row<S::doc_handler_memory, Size>());
  rows.push_back(ping_pong_row<S::pmr_pool, Size>());
  rows.push_back(ping_pong_row<S::chain_memory, Size>());
}

std::vector<bench::row> all_rows() {
  std::vector<bench::row> rows;
  add_rows<8>(rows);
  add_rows<256>(rows);
  add_rows<1500>(rows);
  add_rows<4096>(rows);
  return rows;
}

std::string title(const bench::options& opts) {
  return "Memory strategies: " + std::to_string(opts.ops) +
         " handlers per post-chain run, a fiftieth of that as ping-pong round trips";
}

}  // namespace

int main(int argc, char** argv) {
  bench::program p;
  p.name = "rill_bench_memory";
  p.json_name = "memory";
  p.json_unit = "handlers or round trips";
  p.default_ops = default_ops;
  p.quick_ops = quick_ops;
  p.ops_help = "post-chain handlers per repetition and library";
  p.filter_example = "'chain_memory'";
  p.incomplete = "a run did not complete its handlers or round trips";
  p.targets = "0 rill heap allocs/op in every row (Asio's doc example falls back above 1024 B)";
  p.title = &title;
  p.rows = &all_rows;
  return bench::run_main(p, argc, argv);
}
