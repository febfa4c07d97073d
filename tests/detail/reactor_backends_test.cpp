// The same operations on both back ends, explicitly chosen (the whole suite
// also runs once per back end through RILL_BACKEND): cancellation of an
// operation the kernel is waiting on, close with a receive in flight,
// destruction with receives in flight, a large transfer, and the
// allocation contract.
#include <rill/detail/reactor.hpp>

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <rill/backend.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/buffer.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/error.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/read.hpp>
#include <rill/write.hpp>

#include "support/counting_allocator.hpp"
#include "support/io_helpers.hpp"

namespace {

using rill::ip::tcp;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using rill_test::drained;
using rill_test::make_tcp_pair;
using rill_test::run_until;

class reactor_backends : public testing::TestWithParam<rill::backend> {
 protected:
  void SetUp() override {
    if (GetParam() == rill::backend::io_uring) {
      rill::io_context probe(rill::backend::io_uring);
      testing::internal::CaptureStderr();
      const rill::backend b = rill::backend_of(probe);
      testing::internal::GetCapturedStderr();
      if (b != rill::backend::io_uring) GTEST_SKIP() << "io_uring unavailable here";
    }
  }
};

INSTANTIATE_TEST_SUITE_P(, reactor_backends,
                         testing::Values(rill::backend::epoll, rill::backend::io_uring),
                         [](const testing::TestParamInfo<rill::backend>& param) {
                           return std::string(rill::to_string(param.param));
                         });

TEST_P(reactor_backends, the_context_uses_the_chosen_back_end) {
  rill::io_context ioc(GetParam());
  EXPECT_EQ(rill::backend_of(ioc), GetParam());
}

// The receive waits in the kernel (io_uring: a poll request on the ring);
// the signal completes exactly it, with operation_aborted, and a later
// receive on the same socket still works.
TEST_P(reactor_backends, per_operation_cancellation_of_a_waiting_receive) {
  rill::io_context ioc(GetParam());
  auto pair = make_tcp_pair(ioc);
  rill::cancellation_signal signal;
  char buf[8];
  std::error_code got;
  int runs = 0;
  pair.server.async_read_some(
      rill::buffer(buf),
      rill::bind_cancellation_slot(signal.slot(), [&](std::error_code ec, std::size_t) {
        got = ec;
        ++runs;
      }));
  EXPECT_EQ(ioc.poll(), 0u);  // submitted, waiting
  signal.emit(rill::cancellation_type::terminal);
  EXPECT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(got, rill::error::operation_aborted);

  std::size_t n = 0;
  pair.server.async_read_some(rill::buffer(buf), [&](std::error_code ec, std::size_t k) {
    got = ec;
    n = k;
    ++runs;
  });
  EXPECT_EQ(ioc.poll(), 0u);
  pair.client.write_some(rill::buffer("hi", 2));
  EXPECT_TRUE(run_until(ioc, [&] { return runs == 2; }));
  EXPECT_FALSE(got);
  EXPECT_EQ(n, 2u);
  EXPECT_TRUE(drained(ioc));
}

TEST_P(reactor_backends, cancel_aborts_every_waiting_operation) {
  rill::io_context ioc(GetParam());
  auto pair = make_tcp_pair(ioc);
  rill_test::fill_send_buffer(pair.client);
  char buf[8];
  std::vector<char> big(1 << 20, 'x');
  std::error_code read_ec, write_ec;
  int runs = 0;
  // The client has nothing to read and no room to send.
  pair.client.async_read_some(rill::buffer(buf), [&](std::error_code ec, std::size_t) {
    read_ec = ec;
    ++runs;
  });
  pair.client.async_write_some(rill::buffer(big), [&](std::error_code ec, std::size_t) {
    write_ec = ec;
    ++runs;
  });
  EXPECT_EQ(ioc.poll(), 0u);
  pair.client.cancel();
  EXPECT_TRUE(run_until(ioc, [&] { return runs == 2; }));
  EXPECT_EQ(read_ec, rill::error::operation_aborted);
  EXPECT_EQ(write_ec, rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

// Closing a socket whose receive waits completes the receive with
// operation_aborted, and really closes it: the peer sees end of file (on
// io_uring the poll request, which holds the file, is removed at once).
TEST_P(reactor_backends, close_with_a_receive_in_flight) {
  rill::io_context ioc(GetParam());
  auto pair = make_tcp_pair(ioc);
  char buf[8];
  std::error_code got;
  int runs = 0;
  pair.server.async_read_some(rill::buffer(buf), [&](std::error_code ec, std::size_t) {
    got = ec;
    ++runs;
  });
  EXPECT_EQ(ioc.poll(), 0u);
  pair.server.close();
  EXPECT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_EQ(got, rill::error::operation_aborted);
  std::error_code eof;
  EXPECT_TRUE(rill_test::finishes_within([&] { pair.client.read_some(rill::buffer(buf), eof); }));
  EXPECT_EQ(eof, rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

// Destroying the context with receives in flight frees every operation
// through its handler's allocator and invokes nothing.
TEST_P(reactor_backends, destruction_with_receives_in_flight) {
  allocation_log log;
  int runs = 0;
  constexpr int pairs = 8;
  {
    rill::io_context ioc(GetParam());
    std::vector<rill_test::tcp_pair> sockets;
    char buf[pairs][8];
    for (int i = 0; i < pairs; ++i) {
      sockets.push_back(make_tcp_pair(ioc));
      sockets.back().server.async_read_some(
          rill::buffer(buf[i]),
          rill::bind_allocator(counting_allocator<char>(log),
                               [&runs](std::error_code, std::size_t) { ++runs; }));
    }
    EXPECT_EQ(ioc.poll(), 0u);
    EXPECT_EQ(log.live(), pairs);
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.allocations, pairs);
  EXPECT_EQ(log.live(), 0);
}

// The allocation contract: operation memory comes from the handler's
// allocator and is returned before the handler runs, for an operation that
// completed after waiting for the kernel.
TEST_P(reactor_backends, waiting_operations_follow_the_allocation_contract) {
  rill::io_context ioc(GetParam());
  auto pair = make_tcp_pair(ioc);
  allocation_log log;
  char buf[8];
  int live_inside = -1;
  std::size_t n = 0;
  pair.server.async_read_some(
      rill::buffer(buf),
      rill::bind_allocator(counting_allocator<char>(log), [&](std::error_code ec, std::size_t k) {
        EXPECT_FALSE(ec);
        n = k;
        live_inside = log.live();
      }));
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_EQ(log.allocations, 1);
  pair.client.write_some(rill::buffer("abc", 3));
  EXPECT_TRUE(run_until(ioc, [&] { return live_inside >= 0; }));
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(log.allocations, 1);
  EXPECT_EQ(log.live(), 0);
}

// 64 MiB each way through async_write/async_read, compared byte for byte.
TEST_P(reactor_backends, large_transfer_byte_for_byte) {
  rill::io_context ioc(GetParam());
  auto pair = make_tcp_pair(ioc);
  constexpr std::size_t size = std::size_t{64} << 20;
  std::vector<unsigned char> out(size);
  std::uint32_t x = 12345;
  for (auto& b : out) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<unsigned char>(x >> 24);
  }
  std::vector<unsigned char> in(size, 0);
  std::error_code wec, rec;
  std::size_t wrote = 0, read = 0;
  int done = 0;
  rill::async_write(pair.client, rill::buffer(out), [&](std::error_code ec, std::size_t n) {
    wec = ec;
    wrote = n;
    ++done;
  });
  rill::async_read(pair.server, rill::buffer(in), [&](std::error_code ec, std::size_t n) {
    rec = ec;
    read = n;
    ++done;
  });
  EXPECT_TRUE(run_until(
      ioc, [&] { return done == 2; }, std::chrono::seconds(60)));
  EXPECT_FALSE(wec);
  EXPECT_FALSE(rec);
  EXPECT_EQ(wrote, size);
  EXPECT_EQ(read, size);
  EXPECT_TRUE(in == out);
  EXPECT_TRUE(drained(ioc));
}

// A receive started from a thread that does not run the context while
// another thread sleeps in the kernel: the sleeping thread must take the
// request (io_uring: it is handed over and the thread woken).
TEST_P(reactor_backends, receive_started_while_another_thread_waits) {
  rill::io_context ioc(GetParam());
  auto pair = make_tcp_pair(ioc);
  auto guard = std::make_unique<rill::executor_work_guard<rill::io_context::executor_type>>(
      ioc.get_executor());
  std::thread runner([&] { ioc.run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let it block
  char buf[8];
  std::atomic<int> runs{0};
  std::atomic<std::size_t> n{0};
  pair.server.async_read_some(rill::buffer(buf), [&](std::error_code ec, std::size_t k) {
    if (!ec) n = k;
    ++runs;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  pair.client.write_some(rill::buffer("abcd", 4));
  const auto deadline = std::chrono::steady_clock::now() + rill_test::io_bound;
  while (runs.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  guard.reset();
  ioc.stop();
  runner.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(n.load(), 4u);
}

}  // namespace

namespace {

// io_uring with receives kept on the readiness path (RILL_IO_URING_POLL_ONLY,
// read when the ring is set up), the path a kernel that answers -EAGAIN
// also ends up on: the same results.
TEST(reactor_io_uring, receives_on_the_readiness_path) {
  const char* old = ::getenv("RILL_IO_URING_POLL_ONLY");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("RILL_IO_URING_POLL_ONLY", "1", 1);
  rill::io_context ioc(rill::backend::io_uring);
  testing::internal::CaptureStderr();
  const rill::backend b = rill::backend_of(ioc);
  testing::internal::GetCapturedStderr();
  if (old != nullptr) {
    ::setenv("RILL_IO_URING_POLL_ONLY", saved.c_str(), 1);
  } else {
    ::unsetenv("RILL_IO_URING_POLL_ONLY");
  }
  if (b != rill::backend::io_uring) GTEST_SKIP() << "io_uring unavailable here";

  auto pair = make_tcp_pair(ioc);
  allocation_log log;
  char buf[8];
  int live_inside = -1;
  std::size_t n = 0;
  pair.server.async_read_some(
      rill::buffer(buf),
      rill::bind_allocator(counting_allocator<char>(log), [&](std::error_code ec, std::size_t k) {
        EXPECT_FALSE(ec);
        n = k;
        live_inside = log.live();
      }));
  EXPECT_EQ(ioc.poll(), 0u);
  pair.client.write_some(rill::buffer("abc", 3));
  EXPECT_TRUE(run_until(ioc, [&] { return live_inside >= 0; }));
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(live_inside, 0);

  std::error_code got;
  pair.server.async_read_some(rill::buffer(buf),
                              [&](std::error_code ec, std::size_t) { got = ec; });
  EXPECT_EQ(ioc.poll(), 0u);
  pair.client.close();
  EXPECT_TRUE(run_until(ioc, [&] { return got == rill::error::eof; }));
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
