// The README demo: the echo server of Asio's custom allocation example, in
// rill, under load from clients in the same process on loopback, showing
// where every operation's memory came from.
//
// Each server session keeps its operations in a rill::chain_memory (the
// complete form of the example's handler_memory). The clients take turns
// with the three other ways rill offers: a chain_memory of their own, a
// std::pmr pool through rill::bind_memory_resource, and no allocator at all
// (rill's per-thread recycling cache). At the end the demo prints, per
// connection, what each memory store served and what it took from the heap,
// then the totals after warm-up: rill::get_memory_stats() by source, the heap
// allocations reported to a rill::on_heap_allocation callback, and every call
// of the global operator new in the program (0 per operation after warm-up).
//
//   rill_example_echo_demo [--seconds S] [--connections N] [--message-size B]
//                          [--require-zero-heap]
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <memory_resource>
#include <new>
#include <string>
#include <vector>

#include <rill.hpp>

// ---- Counting the global heap: every operator new in this program. ----
namespace {
std::atomic<unsigned long long> global_new_calls{0};
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
  global_new_calls.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using rill::ip::tcp;

struct counters {
  unsigned long long echoed = 0;  // messages the clients got back
  unsigned long long bytes = 0;   // bytes the clients got back
  bool stopping = false;
};

// A pmr resource that counts what is asked of it and passes it on, so the
// demo can say what a pool served and what the pool took from the heap.
class counted_resource : public std::pmr::memory_resource {
 public:
  explicit counted_resource(std::pmr::memory_resource* upstream) : upstream_(upstream) {}
  unsigned long long allocations = 0;
  unsigned long long bytes = 0;

 private:
  void* do_allocate(std::size_t size, std::size_t alignment) override {
    ++allocations;
    bytes += size;
    return upstream_->allocate(size, alignment);
  }
  void do_deallocate(void* p, std::size_t size, std::size_t alignment) override {
    upstream_->deallocate(p, size, alignment);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
  std::pmr::memory_resource* upstream_;
};

std::string describe(const rill::chain_memory_stats& s) {
  char line[160];
  std::snprintf(line, sizeof line,
                "%llu from its slots, heap: %llu growth(s) %llu fallback(s), %zu B held",
                static_cast<unsigned long long>(s.allocations - s.heap_fallbacks),
                static_cast<unsigned long long>(s.growths),
                static_cast<unsigned long long>(s.heap_fallbacks), s.bytes_held);
  return line;
}

// The server session, as in Asio's example: read some, write it all back.
// Both operations of the chain take their memory from memory_.
class session : public std::enable_shared_from_this<session> {
 public:
  explicit session(tcp::socket socket)
      : socket_(std::move(socket)), peer_port_(socket_.remote_endpoint().port()) {}

  void start() { do_read(); }
  unsigned long long operations() const { return operations_; }
  const rill::chain_memory& memory() const { return memory_; }
  unsigned short peer_port() const { return peer_port_; }

 private:
  void do_read() {
    socket_.async_read_some(
        rill::buffer(data_),
        memory_.wrap([this, self = shared_from_this()](std::error_code ec, std::size_t length) {
          ++operations_;
          if (!ec) do_write(length);
        }));
  }

  void do_write(std::size_t length) {
    rill::async_write(
        socket_, rill::buffer(data_, length),
        memory_.wrap([this, self = shared_from_this()](std::error_code ec, std::size_t) {
          ++operations_;
          if (!ec) do_read();
        }));
  }

  tcp::socket socket_;
  unsigned short peer_port_;
  std::array<char, 1024> data_{};
  unsigned long long operations_ = 0;
  rill::chain_memory memory_;
};

class server {
 public:
  explicit server(rill::io_context& ioc)
      : acceptor_(ioc, tcp::endpoint(rill::ip::address_v4::loopback(), 0)) {
    do_accept();
  }

  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  void close() { acceptor_.close(); }
  const std::vector<std::shared_ptr<session>>& sessions() const { return sessions_; }

 private:
  void do_accept() {
    acceptor_.async_accept([this](std::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed: the demo is over
      sessions_.push_back(std::make_shared<session>(std::move(socket)));
      sessions_.back()->start();
      do_accept();
    });
  }

  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<session>> sessions_;  // to report on them at the end
};

enum class client_memory { chain_memory, pmr_pool, recycling_cache };

// A load client: write a message, read the echo, repeat until told to stop.
class client : public std::enable_shared_from_this<client> {
 public:
  client(rill::io_context& ioc, counters& c, std::size_t message_size, client_memory kind)
      : socket_(ioc), counters_(c), out_(message_size, 'r'), in_(message_size), kind_(kind) {}

