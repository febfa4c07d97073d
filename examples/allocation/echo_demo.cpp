// The README demo: the echo server of Asio's custom allocation example, in
// rill, under load from clients in the same process on loopback. Every
// operation (server reads and writes, client writes and reads) allocates
// from its chain's handler_memory block; the demo counts the global heap
// and shows 0 allocations per operation after warm-up.
//
//   rill_example_echo_demo [--seconds S] [--connections N] [--message-size B]
//                          [--require-zero-heap]
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

[[gnu::noinline]] void* operator new(std::size_t size) {
  heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using example::handler_allocator;
using example::handler_memory;
using rill::ip::tcp;

struct counters {
  unsigned long long operations = 0;  // completed asynchronous operations
  unsigned long long echoed = 0;      // messages the clients got back
  unsigned long long bytes = 0;       // bytes the clients got back
  bool stopping = false;
};

// The server session, as in Asio's example: read some, write it all back.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, counters& c) : socket_(std::move(socket)), counters_(c) {}

  void start() { do_read(); }

 private:
  void do_read() {
    auto self(shared_from_this());
    socket_.async_read_some(
        rill::buffer(data_),
        rill::bind_allocator(handler_allocator<int>(handler_memory_),
                             [this, self](std::error_code ec, std::size_t length) {
                               ++counters_.operations;
                               if (!ec) do_write(length);
                             }));
  }

  void do_write(std::size_t length) {
    auto self(shared_from_this());
    rill::async_write(socket_, rill::buffer(data_, length),
                      rill::bind_allocator(handler_allocator<int>(handler_memory_),
                                           [this, self](std::error_code ec, std::size_t) {
                                             ++counters_.operations;
                                             if (!ec) do_read();
                                           }));
  }

  tcp::socket socket_;
  counters& counters_;
  std::array<char, 1024> data_{};
  handler_memory handler_memory_;
};

class server {
 public:
  server(rill::io_context& ioc, counters& c)
      : acceptor_(ioc, tcp::endpoint(rill::ip::address_v4::loopback(), 0)), counters_(c) {
    do_accept();
  }

  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  void close() { acceptor_.close(); }

 private:
  void do_accept() {
    acceptor_.async_accept([this](std::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed: the demo is over
      std::make_shared<session>(std::move(socket), counters_)->start();
      do_accept();
    });
  }

  tcp::acceptor acceptor_;
  counters& counters_;
};

// A load client: write a message, read the echo, repeat until told to stop.
class client : public std::enable_shared_from_this<client> {
 public:
  client(rill::io_context& ioc, counters& c, std::size_t message_size)
      : socket_(ioc), counters_(c), out_(message_size, 'r'), in_(message_size) {}

  void start(const tcp::endpoint& server) {
    auto self(shared_from_this());
    socket_.async_connect(server, [this, self](std::error_code ec) {
      if (!ec) {
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

 private:
  void do_write() {
    auto self(shared_from_this());
    rill::async_write(socket_, rill::buffer(out_),
                      rill::bind_allocator(handler_allocator<int>(write_memory_),
                                           [this, self](std::error_code ec, std::size_t) {
                                             ++counters_.operations;
                                             if (!ec) do_read();
                                           }));
  }

  void do_read() {
    auto self(shared_from_this());
    rill::async_read(socket_, rill::buffer(in_),
                     rill::bind_allocator(handler_allocator<int>(read_memory_),
                                          [this, self](std::error_code ec, std::size_t n) {
                                            ++counters_.operations;
                                            if (ec) return;
                                            ++counters_.echoed;
                                            counters_.bytes += n;
                                            if (!counters_.stopping) do_write();
                                          }));
  }

  tcp::socket socket_;
  counters& counters_;
  std::string out_;
  std::vector<char> in_;
  handler_memory write_memory_;
  handler_memory read_memory_;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
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
    rill::io_context ioc;
    counters c;
    server srv(ioc, c);
    std::vector<std::shared_ptr<client>> clients;
    for (int i = 0; i < connections; ++i) {
      clients.push_back(std::make_shared<client>(ioc, c, message_size));
      clients.back()->start(srv.endpoint());
    }
    std::printf(
        "rill echo demo: Asio's allocation-example server on %s, %d client connections, "
        "%zu-byte messages\n",
        srv.endpoint().address().to_string().c_str(), connections, message_size);

    const auto start = std::chrono::steady_clock::now();
    const double warm_up = seconds > 1.0 ? 0.5 : seconds / 4;
    bool warmed_up = false;
    unsigned long long heap_at_warm = 0;
    unsigned long long ops_at_warm = 0;
    unsigned long long heap_at_end = 0;
    unsigned long long ops_at_end = 0;
    double next_report = 0.5;
    double elapsed = 0;
    while (!c.stopping) {
      ioc.run_for(std::chrono::milliseconds(50));
      elapsed = seconds_since(start);
      if (!warmed_up && elapsed >= warm_up) {
        warmed_up = true;
        heap_at_warm = heap_allocations.load();
        ops_at_warm = c.operations;
      }
      if (elapsed >= next_report) {
        std::printf("  %5.1fs  %10llu messages echoed  %8.1f MB/s\n", elapsed, c.echoed,
                    static_cast<double>(c.bytes) / elapsed / 1e6);
        std::fflush(stdout);
        next_report += 0.5;
      }
      if (elapsed >= seconds) {
        c.stopping = true;
        heap_at_end = heap_allocations.load();
        ops_at_end = c.operations;
      }
    }
    // Shut down: the clients stop after their current round trip.
    srv.close();
    for (auto& cl : clients) cl->stop();
    ioc.restart();
    ioc.run_for(std::chrono::seconds(5));

    const unsigned long long heap = heap_at_end - heap_at_warm;
    const unsigned long long ops = ops_at_end - ops_at_warm;
    std::printf("messages echoed:              %llu (%.0f per second)\n", c.echoed,
                static_cast<double>(c.echoed) / elapsed);
    std::printf("bytes echoed:                 %llu (%.1f MB/s)\n", c.bytes,
                static_cast<double>(c.bytes) / elapsed / 1e6);
    std::printf("asynchronous operations:      %llu after warm-up\n", ops);
    std::printf("heap allocations per op:      %.6f (%llu in %llu operations after warm-up)\n",
                ops == 0 ? 0.0 : static_cast<double>(heap) / static_cast<double>(ops), heap, ops);
    if (require_zero_heap && (heap != 0 || ops == 0)) {
      std::fprintf(stderr, "FAIL: expected operations and no heap allocation after warm-up\n");
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
