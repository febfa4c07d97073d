// basic_stream_socket over TCP on 127.0.0.1: the allocation contract for
// each asynchronous operation, error paths, blocking operations, options,
// release, moves and sockets on two contexts.
#include <rill/basic_stream_socket.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/buffer.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/socket_base.hpp>
#include <rill/steady_timer.hpp>

#include "support/handler_memory.hpp"
#include "support/io_helpers.hpp"
#include "support/probe.hpp"

namespace {

using namespace std::chrono_literals;
using rill::ip::tcp;
using rill_test::drained;
using rill_test::freed_before_invoke;
using rill_test::loopback;
using rill_test::make_tcp_pair;
using rill_test::pending;
using rill_test::probe;
using rill_test::run_until;
using clock_type = std::chrono::steady_clock;

std::string_view text(const char* data, std::size_t n) { return {data, n}; }

// ---- the allocation contract, one test per operation ----

TEST(basic_stream_socket, async_connect_memory) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  tcp::socket client(ioc);
  probe p;
  client.async_connect(acceptor.local_endpoint(), p.handler());
  EXPECT_TRUE(client.is_open());  // opened by async_connect
  EXPECT_TRUE(pending(p));
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec) << p.ec.message();
  tcp::socket server = acceptor.accept();
  EXPECT_EQ(server.remote_endpoint(), client.local_endpoint());
  EXPECT_EQ(client.remote_endpoint(), acceptor.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, queued_async_read_some_memory) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char buf[16] = {};
  probe p;
  s.server.async_read_some(rill::buffer(buf), p.handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 0u);  // nothing to read: the operation really waits
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(s.client.write_some(rill::buffer("hello", 5)), 5u);
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(text(buf, p.bytes), "hello");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, speculative_async_read_some_is_still_posted) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  EXPECT_EQ(s.client.write_some(rill::buffer("hello", 5)), 5u);
  s.server.wait(rill::socket_base::wait_read);
  char buf[16] = {};
  probe p;
  s.server.async_read_some(rill::buffer(buf), p.handler());
  // Completed at once, but never invoked inside the initiating function.
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(text(buf, p.bytes), "hello");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, speculative_async_write_some_memory) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  probe p;
  s.client.async_write_some(rill::buffer("hello", 5), p.handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(p.bytes, 5u);
  char buf[16] = {};
  EXPECT_EQ(s.server.read_some(rill::buffer(buf)), 5u);
  EXPECT_EQ(text(buf, 5), "hello");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, queued_async_write_some_memory) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  const std::size_t filled = rill_test::fill_send_buffer(s.client);
  ASSERT_GT(filled, 0u);
  std::vector<char> data(64 * 1024, 'w');
  probe p;
  s.client.async_write_some(rill::buffer(data), p.handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 0u);  // the send path is full: the write waits
  EXPECT_TRUE(pending(p));
  rill_test::drain_bytes(s.server, filled);
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  EXPECT_GT(p.bytes, 0u);
  rill_test::drain_bytes(s.server, p.bytes);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, async_send_and_async_receive_memory_and_flags) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char peeked[16] = {};
  char buf[16] = {};
  probe peek, receive, send;
  s.server.async_receive(rill::buffer(peeked), rill::socket_base::message_peek, peek.handler());
  EXPECT_TRUE(pending(peek));
  EXPECT_EQ(ioc.poll(), 0u);
  s.client.async_send(rill::buffer("abc", 3), send.handler());
  EXPECT_TRUE(pending(send));
  ASSERT_TRUE(run_until(ioc, [&] { return peek.done() && send.done(); }));
  EXPECT_TRUE(freed_before_invoke(peek));
  EXPECT_TRUE(freed_before_invoke(send));
  EXPECT_EQ(send.bytes, 3u);
  EXPECT_EQ(text(peeked, peek.bytes), "abc");
  // Peeking left the data in place.
  s.server.async_receive(rill::buffer(buf), receive.handler());
  EXPECT_TRUE(pending(receive));
  ASSERT_TRUE(run_until(ioc, [&] { return receive.done(); }));
  EXPECT_TRUE(freed_before_invoke(receive));
  EXPECT_EQ(text(buf, receive.bytes), "abc");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, async_wait_read_memory) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  probe p;
  s.server.async_wait(rill::socket_base::wait_read, p.handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(pending(p));
  s.client.write_some(rill::buffer("x", 1));
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(s.server.available(), 1u);  // waiting consumed nothing
  EXPECT_TRUE(drained(ioc));
}

