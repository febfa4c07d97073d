// The allocation demo: chains of posted handlers, each chain reusing one
// block of memory through the handler_memory / handler_allocator pattern of
// Asio's custom allocation example. It prints handlers run, handlers per
// second and heap allocations per handler, which is 0: every operation's
// memory comes from its chain's block, freed before the handler runs so the
// next post can take it again.
//
//   rill_example_allocation_demo [--seconds S] [--chains N] [--require-zero-heap]
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <rill.hpp>

#include "handler_memory.hpp"

// ---- Counting the global heap: every operator new in this program. ----
namespace {
std::atomic<unsigned long long> heap_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using example::handler_allocator;
using example::handler_memory;

struct totals {
  unsigned long long handlers = 0;
  bool stopping = false;
};

// A chain: each handler posts the next one, carrying a 256-byte payload so
// the operation is not trivially small.
class chain : public std::enable_shared_from_this<chain> {
 public:
  chain(rill::io_context& ioc, totals& t) : ioc_(ioc), totals_(t) {}

  void start() { post_next(); }

 private:
  void post_next() {
    auto self = shared_from_this();
    std::array<char, 256> payload{};
    payload[0] = static_cast<char>(count_);
    rill::post(ioc_, rill::bind_allocator(handler_allocator<int>(memory_), [this, self, payload] {
                 ++count_;
                 ++totals_.handlers;
                 if (payload[0] == static_cast<char>(count_ - 1) && !totals_.stopping) post_next();
               }));
  }

  rill::io_context& ioc_;
  totals& totals_;
  handler_memory memory_;
  unsigned long long count_ = 0;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3.0;
  int chains = 4;
  bool require_zero_heap = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--chains" && i + 1 < argc) {
      chains = std::atoi(argv[++i]);
    } else if (arg == "--require-zero-heap") {
      require_zero_heap = true;
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--chains N] [--require-zero-heap]\n", argv[0]);
      return 2;
    }
  }
  if (chains < 1) chains = 1;

  rill::io_context ioc;
  totals t;
  std::vector<std::shared_ptr<chain>> all;
  for (int i = 0; i < chains; ++i) all.push_back(std::make_shared<chain>(ioc, t));
  for (auto& c : all) c->start();

  // A progress line twice a second, from a handler that watches the clock.
  const auto start = std::chrono::steady_clock::now();
  unsigned long long heap_at_start = 0;
  unsigned long long handlers_at_start = 0;
  bool warmed_up = false;
  double next_report = 0.5;
  std::printf("rill allocation demo: %d chains of posted handlers, one handler_memory block each\n",
              chains);
  while (!t.stopping) {
    ioc.run_for(std::chrono::milliseconds(50));
    const double elapsed = seconds_since(start);
    if (!warmed_up) {
      // The first slice warms up; count from here on.
      warmed_up = true;
      heap_at_start = heap_allocations.load();
      handlers_at_start = t.handlers;
    }
    if (elapsed >= next_report) {
      std::printf("  %5.1fs  %12llu handlers\n", elapsed, t.handlers);
      std::fflush(stdout);
      next_report += 0.5;
    }
    if (elapsed >= seconds) t.stopping = true;
  }
  const unsigned long long heap = heap_allocations.load() - heap_at_start;
  const unsigned long long handlers = t.handlers - handlers_at_start;
  const double elapsed = seconds_since(start);
  ioc.restart();
  ioc.run();  // let the chains finish their last handler

  std::printf("handlers run:                 %llu\n", t.handlers);
  std::printf("handlers per second:          %.0f\n", static_cast<double>(t.handlers) / elapsed);
  std::printf("heap allocations per handler: %.6f (%llu in %llu handlers after warm-up)\n",
              handlers == 0 ? 0.0 : static_cast<double>(heap) / static_cast<double>(handlers), heap,
              handlers);
  if (require_zero_heap && heap != 0) {
    std::fprintf(stderr, "FAIL: expected no heap allocation after warm-up\n");
    return 1;
  }
  return 0;
}
