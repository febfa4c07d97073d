// The same operations on both back ends, explicitly chosen (the whole suite
// also runs once per back end through RILL_BACKEND): cancellation of an
// operation the kernel is waiting on, close with a receive in flight,
// destruction with receives in flight, a large transfer, and the
// allocation contract.
#include <rill/detail/reactor.hpp>

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

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
#include <rill/ip/udp.hpp>
#include <rill/local/connect_pair.hpp>
#include <rill/local/datagram_protocol.hpp>
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

// Operations waiting when the program forks (io_uring: in the kernel, which
// fork_prepare cancels and fork_parent and fork_child start again) go on
// in both processes: each takes what arrives while it runs. The parent
// does not run its loop while the child lives, so nothing races.
TEST_P(reactor_backends, operations_waiting_at_a_fork_go_on_in_parent_and_child) {
  rill::io_context ioc(GetParam());
  auto pair = make_tcp_pair(ioc);
  tcp::acceptor acceptor(ioc, rill_test::loopback());
  char buf[8] = {};
  std::size_t n = 0;
  std::error_code read_ec = rill::error::would_block;
  bool read_done = false;
  tcp::socket accepted(ioc);
  std::error_code accept_ec = rill::error::would_block;
  bool accept_done = false;
  const auto start = [&] {
    read_done = accept_done = false;
    pair.server.async_read_some(rill::buffer(buf), [&](std::error_code ec, std::size_t k) {
      read_ec = ec;
      n = k;
      read_done = true;
    });
    acceptor.async_accept(accepted, [&](std::error_code ec) {
      accept_ec = ec;
      accept_done = true;
    });
  };
  start();
  EXPECT_EQ(ioc.poll(), 0u);  // both wait (io_uring: in the kernel)

  ioc.notify_fork(rill::io_context::fork_prepare);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ioc.notify_fork(rill::io_context::fork_child);
    std::error_code ec;
    pair.client.write_some(rill::buffer("c", 1), ec);
    tcp::socket peer(ioc);
    peer.connect(acceptor.local_endpoint(), ec);
    const bool done = run_until(
        ioc, [&] { return read_done && accept_done; }, std::chrono::seconds(10));
    const bool ok = done && !read_ec && n == 1 && buf[0] == 'c' && !accept_ec &&
                    accepted.remote_endpoint(ec) == peer.local_endpoint(ec);
    ::_exit(ok ? 0 : 1);
  }
  ioc.notify_fork(rill::io_context::fork_parent);
  ASSERT_EQ(rill_test::wait_for_child(pid), 0);

  // The parent's operations waited meanwhile and take what comes next.
  EXPECT_FALSE(read_done);
  EXPECT_FALSE(accept_done);
  pair.client.write_some(rill::buffer("p", 1));
  tcp::socket peer(ioc);
  peer.connect(acceptor.local_endpoint());
  ASSERT_TRUE(run_until(ioc, [&] { return read_done && accept_done; }));
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(buf[0], 'p');
  EXPECT_FALSE(accept_ec);
  EXPECT_EQ(accepted.remote_endpoint(), peer.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

// A connection the kernel accepted before the fork (io_uring: the accept
// request completed on the way out of connect(), its completion not yet
// taken) belongs to the accept in both processes: fork_prepare takes the
// completion, so neither process is left with a descriptor it does not
// know of, and the child does not wait for another connection. On epoll (or
// with accepts waiting for readiness) the connection waits in the backlog,
// and the child, which runs first, takes it.
TEST_P(reactor_backends, an_accept_finished_before_a_fork_completes_in_parent_and_child) {
  rill::io_context ioc(GetParam());
  tcp::acceptor acceptor(ioc, rill_test::loopback());
  tcp::socket accepted(ioc);
  std::error_code accept_ec = rill::error::would_block;
  int accepts = 0;
  acceptor.async_accept(accepted, [&](std::error_code ec) {
    accept_ec = ec;
    ++accepts;
  });
  EXPECT_EQ(ioc.poll(), 0u);
  tcp::socket peer(ioc);
  peer.connect(acceptor.local_endpoint());
  // io_uring with accepts on the ring (not RILL_IO_URING_POLL_ONLY).
  const bool kernel_accepts = rill::use_service<rill::detail::reactor>(ioc).ring_operations();
  if (kernel_accepts) {
    // The kernel takes the connection as connect() returns; on a loaded
    // machine perhaps a little later: wait until it has left the backlog.
    pollfd listener{acceptor.native_handle(), POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + rill_test::io_bound;
    while (::poll(&listener, 1, 0) != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(::poll(&listener, 1, 0), 0);
  }

  ioc.notify_fork(rill::io_context::fork_prepare);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ioc.notify_fork(rill::io_context::fork_child);
    const bool done = run_until(
        ioc, [&] { return accepts == 1; }, std::chrono::seconds(10));
    std::error_code ec;
    const bool ok = done && !accept_ec && accepted.remote_endpoint(ec) == peer.local_endpoint(ec);
    ::_exit(ok ? 0 : 1);
  }
  ioc.notify_fork(rill::io_context::fork_parent);
  ASSERT_EQ(rill_test::wait_for_child(pid), 0);

  if (kernel_accepts) {
    EXPECT_EQ(ioc.poll(), 1u);
    EXPECT_EQ(accepts, 1);
    EXPECT_FALSE(accept_ec);
    EXPECT_EQ(accepted.remote_endpoint(), peer.local_endpoint());
    EXPECT_TRUE(drained(ioc));
  } else {
    EXPECT_EQ(ioc.poll(), 0u);
    EXPECT_EQ(accepts, 0);
  }
}

// Without fork_prepare (io_uring: the operations are still in the parent's
// kernel at the fork), the child restarts what waits, but an operation the
// program cancelled, or whose socket it closed, ends aborted in the child as
// in the parent: its completion, which would have said so, goes to the
// parent's ring.
TEST_P(reactor_backends, a_child_forked_without_fork_prepare_aborts_what_was_cancelled) {
  rill::io_context ioc(GetParam());
  auto closed = make_tcp_pair(ioc);
  auto cancelled = make_tcp_pair(ioc);
  char buf[2][8] = {};
  std::error_code results[2] = {rill::error::would_block, rill::error::would_block};
  int runs = 0;
  rill::cancellation_signal signal;
  closed.server.async_read_some(rill::buffer(buf[0]), [&](std::error_code ec, std::size_t) {
    results[0] = ec;
    ++runs;
  });
  cancelled.server.async_read_some(
      rill::buffer(buf[1]),
      rill::bind_cancellation_slot(signal.slot(), [&](std::error_code ec, std::size_t) {
        results[1] = ec;
        ++runs;
      }));
  EXPECT_EQ(ioc.poll(), 0u);  // both wait (io_uring: in the kernel)
  closed.server.close();
  signal.emit(rill::cancellation_type::terminal);

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ioc.notify_fork(rill::io_context::fork_child);
    const bool done = run_until(
        ioc, [&] { return runs == 2; }, std::chrono::seconds(10));
    const bool ok = done && results[0] == rill::error::operation_aborted &&
                    results[1] == rill::error::operation_aborted;
    ::_exit(ok ? 0 : 1);
  }
  ASSERT_EQ(rill_test::wait_for_child(pid), 0);
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 2; }));
  EXPECT_EQ(results[0], rill::error::operation_aborted);
  EXPECT_EQ(results[1], rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

// receive_from gives the same results on both back ends (on io_uring it is
// a ring request, IORING_OP_RECVMSG): a datagram longer than the buffer is
// truncated to it, an ICMP refusal on a connected socket is
// connection_refused, and a sender without an address (an unnamed AF_UNIX
// socket) leaves an empty endpoint.
TEST_P(reactor_backends, receive_from_truncates_reports_refusal_and_unnamed_senders) {
  rill::io_context ioc(GetParam());
  const rill::ip::udp::endpoint any(rill::ip::address_v4::loopback(), 0);
  rill::ip::udp::socket a(ioc, any);
  rill::ip::udp::socket b(ioc, any);
  char small[3] = {};
  rill::ip::udp::endpoint sender;
  std::error_code got = rill::error::would_block;
  std::size_t n = 0;
  int runs = 0;
  const auto record = [&](std::error_code ec, std::size_t k) {
    got = ec;
    n = k;
    ++runs;
  };
  b.async_receive_from(rill::buffer(small), sender, record);
  a.send_to(rill::buffer("abcdefgh", 8), b.local_endpoint());
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  EXPECT_FALSE(got);
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(std::string(small, 3), "abc");
  EXPECT_EQ(sender, a.local_endpoint());

  // A port nobody listens on: the refusal arrives as the send returns.
  rill::ip::udp::endpoint closed_port;
  {
    rill::ip::udp::socket gone(ioc, any);
    closed_port = gone.local_endpoint();
  }
  rill::ip::udp::socket refused(ioc, any);
  refused.connect(closed_port);
  refused.send(rill::buffer("x", 1));
  refused.async_receive_from(rill::buffer(small), sender, record);
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 2; }));
  EXPECT_EQ(got, rill::error::connection_refused);

  rill::local::datagram_protocol::socket left(ioc);
  rill::local::datagram_protocol::socket right(ioc);
  rill::local::connect_pair(left, right);
  rill::local::datagram_protocol::endpoint unnamed("x");
  char in[4] = {};
  right.async_receive_from(rill::buffer(in), unnamed, record);
  left.send(rill::buffer("hey", 3));
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 3; }));
  EXPECT_FALSE(got);
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(unnamed.path(), "");
  EXPECT_TRUE(drained(ioc));
}