// Edge-triggered epoll reports readiness once. A wait started after the
// reactor already saw the socket ready (and had nothing queued for it) must
// still complete: the socket is ready now.
TEST(basic_stream_socket, async_wait_on_an_already_ready_socket_completes) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  s.client.write_some(rill::buffer("x", 1));
  s.server.wait(rill::socket_base::wait_read);
  // Let the reactor consume every pending edge, with no operation queued.
  rill::steady_timer t(ioc, 10ms);
  t.async_wait([](const std::error_code&) {});
  EXPECT_EQ(ioc.run_for(rill_test::io_bound), 1u);

  probe readable, writable;
  s.server.async_wait(rill::socket_base::wait_read, readable.handler());
  s.server.async_wait(rill::socket_base::wait_write, writable.handler());
  EXPECT_TRUE(run_until(
      ioc, [&] { return readable.done() && writable.done(); }, 2s));
  EXPECT_TRUE(freed_before_invoke(readable));
  EXPECT_TRUE(freed_before_invoke(writable));
  EXPECT_FALSE(readable.ec);
  EXPECT_FALSE(writable.ec);
  if (!readable.done() || !writable.done()) s.server.close();
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, empty_buffers_complete_at_once) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  std::error_code ec = rill::error::timed_out;
  EXPECT_EQ(s.server.read_some(rill::mutable_buffer(), ec), 0u);
  EXPECT_FALSE(ec);
  probe read, write;
  s.server.async_read_some(rill::mutable_buffer(), read.handler());
  s.client.async_write_some(rill::const_buffer(), write.handler());
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_TRUE(freed_before_invoke(read));
  EXPECT_TRUE(freed_before_invoke(write));
  EXPECT_FALSE(read.ec);
  EXPECT_EQ(read.bytes, 0u);
  EXPECT_FALSE(write.ec);
  EXPECT_EQ(write.bytes, 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, chained_reads_and_writes_reuse_one_block) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill_test::handler_memory<> memory;
  constexpr int rounds = 50;
  int reads = 0;
  char buf[8];
  struct on_read {
    tcp::socket* socket;
    rill_test::handler_memory<>* memory;
    char* buf;
    int* reads;
    void operator()(const std::error_code& ec, std::size_t n) const {
      ASSERT_FALSE(ec);
      EXPECT_EQ(n, 1u);
      EXPECT_FALSE(memory->in_use());
      if (++*reads == rounds) return;
      socket->async_read_some(
          rill::buffer(buf, 8),
          rill::bind_allocator(rill_test::handler_allocator<char>(*memory), on_read(*this)));
    }
  };
  s.server.async_read_some(rill::buffer(buf),
                           rill::bind_allocator(rill_test::handler_allocator<char>(memory),
                                                on_read{&s.server, &memory, buf, &reads}));
  for (int i = 0; i < rounds; ++i) {
    s.client.write_some(rill::buffer("r", 1));
    ASSERT_TRUE(run_until(ioc, [&] { return reads == i + 1; }));
  }
  EXPECT_EQ(memory.allocations(), rounds);
  EXPECT_FALSE(memory.in_use());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, queued_reads_complete_in_order) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char first_buf[4], second_buf[4];
  probe first, second;
  s.server.async_read_some(rill::buffer(first_buf), first.handler());
  s.server.async_read_some(rill::buffer(second_buf), second.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  s.client.write_some(rill::buffer("a", 1));
  ASSERT_TRUE(run_until(ioc, [&] { return first.done(); }));
  EXPECT_EQ(text(first_buf, first.bytes), "a");
  EXPECT_TRUE(pending(second));  // the first took all there was
  s.client.write_some(rill::buffer("b", 1));
  ASSERT_TRUE(run_until(ioc, [&] { return second.done(); }));
  EXPECT_TRUE(freed_before_invoke(first));
  EXPECT_TRUE(freed_before_invoke(second));
  EXPECT_EQ(text(second_buf, second.bytes), "b");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, a_write_behind_a_queued_write_waits_its_turn) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  const std::size_t filled = rill_test::fill_send_buffer(s.client);
  std::vector<char> big(32 * 1024, '1');
  std::vector<int> order;
  s.client.async_write_some(rill::buffer(big), [&](const std::error_code& ec, std::size_t n) {
    EXPECT_FALSE(ec);
    EXPECT_GT(n, 0u);
    order.push_back(1);
  });
  EXPECT_EQ(ioc.poll(), 0u);
  // Drain a little: room for the small write, but it must not overtake.
  rill_test::drain_bytes(s.server, 1);
  s.client.async_write_some(rill::buffer("2", 1), [&](const std::error_code& ec, std::size_t n) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, 1u);
    order.push_back(2);
  });
  std::thread reader([&] { rill_test::drain_bytes(s.server, filled - 1); });
  ASSERT_TRUE(run_until(ioc, [&] { return order.size() == 2; }));
  reader.join();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, out_of_band_receive_and_wait_error) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char oob = 0;
  probe urgent;
  s.server.async_receive(rill::buffer(&oob, 1), rill::socket_base::message_out_of_band,
                         urgent.handler());
  EXPECT_TRUE(pending(urgent));
  EXPECT_EQ(ioc.poll(), 0u);
  s.client.send(rill::buffer("!", 1), rill::socket_base::message_out_of_band);
  ASSERT_TRUE(run_until(ioc, [&] { return urgent.done(); }));
  EXPECT_TRUE(freed_before_invoke(urgent));
  EXPECT_FALSE(urgent.ec) << urgent.ec.message();
  EXPECT_EQ(urgent.bytes, 1u);
  EXPECT_EQ(oob, '!');

  // wait_error completes when the connection fails.
  probe error_wait;
  s.server.async_wait(rill::socket_base::wait_error, error_wait.handler());
  EXPECT_TRUE(pending(error_wait));
  ioc.restart();
  EXPECT_EQ(ioc.poll(), 0u);
  s.client.set_option(rill::socket_base::linger(true, 0));
  s.client.close();
  ASSERT_TRUE(run_until(ioc, [&] { return error_wait.done(); }));
  EXPECT_TRUE(freed_before_invoke(error_wait));
  EXPECT_FALSE(error_wait.ec);
  EXPECT_TRUE(drained(ioc));
}

