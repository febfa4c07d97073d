// rill::coroutine and the reenter / yield / fork pseudo-keywords: the state
// machine on its own, fork over an io_context, and composed operations
// written as coroutines (as Asio's composed_8 example) over a timer and
// loopback sockets.
#include <rill/coroutine.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/compose.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/post.hpp>
#include <rill/read.hpp>
#include <rill/steady_timer.hpp>
#include <rill/write.hpp>

#include "support/counting_allocator.hpp"
#include "support/io_helpers.hpp"

// The pseudo-keywords, for the code up to unyield.hpp.
#include <rill/yield.hpp>

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;

// Yields 0, 1, 2, then -1 once (a bare yield), then completes.
struct counter : rill::coroutine {
  int i = 0;
  int operator()() {
    reenter(this) {
      for (i = 0; i < 3; ++i) {
        yield return i;
      }
      yield;
      return 100;  // leaving the body other than by yield completes the coroutine
    }
    return -1;
  }
};

TEST(coroutine, yield_resumes_after_the_yield_and_leaving_completes) {
  counter c;
  EXPECT_TRUE(c.is_parent());
  EXPECT_FALSE(c.is_child());
  EXPECT_FALSE(c.is_complete());
  EXPECT_EQ(c(), 0);
  EXPECT_EQ(c(), 1);
  EXPECT_EQ(c(), 2);
  EXPECT_FALSE(c.is_complete());
  EXPECT_EQ(c(), -1);  // the bare yield leaves the body
  EXPECT_FALSE(c.is_complete());
  EXPECT_EQ(c(), 100);
  EXPECT_TRUE(c.is_complete());
  EXPECT_EQ(c(), -1);  // a completed coroutine skips its body
  EXPECT_TRUE(c.is_complete());
}

struct breaker : rill::coroutine {
  int runs = 0;
  void operator()(bool stop) {
    reenter(*this) {  // by reference as well as by pointer
      for (;;) {
        ++runs;
        if (stop) {
          yield break;  // braces: the macro's own if-else would dangle
        }
        yield;
      }
    }
  }
};

TEST(coroutine, yield_break_completes_the_coroutine) {
  breaker b;
  b(false);
  b(false);
  EXPECT_FALSE(b.is_complete());
  b(true);
  EXPECT_TRUE(b.is_complete());
  b(false);
  EXPECT_EQ(b.runs, 3);
}

// Forks three children, each posted to the context as a copy; every child
// then yields once through the context and completes.
struct forker : rill::coroutine {
  rill::io_context* ioc;
  std::vector<int>* log;
  int id = 0;

  void operator()() {
    reenter(this) {
      for (id = 1; id <= 3; ++id) {
        fork rill::post(*ioc, *this);
        if (is_child()) break;
      }
      if (is_parent()) {
        log->push_back(0);
        yield break;
      }
      log->push_back(id);
      yield rill::post(*ioc, *this);
      log->push_back(10 * id);
    }
  }
};

TEST(coroutine, fork_runs_a_child_copy_from_the_fork_point) {
  rill::io_context ioc;
  std::vector<int> log;
  forker parent;
  parent.ioc = &ioc;
  parent.log = &log;
  parent();
  EXPECT_TRUE(parent.is_complete());
  EXPECT_EQ(log, (std::vector<int>{0}));
  EXPECT_EQ(ioc.run(), 6u);  // three children, each resumed once more
  EXPECT_EQ(log, (std::vector<int>{0, 1, 2, 3, 10, 20, 30}));
}

// ---------------------------------------------------------------------------
// Composed operations written as coroutines

// Asio's composed_8 shape: waits on a timer, then writes the message, count
// times; a move-only implementation.
struct write_messages {
  rill::ip::tcp::socket& socket;
  std::unique_ptr<std::string> message;
  std::size_t repeat;
  std::unique_ptr<rill::steady_timer> delay;
  rill::coroutine coro;

  template <typename Self>
  void operator()(Self& self, const rill::error_code& error = {}, std::size_t /*n*/ = 0) {
    reenter(coro) {
      while (repeat > 0) {
        --repeat;
        delay->expires_after(0ms);
        yield delay->async_wait(std::move(self));
        if (error) break;
        yield rill::async_write(socket, rill::buffer(*message), std::move(self));
        if (error) break;
      }
      // Free the implementation's resources before the upcall.
      message.reset();
      delay.reset();
      self.complete(error);
    }
  }
};

