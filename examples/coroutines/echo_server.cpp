// A C++20 coroutine echo server: one coroutine accepts, one coroutine per
// connection echoes. Written exactly as with Asio's awaitable, plus one rill
// extension: each session's coroutine frames and the operations it awaits
// come from that session's own memory pool, named by the completion token
// (bind_allocator(pool, token)), so a session's memory is its own and
// returns in one piece when it ends.
//
//   rill_example_coro_echo serve PORT
//       Serves until SIGINT or SIGTERM.
//   rill_example_coro_echo client HOST PORT
//       Sends one line from standard input and prints the reply.
//   rill_example_coro_echo self-test [--connections N] [--messages M]
//                                    [--require-zero-heap]
//       Serves on a free loopback port, opens N connections and runs two
//       rounds of client coroutines that each send M messages and check the
//       echoes; prints the global heap allocations per operation of the
//       second round (0 expected: sessions, pools and caches are warm).
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <memory_resource>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/co_spawn.hpp>
#include <rill/detached.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/read.hpp>
#include <rill/signal_set.hpp>
#include <rill/this_coro.hpp>
#include <rill/use_awaitable.hpp>
#include <rill/write.hpp>

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

using rill::awaitable;
using rill::use_awaitable;
using rill::ip::tcp;

// Echoes until the peer closes. Everything this coroutine allocates (its
// frame, the operations it awaits) comes from the session's pool.
awaitable<void> echo(tcp::socket socket) {
  std::array<char, 1024> data{};
  for (;;) {
    std::size_t n = co_await socket.async_read_some(rill::buffer(data), use_awaitable);
    co_await rill::async_write(socket, rill::buffer(data, n), use_awaitable);
  }
}

// One session: a socket, and the pool its coroutine lives in. The pool is
// used by this session's coroutine only, so it needs no locking.
struct session {
  explicit session(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::pmr::unsynchronized_pool_resource pool;
};

awaitable<void> listener(tcp::acceptor acceptor) {
  auto executor = co_await rill::this_coro::executor;
  for (;;) {
    auto s = std::make_shared<session>(co_await acceptor.async_accept(use_awaitable));
    std::pmr::polymorphic_allocator<std::byte> alloc(&s->pool);
    // The session ends when echo() throws (eof, reset); the handler keeps the
    // pool alive until the last frame has gone back to it.
    rill::co_spawn(executor, echo(std::move(s->socket)),
                   rill::bind_allocator(alloc, [s](const std::exception_ptr&) {}));
  }
}

// A client round: sends `messages` 64-byte messages on an open
// connection and checks each echo.
awaitable<void> client(tcp::socket& socket, int messages, long& failures) {
  std::array<char, 64> out{};
  std::array<char, 64> in{};
  for (int i = 0; i < messages; ++i) {
    out[0] = static_cast<char>('a' + i % 26);
    co_await rill::async_write(socket, rill::buffer(out), use_awaitable);
    co_await rill::async_read(socket, rill::buffer(in), use_awaitable);
    if (in != out) ++failures;
  }
}

// One line from standard input, sent and read back, as Asio's blocking echo
// client prints it.
awaitable<void> echo_line(tcp::endpoint server, std::string line) {
  tcp::socket socket(co_await rill::this_coro::executor);
  co_await socket.async_connect(server, use_awaitable);
  co_await rill::async_write(socket, rill::buffer(line), use_awaitable);
  std::string reply(line.size(), '\0');
  co_await rill::async_read(socket, rill::buffer(reply), use_awaitable);
  std::printf("Reply is: %s\n", reply.c_str());
}

int run_client(const char* host, unsigned short port) {
  char text[1024] = {};
  if (std::fgets(text, sizeof text, stdin) == nullptr) return 1;
  std::string line(text);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  rill::io_context ctx;
  bool ok = false;
  rill::co_spawn(ctx, echo_line(tcp::endpoint(rill::ip::make_address(host), port), line),
                 [&](const std::exception_ptr& e) { ok = !e; });
  ctx.run();
  return ok ? 0 : 1;
}

int serve(unsigned short port) {
  rill::io_context ctx(1);
  rill::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](auto, auto) { ctx.stop(); });
  rill::co_spawn(ctx, listener(tcp::acceptor(ctx, {tcp::v4(), port})), rill::detached);
  ctx.run();
  return 0;
}

int self_test(int connections, int messages, bool require_zero_heap) {
  rill::io_context ctx(1);
  tcp::acceptor acceptor(ctx, {rill::ip::address_v4::loopback(), 0});
  const tcp::endpoint server = acceptor.local_endpoint();
  rill::co_spawn(ctx, listener(std::move(acceptor)), rill::detached);

  std::vector<tcp::socket> sockets;
  for (int i = 0; i < connections; ++i) {
    sockets.emplace_back(ctx).connect(server);
  }
  long failures = 0;
  auto round = [&] {
    int finished = 0;
    for (auto& socket : sockets) {
      rill::co_spawn(ctx, client(socket, messages, failures), [&](const std::exception_ptr& e) {
        if (e) ++failures;
        ++finished;
      });
    }
    while (finished < connections) ctx.run_one();
  };
  round();  // warm-up: sessions, their pools and the caches come into being
  const unsigned long long before = heap_allocations.load();
  round();
  const unsigned long long after = heap_allocations.load();
  // Four operations per message: the client's write and read, the
  // server's read and write (each a coroutine resumption too).
  const double ops = 4.0 * connections * messages;
  const double per_op = static_cast<double>(after - before) / ops;
  std::printf("%d connections x %d messages echoed, %ld failures\n", connections, messages,
              failures);
  std::printf(
      "global heap allocations per operation after warm-up: %.4f (%llu in %.0f operations)\n",
      per_op, after - before, ops);
  if (failures != 0) return 1;
  if (require_zero_heap && after != before) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string_view mode = argc > 1 ? argv[1] : "";
    if (mode == "client" && argc > 3) {
      return run_client(argv[2], static_cast<unsigned short>(std::atoi(argv[3])));
    }
    if (mode == "serve" && argc > 2) {
      return serve(static_cast<unsigned short>(std::atoi(argv[2])));
    }
    if (mode == "self-test") {
      int connections = 16;
      int messages = 2000;
      bool require_zero_heap = false;
      for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--connections" && i + 1 < argc) {
          connections = std::atoi(argv[++i]);
        } else if (arg == "--messages" && i + 1 < argc) {
          messages = std::atoi(argv[++i]);
        } else if (arg == "--require-zero-heap") {
          require_zero_heap = true;
        }
      }
      return self_test(connections, messages, require_zero_heap);
    }
    std::fprintf(stderr,
                 "usage: %s serve PORT | client HOST PORT | self-test [--connections N] "
                 "[--messages M] [--require-zero-heap]\n",
                 argv[0]);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