// ---- error paths ----

// A port that refuses connections: bound, never listening.
struct refusing_port {
  explicit refusing_port(rill::io_context& ioc) : holder(ioc) {
    holder.open(tcp::v4());
    holder.bind(loopback());
  }
  tcp::endpoint endpoint() const { return holder.local_endpoint(); }
  tcp::acceptor holder;
};

TEST(basic_stream_socket, connect_to_a_closed_port_is_refused) {
  rill::io_context ioc;
  refusing_port port(ioc);
  tcp::socket sync_client(ioc);
  std::error_code ec;
  sync_client.connect(port.endpoint(), ec);
  EXPECT_EQ(ec, rill::error::connection_refused);
  tcp::socket throwing_client(ioc);
  EXPECT_EQ(rill_test::thrown_code([&] { throwing_client.connect(port.endpoint()); }),
            rill::error::connection_refused);

  tcp::socket async_client(ioc);
  probe p;
  async_client.async_connect(port.endpoint(), p.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::connection_refused);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, peer_close_ends_a_pending_read_with_eof) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char buf[16];
  probe first, second;
  s.server.async_read_some(rill::buffer(buf), first.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  s.client.write_some(rill::buffer("last", 4));
  s.client.close();
  ASSERT_TRUE(run_until(ioc, [&] { return first.done(); }));
  EXPECT_FALSE(first.ec);
  EXPECT_EQ(text(buf, first.bytes), "last");
  s.server.async_read_some(rill::buffer(buf), second.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return second.done(); }));
  EXPECT_TRUE(freed_before_invoke(second));
  EXPECT_EQ(second.ec, rill::error::eof);
  EXPECT_EQ(second.bytes, 0u);
  // The blocking read agrees.
  std::error_code ec;
  EXPECT_EQ(s.server.read_some(rill::buffer(buf), ec), 0u);
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_EQ(rill_test::thrown_code([&] { s.server.read_some(rill::buffer(buf)); }),
            rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, peer_close_while_a_read_is_queued_gives_eof) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char buf[16];
  probe p;
  s.server.async_read_some(rill::buffer(buf), p.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(pending(p));
  s.client.close();
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

// linger(true, 0) then close() makes the kernel send a reset.
void reset_connection(tcp::socket& socket) {
  socket.set_option(rill::socket_base::linger(true, 0));
  socket.close();
}

TEST(basic_stream_socket, peer_reset_fails_a_pending_read_with_connection_reset) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char buf[16];
  probe p;
  s.server.async_read_some(rill::buffer(buf), p.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  reset_connection(s.client);
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::connection_reset);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, writing_to_a_reset_connection_fails) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  reset_connection(s.client);
  s.server.wait(rill::socket_base::wait_error);  // the reset has arrived
  std::error_code ec;
  s.server.write_some(rill::buffer("x", 1), ec);
  EXPECT_TRUE(ec == rill::error::connection_reset || ec == rill::error::broken_pipe)
      << ec.message();
  probe p;
  s.server.async_write_some(rill::buffer("x", 1), p.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_TRUE(p.ec == rill::error::broken_pipe || p.ec == rill::error::connection_reset)
      << p.ec.message();
  EXPECT_EQ(rill_test::thrown_code([&] { s.server.write_some(rill::buffer("x", 1)); }),
            rill::error::broken_pipe);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, cancel_aborts_pending_operations_and_keeps_the_socket) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char buf[16];
  probe read, wait;
  s.server.async_read_some(rill::buffer(buf), read.handler());
  s.server.async_wait(rill::socket_base::wait_read, wait.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  s.server.cancel();
  EXPECT_TRUE(pending(read));  // completions go through the queue
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_TRUE(freed_before_invoke(read));
  EXPECT_TRUE(freed_before_invoke(wait));
  EXPECT_EQ(read.ec, rill::error::operation_aborted);
  EXPECT_EQ(read.bytes, 0u);
  EXPECT_EQ(wait.ec, rill::error::operation_aborted);
  EXPECT_TRUE(s.server.is_open());
  // Cancelling with nothing pending is fine; the socket still works.
  std::error_code ec = rill::error::timed_out;
  s.server.cancel(ec);
  EXPECT_FALSE(ec);
  probe again;
  s.server.async_read_some(rill::buffer(buf), again.handler());
  s.client.write_some(rill::buffer("ok", 2));
  ASSERT_TRUE(run_until(ioc, [&] { return again.done(); }));
  EXPECT_EQ(text(buf, again.bytes), "ok");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, close_aborts_a_pending_write) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  const std::size_t filled = rill_test::fill_send_buffer(s.client);
  ASSERT_GT(filled, 0u);
  std::vector<char> data(4096, 'w');
  probe write;
  s.client.async_write_some(rill::buffer(data), write.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(pending(write));
  s.client.close();
  EXPECT_FALSE(s.client.is_open());
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(write));
  EXPECT_EQ(write.ec, rill::error::operation_aborted);
  EXPECT_EQ(write.bytes, 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, close_aborts_a_pending_read) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char buf[16];
  probe p;
  s.server.async_read_some(rill::buffer(buf), p.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  s.server.close();
  EXPECT_FALSE(s.server.is_open());
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::operation_aborted);
  // Closing a closed socket is not an error.
  std::error_code ec = rill::error::timed_out;
  s.server.close(ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, never_opened_socket_reports_bad_descriptor) {
  rill::io_context ioc;
  tcp::socket s(ioc);
  EXPECT_FALSE(s.is_open());
  char buf[4];
  const rill::error_code bad = rill::error::bad_descriptor;
  std::error_code ec;

  s.read_some(rill::buffer(buf), ec);
  EXPECT_EQ(ec, bad);
  s.write_some(rill::buffer(buf), ec);
  EXPECT_EQ(ec, bad);
  s.send(rill::buffer(buf), 0, ec);
  EXPECT_EQ(ec, bad);
  s.receive(rill::buffer(buf), 0, ec);
  EXPECT_EQ(ec, bad);
  s.available(ec);
  EXPECT_EQ(ec, bad);
  s.at_mark(ec);
  EXPECT_EQ(ec, bad);
  s.local_endpoint(ec);
  EXPECT_EQ(ec, bad);
  s.remote_endpoint(ec);
  EXPECT_EQ(ec, bad);
  s.shutdown(rill::socket_base::shutdown_both, ec);
  EXPECT_EQ(ec, bad);
  s.cancel(ec);
  EXPECT_EQ(ec, bad);
  s.bind(loopback(), ec);
  EXPECT_EQ(ec, bad);
  s.set_option(tcp::no_delay(true), ec);
  EXPECT_EQ(ec, bad);
  tcp::no_delay nd;
  s.get_option(nd, ec);
  EXPECT_EQ(ec, bad);
  s.non_blocking(true, ec);
  EXPECT_EQ(ec, bad);
  s.native_non_blocking(true, ec);
  EXPECT_EQ(ec, bad);
  rill::socket_base::bytes_readable command;
  s.io_control(command, ec);
  EXPECT_EQ(ec, bad);
  EXPECT_EQ(s.release(ec), -1);
  EXPECT_EQ(ec, bad);
  // A blocking wait must fail at once, not wait forever on no descriptor.
  EXPECT_TRUE(rill_test::finishes_within([&] { s.wait(rill::socket_base::wait_read, ec); }, 5s));
  EXPECT_EQ(ec, bad);

  using rill_test::thrown_code;
  EXPECT_EQ(thrown_code([&] { s.read_some(rill::buffer(buf)); }), bad);
  EXPECT_EQ(thrown_code([&] { s.write_some(rill::buffer(buf)); }), bad);
  EXPECT_EQ(thrown_code([&] { s.send(rill::buffer(buf)); }), bad);
  EXPECT_EQ(thrown_code([&] { s.receive(rill::buffer(buf)); }), bad);
  EXPECT_EQ(thrown_code([&] { (void)s.available(); }), bad);
  EXPECT_EQ(thrown_code([&] { (void)s.at_mark(); }), bad);
  EXPECT_EQ(thrown_code([&] { (void)s.local_endpoint(); }), bad);
  EXPECT_EQ(thrown_code([&] { (void)s.remote_endpoint(); }), bad);
  EXPECT_EQ(thrown_code([&] { s.shutdown(rill::socket_base::shutdown_both); }), bad);
  EXPECT_EQ(thrown_code([&] { s.cancel(); }), bad);
  EXPECT_EQ(thrown_code([&] { s.bind(loopback()); }), bad);
  EXPECT_EQ(thrown_code([&] { s.set_option(tcp::no_delay(true)); }), bad);
  EXPECT_EQ(thrown_code([&] { s.get_option(nd); }), bad);
  EXPECT_EQ(thrown_code([&] { s.non_blocking(true); }), bad);
  EXPECT_EQ(thrown_code([&] { s.io_control(command); }), bad);
  EXPECT_EQ(thrown_code([&] { (void)s.release(); }), bad);
  EXPECT_TRUE(rill_test::finishes_within(
      [&] { EXPECT_EQ(thrown_code([&] { s.wait(rill::socket_base::wait_write); }), bad); }, 5s));
  EXPECT_NO_THROW(s.close());

  // Asynchronous operations complete with the error through the queue.
  probe read, write, send, receive, wait;
  s.async_read_some(rill::buffer(buf), read.handler());
  s.async_write_some(rill::buffer(buf), write.handler());
  s.async_send(rill::buffer(buf), send.handler());
  s.async_receive(rill::buffer(buf), receive.handler());
  s.async_wait(rill::socket_base::wait_read, wait.handler());
  for (probe* p : {&read, &write, &send, &receive, &wait}) EXPECT_TRUE(pending(*p));
  EXPECT_EQ(ioc.poll(), 5u);
  for (probe* p : {&read, &write, &send, &receive, &wait}) {
    EXPECT_TRUE(freed_before_invoke(*p));
    EXPECT_EQ(p->ec, bad);
  }
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, open_twice_is_already_open) {
  rill::io_context ioc;
  tcp::socket s(ioc, tcp::v4());
  std::error_code ec;
  s.open(tcp::v4(), ec);
  EXPECT_EQ(ec, rill::error::already_open);
  EXPECT_EQ(rill_test::thrown_code([&] { s.open(tcp::v4()); }), rill::error::already_open);
  EXPECT_TRUE(s.is_open());
  EXPECT_TRUE(drained(ioc));
}

