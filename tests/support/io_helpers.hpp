// tests/support/io_helpers.hpp - tools for tests that do real I/O: loopback
// endpoints and connected pairs, bounded loop stepping, a clean-shutdown
// check, a watchdog for tests that call run(), and a bound for blocking calls.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <rill/buffer.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/address.hpp>
#include <rill/ip/address_v4.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/system_error.hpp>

namespace rill_test {

// Generous: the operations these bound normally finish in microseconds, but
// sanitizer builds on two shared cores can be slow.
inline constexpr std::chrono::seconds io_bound{20};

// 127.0.0.1:port (port 0: let the kernel choose).
template <typename Protocol = rill::ip::tcp>
typename Protocol::endpoint loopback(unsigned short port = 0) {
  return typename Protocol::endpoint(rill::ip::address(rill::ip::address_v4::loopback()), port);
}

// An io_context whose shutdown() a test may call: the first half of its
// destructor, which destroys every pending operation without invoking it
// while the I/O objects still exist.
class shutdown_context : public rill::io_context {
 public:
  using rill::io_context::shutdown;
};

// A connected TCP pair on 127.0.0.1, each end on the context given for it.
// Made with blocking calls: a loopback connect completes from the listen
// backlog, so no second thread is needed.
struct tcp_pair {
  rill::ip::tcp::socket client;
  rill::ip::tcp::socket server;
};

inline tcp_pair make_tcp_pair(rill::io_context& client_ctx, rill::io_context& server_ctx) {
  rill::ip::tcp::acceptor acceptor(server_ctx, loopback());
  rill::ip::tcp::socket client(client_ctx);
  client.connect(acceptor.local_endpoint());
  rill::ip::tcp::socket server(server_ctx);
  acceptor.accept(server);
  return tcp_pair{std::move(client), std::move(server)};
}

inline tcp_pair make_tcp_pair(rill::io_context& ctx) { return make_tcp_pair(ctx, ctx); }

// Runs handlers one at a time until done() holds, the context runs out of
// work, or the bound passes. Returns done(). A context that stopped for
// lack of work earlier (an earlier poll ran its last handler) is restarted.
template <typename Predicate>
bool run_until(rill::io_context& ioc, Predicate done,
               std::chrono::steady_clock::duration bound = io_bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  ioc.restart();
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (ioc.run_one_until(deadline) == 0 && ioc.stopped()) return done();
  }
  return true;
}

// The clean-shutdown check: nothing is queued and nothing is pending (no
// operation, no work), so a non-blocking poll runs nothing and stops the
// context, exactly as run() would return at once.
inline bool drained(rill::io_context& ioc) {
  ioc.restart();
  const std::size_t n = ioc.poll();
  return n == 0 && ioc.stopped();
}

// For tests that call run(): stops the context if the test has not finished
// within the bound, and says so.
class watchdog {
 public:
  explicit watchdog(rill::io_context& ioc, std::chrono::steady_clock::duration bound = io_bound)
      : thread_([this, &ioc, bound] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, bound, [this] { return done_; })) {
            fired_ = true;
            ioc.stop();
          }
        }) {}
  ~watchdog() { dismiss(); }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

  // Ends the watch; true if the bound passed first.
  bool dismiss() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

// Waits at most bound for the forked child pid to exit; a child still
// running then is killed (so the test fails instead of hanging). Returns the
// child's exit status, or -1 if it did not exit by itself.
inline int wait_for_child(pid_t pid, std::chrono::steady_clock::duration bound = io_bound) {
  int status = 0;
  pid_t reaped = 0;
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while ((reaped = ::waitpid(pid, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (reaped == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  return reaped == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs a blocking call on another thread and waits for it at most bound.
// Returns false if it did not finish; the thread is then left behind
// (detached, owning its state) so that the test fails instead of hanging.
inline bool finishes_within(std::function<void()> call,
                            std::chrono::steady_clock::duration bound = io_bound) {
  struct state {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::function<void()> call;
  };
  auto s = std::make_shared<state>();
  s->call = std::move(call);
  std::thread([s] {
    s->call();
    std::lock_guard lock(s->mutex);
    s->done = true;
    s->cv.notify_all();
  }).detach();
  std::unique_lock lock(s->mutex);
  return s->cv.wait_for(lock, bound, [&] { return s->done; });
}

// The code of the rill::system_error that f throws, or an empty code.
template <typename F>
std::error_code thrown_code(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const rill::system_error& e) {
    return e.code();
  }
  return {};
}

// Writes to a non-blocking stream socket until its send path is full, so
// that the next write really has to wait. Returns the bytes written.
template <typename Socket>
std::size_t fill_send_buffer(Socket& socket) {
  const bool was_non_blocking = socket.non_blocking();
  socket.non_blocking(true);
  std::vector<char> chunk(64 * 1024, 'f');
  std::size_t total = 0;
  for (;;) {
    std::error_code ec;
    const std::size_t n = socket.write_some(rill::buffer(chunk), ec);
    if (ec == rill::error::would_block) break;
    if (ec) throw rill::system_error(ec, "fill_send_buffer");
    total += n;
  }
  socket.non_blocking(was_non_blocking);
  return total;
}

// Reads (blocking) exactly n bytes from a stream socket, discarding them.
template <typename Socket>
void drain_bytes(Socket& socket, std::size_t n) {
  std::vector<char> chunk(64 * 1024);
  while (n > 0) {
    const std::size_t want = n < chunk.size() ? n : chunk.size();
    n -= socket.read_some(rill::buffer(chunk.data(), want));
  }
}

}  // namespace rill_test