  void start(const tcp::endpoint& server) {
    socket_.async_connect(server, [this, self = shared_from_this()](std::error_code ec) {
      if (!ec) {
        port_ = socket_.local_endpoint().port();
        socket_.set_option(tcp::no_delay(true));
        do_write();
      }
    });
  }

  void stop() {
    std::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  std::string report() const {
    char line[200];
    switch (kind_) {
      case client_memory::chain_memory:
        std::snprintf(line, sizeof line, "chain_memory:    %s", describe(chain_.stats()).c_str());
        break;
      case client_memory::pmr_pool:
        std::snprintf(line, sizeof line,
                      "pmr pool:        %llu from the pool, which took %llu block(s) (%llu B) "
                      "from the heap",
                      pool_front_.allocations, heap_upstream_.allocations, heap_upstream_.bytes);
        break;
      case client_memory::recycling_cache:
        std::snprintf(line, sizeof line, "recycling cache: counted in the totals below");
        break;
    }
    return line;
  }
  unsigned long long operations() const { return operations_; }
  unsigned short port() const { return port_; }

 private:
  // The same handler, given the memory this client was told to use.
  template <typename Handler>
  void with_memory(Handler handler, auto&& initiate) {
    switch (kind_) {
      case client_memory::chain_memory:
        initiate(chain_.wrap(std::move(handler)));
        break;
      case client_memory::pmr_pool:
        initiate(rill::bind_memory_resource(&pool_front_, std::move(handler)));
        break;
      case client_memory::recycling_cache:
        initiate(std::move(handler));
        break;
    }
  }

  void do_write() {
    with_memory(
        [this, self = shared_from_this()](std::error_code ec, std::size_t) {
          ++operations_;
          if (!ec) do_read();
        },
        [this](auto handler) {
          rill::async_write(socket_, rill::buffer(out_), std::move(handler));
        });
  }

  void do_read() {
    with_memory(
        [this, self = shared_from_this()](std::error_code ec, std::size_t n) {
          ++operations_;
          if (ec) return;
          ++counters_.echoed;
          counters_.bytes += n;
          if (!counters_.stopping) do_write();
        },
        [this](auto handler) { rill::async_read(socket_, rill::buffer(in_), std::move(handler)); });
  }

  tcp::socket socket_;
  counters& counters_;
  std::string out_;
  std::vector<char> in_;
  client_memory kind_;
  unsigned short port_ = 0;
  unsigned long long operations_ = 0;
  rill::chain_memory chain_;
  counted_resource heap_upstream_{std::pmr::new_delete_resource()};
  std::pmr::unsynchronized_pool_resource pool_{&heap_upstream_};
  counted_resource pool_front_{&pool_};
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

const char* name_of(rill::heap_origin origin) {
  switch (origin) {
    case rill::heap_origin::recycling_cache:
      return "recycling cache";
    case rill::heap_origin::chain_memory_growth:
      return "chain_memory growth";
    case rill::heap_origin::chain_memory_fallback:
      return "chain_memory fallback";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3.0;
  int connections = 16;
  std::size_t message_size = 64;
  bool require_zero_heap = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--connections" && i + 1 < argc) {
      connections = std::atoi(argv[++i]);
    } else if (arg == "--message-size" && i + 1 < argc) {
      message_size = static_cast<std::size_t>(std::atol(argv[++i]));
    } else if (arg == "--require-zero-heap") {
      require_zero_heap = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seconds S] [--connections N] [--message-size B] "
                   "[--require-zero-heap]\n",
                   argv[0]);
      return 2;
    }
  }
  if (connections < 1) connections = 1;
  if (message_size < 1 || message_size > 1024) message_size = 64;