// ---- blocking operations ----

TEST(basic_stream_socket, blocking_connect_and_accept_with_a_second_thread) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  const tcp::endpoint ep = acceptor.local_endpoint();
  tcp::socket client(ioc);
  std::error_code connect_ec = rill::error::timed_out;
  clock_type::time_point acted{}, returned{};
  std::thread connector([&] {
    std::this_thread::sleep_for(30ms);
    acted = clock_type::now();
    client.connect(ep, connect_ec);
  });
  tcp::socket peer(ioc);
  tcp::endpoint peer_ep;
  std::error_code accept_ec = rill::error::timed_out;
  EXPECT_TRUE(rill_test::finishes_within([&] {
    acceptor.accept(peer, peer_ep, accept_ec);
    returned = clock_type::now();
  }));
  connector.join();
  EXPECT_GE(returned, acted);  // it returned only after the other thread acted
  EXPECT_FALSE(accept_ec) << accept_ec.message();
  EXPECT_FALSE(connect_ec) << connect_ec.message();
  EXPECT_EQ(peer_ep, client.local_endpoint());
  EXPECT_EQ(peer.remote_endpoint(), client.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, blocking_read_some_waits_for_data) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  clock_type::time_point acted{}, returned{};
  std::thread writer([&] {
    std::this_thread::sleep_for(30ms);
    acted = clock_type::now();
    s.client.write_some(rill::buffer("late", 4));
  });
  char buf[16];
  std::size_t n = 0;
  EXPECT_TRUE(rill_test::finishes_within([&] {
    n = s.server.read_some(rill::buffer(buf));
    returned = clock_type::now();
  }));
  writer.join();
  EXPECT_GE(returned, acted);  // it returned only after the other thread acted
  EXPECT_EQ(text(buf, n), "late");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, blocking_write_some_waits_for_space) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  const std::size_t filled = rill_test::fill_send_buffer(s.client);
  clock_type::time_point acted{}, returned{};
  std::thread reader([&] {
    std::this_thread::sleep_for(30ms);
    acted = clock_type::now();
    rill_test::drain_bytes(s.server, filled);
  });
  std::vector<char> data(16 * 1024, 'b');
  std::size_t n = 0;
  EXPECT_TRUE(rill_test::finishes_within([&] {
    n = s.client.write_some(rill::buffer(data));
    returned = clock_type::now();
  }));
  reader.join();
  EXPECT_GE(returned, acted);  // it returned only after the other thread acted
  EXPECT_GT(n, 0u);
  rill_test::drain_bytes(s.server, n);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, non_blocking_mode_makes_reads_would_block) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  EXPECT_FALSE(s.server.non_blocking());
  s.server.non_blocking(true);
  EXPECT_TRUE(s.server.non_blocking());
  char buf[16];
  std::error_code ec;
  EXPECT_EQ(s.server.read_some(rill::buffer(buf), ec), 0u);
  EXPECT_EQ(ec, rill::error::would_block);
  EXPECT_EQ(rill_test::thrown_code([&] { s.server.read_some(rill::buffer(buf)); }),
            rill::error::would_block);
  s.client.write_some(rill::buffer("nb", 2));
  s.server.wait(rill::socket_base::wait_read);
  EXPECT_EQ(s.server.read_some(rill::buffer(buf), ec), 2u);
  EXPECT_FALSE(ec);
  s.server.non_blocking(false);
  EXPECT_FALSE(s.server.non_blocking());
  // Asynchronous operations are unaffected by the mode.
  s.server.non_blocking(true);
  probe p;
  s.server.async_read_some(rill::buffer(buf), p.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  s.client.write_some(rill::buffer("a", 1));
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(p.bytes, 1u);
  EXPECT_TRUE(drained(ioc));
}