template <typename Token>
decltype(auto) async_write_messages(rill::ip::tcp::socket& socket, const std::string& message,
                                    std::size_t repeat, Token&& token) {
  return rill::async_compose<Token, void(rill::error_code)>(
      write_messages{socket, std::make_unique<std::string>(message), repeat,
                     std::make_unique<rill::steady_timer>(socket.get_executor()),
                     rill::coroutine()},
      token, socket);
}

// Reads everything until end of stream.
struct read_all {
  read_all(rill::ip::tcp::socket& s, std::string& o) : socket(s), out(o) {}

  rill::ip::tcp::socket& socket;
  std::string& out;
  std::unique_ptr<char[]> data = std::make_unique<char[]>(64);
  rill::coroutine coro;

  template <typename Self>
  void operator()(Self& self, rill::error_code ec = {}, std::size_t n = 0) {
    reenter(coro) {
      for (;;) {
        yield socket.async_read_some(rill::buffer(data.get(), 64), std::move(self));
        out.append(data.get(), n);
        if (ec) break;
      }
      self.complete(ec == rill::error::eof ? rill::error_code() : ec, out.size());
    }
  }
};

TEST(coroutine, composed_write_messages_over_loopback_sockets) {
  rill::io_context ioc;
  rill_test::tcp_pair pair = rill_test::make_tcp_pair(ioc);
  rill::ip::tcp::socket& client = pair.client;
  std::string received;
  int reads_done = 0;
  std::size_t read_total = 0;
  auto on_read = [&](rill::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    ++reads_done;
    read_total = n;
  };
  rill::async_compose<decltype(on_read), void(rill::error_code, std::size_t)>(
      read_all{pair.server, received}, on_read, pair.server);

  allocation_log log;
  int writes_done = 0;
  int live_in_handler = -1;
  auto on_written = rill::bind_allocator(counting_allocator<char>(log), [&](rill::error_code ec) {
    EXPECT_FALSE(ec);
    ++writes_done;
    live_in_handler = log.live();
    client.shutdown(rill::ip::tcp::socket::shutdown_send);
  });
  async_write_messages(client, "coroutine\n", 5, on_written);
  EXPECT_EQ(writes_done, 0);
  rill_test::watchdog dog(ioc);
  ioc.run();
  EXPECT_FALSE(dog.dismiss());
  EXPECT_EQ(writes_done, 1);
  EXPECT_EQ(reads_done, 1);
  std::string expected;
  for (int i = 0; i < 5; ++i) expected += "coroutine\n";
  EXPECT_EQ(received, expected);
  EXPECT_EQ(read_total, expected.size());
  // A wait and at least one write per message, each through the handler's
  // allocator, all returned before the handler ran.
  EXPECT_GE(log.allocations.load(), 10);
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(coroutine, an_intermediate_error_ends_the_loop) {
  rill::io_context ioc;
  rill_test::tcp_pair pair = rill_test::make_tcp_pair(ioc);
  int calls = 0;
  rill::error_code result;
  // A closed socket: the first write fails, after the first wait.
  pair.client.close();
  async_write_messages(pair.client, "x", 3, [&](rill::error_code ec) {
    ++calls;
    result = ec;
  });
  ioc.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result, rill::error::bad_descriptor);
}

TEST(coroutine, destroying_the_context_with_a_coroutine_step_pending_frees_without_invoking) {
  allocation_log log;
  int calls = 0;
  {
    rill::io_context ioc;
    rill_test::tcp_pair pair = rill_test::make_tcp_pair(ioc);
    std::string received;
    auto on_read = rill::bind_allocator(counting_allocator<char>(log),
                                        [&](rill::error_code, std::size_t) { ++calls; });
    rill::async_compose<decltype(on_read), void(rill::error_code, std::size_t)>(
        read_all{pair.server, received}, on_read, pair.server);
    EXPECT_EQ(ioc.poll(), 0u);
    EXPECT_EQ(log.live(), 1);  // the read is pending
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace

#include <rill/unyield.hpp>

// After unyield.hpp the pseudo-keywords are gone again.
#ifdef yield
#error "yield is still defined"
#endif
#ifdef reenter
#error "reenter is still defined"
#endif
#ifdef fork
#error "fork is still defined"
#endif