  try {
    // Heap allocations for asynchronous work, by origin, before and after
    // warm-up. The callback runs on the thread that allocates (this one).
    bool warmed_up = false;
    std::array<std::array<unsigned long long, 3>, 2> heap_by_origin{};
    auto hook = rill::on_heap_allocation([&](const rill::heap_allocation& a) {
      ++heap_by_origin[warmed_up ? 1 : 0][static_cast<std::size_t>(a.origin)];
    });

    rill::io_context ioc;
    counters c;
    server srv(ioc);
    std::vector<std::shared_ptr<client>> clients;
    for (int i = 0; i < connections; ++i) {
      clients.push_back(
          std::make_shared<client>(ioc, c, message_size, static_cast<client_memory>(i % 3)));
      clients.back()->start(srv.endpoint());
    }
    std::printf(
        "rill echo demo: Asio's allocation-example server on %s, %d client connections, "
        "%zu-byte messages\n",
        srv.endpoint().address().to_string().c_str(), connections, message_size);

    const auto start = std::chrono::steady_clock::now();
    const double warm_up = seconds > 1.0 ? 0.5 : seconds / 4;
    unsigned long long new_at_warm = 0;
    unsigned long long new_at_end = 0;
    rill::memory_stats after_warm_up;
    double next_report = 0.5;
    double elapsed = 0;
    while (!c.stopping) {
      ioc.run_for(std::chrono::milliseconds(50));
      elapsed = seconds_since(start);
      if (!warmed_up && elapsed >= warm_up) {
        warmed_up = true;
        rill::reset_memory_stats();
        new_at_warm = global_new_calls.load();
      }
      if (elapsed >= next_report) {
        std::printf("  %5.1fs  %10llu messages echoed  %8.1f MB/s\n", elapsed, c.echoed,
                    static_cast<double>(c.bytes) / elapsed / 1e6);
        std::fflush(stdout);
        next_report += 0.5;
      }
      if (elapsed >= seconds) {
        c.stopping = true;
        new_at_end = global_new_calls.load();
        after_warm_up = rill::get_memory_stats();
      }
    }

    std::printf("\nwhere each connection's operation memory came from (whole run):\n");
    for (std::size_t i = 0; i < clients.size(); ++i) {
      std::printf("  connection %2zu  client: %7llu operations, %s\n", i, clients[i]->operations(),
                  clients[i]->report().c_str());
      for (const auto& s : srv.sessions()) {
        if (s->peer_port() != clients[i]->port()) continue;
        std::printf("                 server: %7llu operations, chain_memory:    %s\n",
                    s->operations(), describe(s->memory().stats()).c_str());
      }
    }

    // Shut down: the clients stop after their current round trip.
    srv.close();
    for (auto& cl : clients) cl->stop();
    ioc.restart();
    ioc.run_for(std::chrono::seconds(5));

    const unsigned long long ops = after_warm_up.operations();
    const unsigned long long news = new_at_end - new_at_warm;
    std::printf("\nin total, after warm-up (rill::get_memory_stats):\n");
    std::printf("  operations:                   %llu\n", ops);
    std::printf("  from the handler's allocator: %llu (chain_memory, pmr pool)\n",
                static_cast<unsigned long long>(after_warm_up.handler_allocator));
    std::printf("  from the recycling cache:     %llu\n",
                static_cast<unsigned long long>(after_warm_up.cache_hits));
    std::printf("  cache misses to the heap:     %llu\n",
                static_cast<unsigned long long>(after_warm_up.cache_misses));
    std::printf("  peak live operations:         %lld\n",
                static_cast<long long>(after_warm_up.peak_live));
    std::printf("heap allocations for asynchronous work (rill::on_heap_allocation):\n");
    for (std::size_t o = 0; o < 3; ++o) {
      std::printf("  %-22s %6llu during warm-up, %llu after\n",
                  name_of(static_cast<rill::heap_origin>(o)), heap_by_origin[0][o],
                  heap_by_origin[1][o]);
    }
    std::printf("messages echoed:              %llu (%.0f per second, %.1f MB/s)\n", c.echoed,
                static_cast<double>(c.echoed) / elapsed,
                static_cast<double>(c.bytes) / elapsed / 1e6);
    std::printf(
        "heap allocations per op:      %.6f (%llu calls of operator new in %llu "
        "operations after warm-up)\n",
        ops == 0 ? 0.0 : static_cast<double>(news) / static_cast<double>(ops), news, ops);
    const unsigned long long heap_after =
        heap_by_origin[1][0] + heap_by_origin[1][1] + heap_by_origin[1][2];
    if (require_zero_heap && (news != 0 || heap_after != 0 || ops == 0)) {
      std::fprintf(stderr, "FAIL: expected operations and no heap allocation after warm-up\n");
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