// A user may make the descriptor itself blocking; asynchronous operations
// must still never block the thread that runs the reactor (Asio makes the
// descriptor non-blocking again when an operation starts).
TEST(basic_stream_socket, async_read_after_native_blocking_mode_does_not_block) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  s.server.native_non_blocking(false);
  EXPECT_FALSE(s.server.native_non_blocking());
  char buf[16];
  probe p;
  // Runs on another thread: if the initiating function blocked in recv, the
  // test fails instead of hanging.
  EXPECT_TRUE(rill_test::finishes_within(
      [&] { s.server.async_read_some(rill::buffer(buf), p.handler()); }, 5s));
  EXPECT_EQ(ioc.poll(), 0u);
  s.client.write_some(rill::buffer("nb", 2));
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(text(buf, p.bytes), "nb");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, available_and_bytes_readable) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  EXPECT_EQ(s.server.available(), 0u);
  s.client.write_some(rill::buffer("12345", 5));
  s.server.wait(rill::socket_base::wait_read);
  EXPECT_EQ(s.server.available(), 5u);
  std::error_code ec;
  EXPECT_EQ(s.server.available(ec), 5u);
  EXPECT_FALSE(ec);
  rill::socket_base::bytes_readable command;
  s.server.io_control(command);
  EXPECT_EQ(command.get(), 5u);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, local_and_remote_endpoints) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();
  EXPECT_EQ(client.remote_endpoint(), acceptor.local_endpoint());
  EXPECT_EQ(server.local_endpoint(), acceptor.local_endpoint());
  EXPECT_EQ(server.remote_endpoint(), client.local_endpoint());
  EXPECT_TRUE(client.local_endpoint().address().is_loopback());
  EXPECT_NE(client.local_endpoint().port(), 0);
  // An open, unconnected socket has no peer.
  tcp::socket lone(ioc, tcp::v4());
  std::error_code ec;
  lone.remote_endpoint(ec);
  EXPECT_EQ(ec, rill::error::not_connected);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, socket_options_round_trip) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  tcp::socket& c = s.client;

  tcp::no_delay no_delay;
  c.get_option(no_delay);
  EXPECT_FALSE(no_delay.value());
  c.set_option(tcp::no_delay(true));
  c.get_option(no_delay);
  EXPECT_TRUE(no_delay.value());

  rill::socket_base::reuse_address reuse;
  c.set_option(rill::socket_base::reuse_address(true));
  c.get_option(reuse);
  EXPECT_TRUE(reuse.value());
  c.set_option(rill::socket_base::reuse_address(false));
  c.get_option(reuse);
  EXPECT_FALSE(reuse.value());

  rill::socket_base::keep_alive keep;
  c.set_option(rill::socket_base::keep_alive(true));
  c.get_option(keep);
  EXPECT_TRUE(keep.value());

  rill::socket_base::linger linger;
  c.set_option(rill::socket_base::linger(true, 7));
  c.get_option(linger);
  EXPECT_TRUE(linger.enabled());
  EXPECT_EQ(linger.timeout(), 7);
  c.set_option(rill::socket_base::linger(false, 0));
  c.get_option(linger);
  EXPECT_FALSE(linger.enabled());

  rill::socket_base::receive_buffer_size rcv;
  c.set_option(rill::socket_base::receive_buffer_size(32768));
  c.get_option(rcv);
  EXPECT_EQ(rcv.value(), 32768);
  rill::socket_base::send_buffer_size snd;
  std::error_code ec = rill::error::timed_out;
  c.set_option(rill::socket_base::send_buffer_size(32768), ec);
  EXPECT_FALSE(ec);
  c.get_option(snd, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(snd.value(), 32768);
  EXPECT_TRUE(drained(ioc));
}