// A connect under way at the fork (the listener's backlog is full, so the
// SYN is dropped and resent a second later): io_uring cancels the ring's
// connect for the fork, but the kernel goes on connecting the socket, which
// both processes share. Both then wait for writability and ask for the
// result, as on epoll; connecting again would succeed in the first process
// to do it after the connection is made and fail (EISCONN) in the other.
TEST_P(reactor_backends, a_connect_under_way_at_a_fork_completes_in_parent_and_child) {
  rill::io_context ioc(GetParam());
  tcp::acceptor acceptor(ioc);
  acceptor.open(tcp::v4());
  acceptor.bind(rill_test::loopback());
  acceptor.listen(0);
  tcp::socket queued(ioc);
  queued.connect(acceptor.local_endpoint());  // fills the backlog
  tcp::socket client(ioc);
  std::error_code connect_ec = rill::error::would_block;
  bool connected = false;
  client.async_connect(acceptor.local_endpoint(), [&](std::error_code ec) {
    connect_ec = ec;
    connected = true;
  });
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_FALSE(connected);

  ioc.notify_fork(rill::io_context::fork_prepare);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ioc.notify_fork(rill::io_context::fork_child);
    std::error_code ec;
    tcp::socket first(ioc);
    acceptor.accept(first, ec);  // room for the resent SYN
    // Runs only once the connection is made (the listener has it queued),
    // so that a connect made again here would succeed and mark the shared
    // socket connected, and one in the parent would then fail.
    pollfd listener{acceptor.native_handle(), POLLIN, 0};
    ::poll(&listener, 1, 10'000);
    const bool done = run_until(
        ioc, [&] { return connected; }, std::chrono::seconds(10));
    const bool ok = done && !connect_ec && client.remote_endpoint(ec) == acceptor.local_endpoint();
    ::_exit(ok ? 0 : 1);
  }
  ioc.notify_fork(rill::io_context::fork_parent);
  ASSERT_EQ(rill_test::wait_for_child(pid), 0);

  ASSERT_TRUE(run_until(ioc, [&] { return connected; }));
  EXPECT_FALSE(connect_ec) << connect_ec.message();
  EXPECT_EQ(client.remote_endpoint(), acceptor.local_endpoint());
  EXPECT_TRUE(drained(ioc));
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