// rill's own option level: handled by the socket, never by the kernel.
using always_fail = rill::detail::socket_option::boolean<rill::detail::custom_socket_option_level,
                                                         rill::detail::always_fail_option>;

TEST(basic_stream_socket, custom_level_options) {
  rill::io_context ioc;
  tcp::socket s(ioc, tcp::v4());
  rill::socket_base::enable_connection_aborted option;
  s.get_option(option);
  EXPECT_FALSE(option.value());
  s.set_option(rill::socket_base::enable_connection_aborted(true));
  s.get_option(option);
  EXPECT_TRUE(option.value());
  std::error_code ec = rill::error::timed_out;
  s.set_option(rill::socket_base::enable_connection_aborted(false), ec);
  EXPECT_FALSE(ec);
  s.get_option(option, ec);
  EXPECT_FALSE(ec);
  EXPECT_FALSE(option.value());

  s.set_option(always_fail(true), ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  always_fail fail;
  s.get_option(fail, ec);
  EXPECT_EQ(ec, rill::error::invalid_argument);
  EXPECT_EQ(rill_test::thrown_code([&] { s.set_option(always_fail(true)); }),
            rill::error::invalid_argument);
  EXPECT_EQ(rill_test::thrown_code([&] { s.get_option(fail); }), rill::error::invalid_argument);

  // On a closed socket the descriptor check comes first, as in Asio.
  tcp::socket closed(ioc);
  closed.set_option(rill::socket_base::enable_connection_aborted(true), ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, shutdown_send_gives_the_peer_eof_and_keeps_receiving) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  s.client.write_some(rill::buffer("bye", 3));
  s.client.shutdown(rill::socket_base::shutdown_send);
  char buf[16];
  std::error_code ec;
  EXPECT_EQ(s.server.read_some(rill::buffer(buf), ec), 3u);
  EXPECT_FALSE(ec);
  s.server.read_some(rill::buffer(buf), ec);
  EXPECT_EQ(ec, rill::error::eof);
  // The other direction still works.
  s.server.write_some(rill::buffer("back", 4));
  EXPECT_EQ(s.client.read_some(rill::buffer(buf)), 4u);
  s.client.write_some(rill::buffer("x", 1), ec);
  EXPECT_EQ(ec, rill::error::broken_pipe);
  s.server.shutdown(rill::socket_base::shutdown_both);
  s.client.read_some(rill::buffer(buf), ec);
  EXPECT_EQ(ec, rill::error::eof);
  // An unconnected socket cannot be shut down.
  tcp::socket lone(ioc, tcp::v4());
  lone.shutdown(rill::socket_base::shutdown_both, ec);
  EXPECT_EQ(ec, rill::error::not_connected);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, release_returns_the_descriptor_and_aborts_pending_operations) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char buf[16];
  probe p;
  s.server.async_read_some(rill::buffer(buf), p.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  const int fd = s.server.release();
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(s.server.is_open());
  EXPECT_GE(::fcntl(fd, F_GETFD), 0);  // still open, now ours
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::operation_aborted);

  // The descriptor can be adopted again and used asynchronously.
  ioc.restart();
  tcp::socket adopted(ioc);
  adopted.assign(tcp::v4(), fd);
  EXPECT_TRUE(adopted.is_open());
  EXPECT_EQ(adopted.native_handle(), fd);
  probe q;
  adopted.async_read_some(rill::buffer(buf), q.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  s.client.write_some(rill::buffer("again", 5));
  ASSERT_TRUE(run_until(ioc, [&] { return q.done(); }));
  EXPECT_TRUE(freed_before_invoke(q));
  EXPECT_EQ(text(buf, q.bytes), "again");
  // Assigning to an open socket is refused.
  std::error_code ec;
  adopted.assign(tcp::v4(), fd, ec);
  EXPECT_EQ(ec, rill::error::already_open);
  EXPECT_TRUE(drained(ioc));
}

// ---- moves and contexts ----

TEST(basic_stream_socket, move_construction_keeps_a_pending_read) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  char buf[16];
  probe p;
  s.server.async_read_some(rill::buffer(buf), p.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  tcp::socket moved(std::move(s.server));
  EXPECT_FALSE(s.server.is_open());
  EXPECT_TRUE(moved.is_open());
  s.client.write_some(rill::buffer("moved", 5));
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(text(buf, p.bytes), "moved");
  // The moved-from object can open again.
  s.server.open(tcp::v4());
  EXPECT_TRUE(s.server.is_open());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, move_assignment_aborts_the_targets_operations_and_keeps_the_sources) {
  rill::io_context ioc;
  auto a = make_tcp_pair(ioc);
  auto b = make_tcp_pair(ioc);
  char abuf[16], bbuf[16];
  probe on_a, on_b;
  a.server.async_read_some(rill::buffer(abuf), on_a.handler());
  b.server.async_read_some(rill::buffer(bbuf), on_b.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  a.server = std::move(b.server);
  EXPECT_FALSE(b.server.is_open());
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(on_a));
  EXPECT_EQ(on_a.ec, rill::error::operation_aborted);
  EXPECT_TRUE(pending(on_b));
  b.client.write_some(rill::buffer("b", 1));
  ASSERT_TRUE(run_until(ioc, [&] { return on_b.done(); }));
  EXPECT_TRUE(freed_before_invoke(on_b));
  EXPECT_EQ(text(bbuf, on_b.bytes), "b");
  // a's old peer sees the end of the connection.
  char buf[4];
  std::error_code ec;
  a.client.read_some(rill::buffer(buf), ec);
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_stream_socket, each_socket_runs_on_the_context_it_was_made_with) {
  rill::io_context ioc1, ioc2;
  auto s = make_tcp_pair(ioc1, ioc2);
  EXPECT_TRUE(s.client.get_executor() == ioc1.get_executor());
  EXPECT_TRUE(s.server.get_executor() == ioc2.get_executor());
  char buf[16];
  probe read, write;
  s.server.async_read_some(rill::buffer(buf), read.handler());
  s.client.async_write_some(rill::buffer("two", 3), write.handler());
  EXPECT_EQ(ioc1.poll(), 1u);  // the write's handler, and only that
  EXPECT_TRUE(freed_before_invoke(write));
  EXPECT_TRUE(pending(read));
  ASSERT_TRUE(run_until(ioc2, [&] { return read.done(); }));
  EXPECT_TRUE(freed_before_invoke(read));
  EXPECT_EQ(text(buf, read.bytes), "two");
  EXPECT_TRUE(drained(ioc1));
  EXPECT_TRUE(drained(ioc2));
}

TEST(basic_stream_socket, move_assignment_across_contexts_takes_the_sources_context) {
  rill::io_context ioc1, ioc2;
  auto s = make_tcp_pair(ioc2);
  tcp::socket target(ioc1, tcp::v4());
  target = std::move(s.server);
  EXPECT_TRUE(target.get_executor() == ioc2.get_executor());
  char buf[16];
  probe p;
  target.async_read_some(rill::buffer(buf), p.handler());
  EXPECT_EQ(ioc2.poll(), 0u);
  s.client.write_some(rill::buffer("ctx2", 4));
  EXPECT_EQ(ioc1.poll(), 0u);
  ASSERT_TRUE(run_until(
      ioc2, [&] { return p.done(); }, 5s));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(text(buf, p.bytes), "ctx2");
  EXPECT_TRUE(drained(ioc1));
  EXPECT_TRUE(drained(ioc2));
}

}  // namespace
