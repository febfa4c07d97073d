// basic_datagram_socket over UDP on 127.0.0.1: send_to/receive_from sync and
// async, connected sockets, the sender's endpoint, the allocation contract.
#include <rill/basic_datagram_socket.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string_view>
#include <system_error>
#include <thread>

#include <rill/buffer.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/udp.hpp>
#include <rill/socket_base.hpp>

#include "support/io_helpers.hpp"
#include "support/probe.hpp"

namespace {

using namespace std::chrono_literals;
using rill::ip::udp;
using rill_test::drained;
using rill_test::freed_before_invoke;
using rill_test::pending;
using rill_test::probe;
using rill_test::run_until;
using clock_type = std::chrono::steady_clock;

udp::endpoint any_loopback() { return rill_test::loopback<udp>(); }

std::string_view text(const char* data, std::size_t n) { return {data, n}; }

TEST(basic_datagram_socket, sync_send_to_and_receive_from) {
  rill::io_context ioc;
  udp::socket a(ioc, any_loopback());
  udp::socket b(ioc, any_loopback());
  EXPECT_EQ(a.send_to(rill::buffer("ping", 4), b.local_endpoint()), 4u);
  char buf[16];
  udp::endpoint sender;
  EXPECT_EQ(b.receive_from(rill::buffer(buf), sender), 4u);
  EXPECT_EQ(sender, a.local_endpoint());
  std::error_code ec;
  EXPECT_EQ(b.send_to(rill::buffer("pong", 4), sender, 0, ec), 4u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(a.receive_from(rill::buffer(buf), sender, 0, ec), 4u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(text(buf, 4), "pong");
  EXPECT_EQ(sender, b.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, blocking_receive_from_waits_for_a_datagram) {
  rill::io_context ioc;
  udp::socket a(ioc, any_loopback());
  udp::socket b(ioc, any_loopback());
  const udp::endpoint to = b.local_endpoint();
  clock_type::time_point acted{}, returned{};
  std::thread sender_thread([&] {
    std::this_thread::sleep_for(30ms);
    acted = clock_type::now();
    a.send_to(rill::buffer("late", 4), to);
  });
  char buf[16];
  udp::endpoint sender;
  std::size_t n = 0;
  EXPECT_TRUE(rill_test::finishes_within([&] {
    n = b.receive_from(rill::buffer(buf), sender);
    returned = clock_type::now();
  }));
  sender_thread.join();
  EXPECT_GE(returned, acted);  // it returned only after the other thread acted
  EXPECT_EQ(text(buf, n), "late");
  EXPECT_EQ(sender, a.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, non_blocking_receive_would_block) {
  rill::io_context ioc;
  udp::socket b(ioc, any_loopback());
  b.non_blocking(true);
  char buf[4];
  udp::endpoint sender;
  std::error_code ec;
  b.receive_from(rill::buffer(buf), sender, 0, ec);
  EXPECT_EQ(ec, rill::error::would_block);
  b.receive(rill::buffer(buf), 0, ec);
  EXPECT_EQ(ec, rill::error::would_block);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, async_receive_from_fills_the_sender_memory) {
  rill::io_context ioc;
  udp::socket a(ioc, any_loopback());
  udp::socket b(ioc, any_loopback());
  char buf[16];
  udp::endpoint sender;
  probe receive, send;
  b.async_receive_from(rill::buffer(buf), sender, receive.handler());
  EXPECT_TRUE(pending(receive));
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(pending(receive));
  a.async_send_to(rill::buffer("dgram", 5), b.local_endpoint(), send.handler());
  EXPECT_TRUE(pending(send));
  ASSERT_TRUE(run_until(ioc, [&] { return receive.done() && send.done(); }));
  EXPECT_TRUE(freed_before_invoke(receive));
  EXPECT_TRUE(freed_before_invoke(send));
  EXPECT_FALSE(receive.ec);
  EXPECT_FALSE(send.ec);
  EXPECT_EQ(send.bytes, 5u);
  EXPECT_EQ(text(buf, receive.bytes), "dgram");
  EXPECT_EQ(sender, a.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, speculative_async_receive_from_is_still_posted) {
  rill::io_context ioc;
  udp::socket a(ioc, any_loopback());
  udp::socket b(ioc, any_loopback());
  a.send_to(rill::buffer("now", 3), b.local_endpoint());
  b.wait(rill::socket_base::wait_read);
  char buf[16];
  udp::endpoint sender;
  probe p;
  b.async_receive_from(rill::buffer(buf), sender, p.handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(text(buf, p.bytes), "now");
  EXPECT_EQ(sender, a.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, datagrams_keep_their_boundaries_and_may_be_empty) {
  rill::io_context ioc;
  udp::socket a(ioc, any_loopback());
  udp::socket b(ioc, any_loopback());
  a.send_to(rill::buffer("one", 3), b.local_endpoint());
  a.send_to(rill::const_buffer(), b.local_endpoint());
  a.send_to(rill::buffer("three", 5), b.local_endpoint());
  char buf[16];
  udp::endpoint sender;
  EXPECT_EQ(b.receive_from(rill::buffer(buf), sender), 3u);
  // An empty datagram is a message, not an end of stream.
  std::error_code ec;
  EXPECT_EQ(b.receive_from(rill::buffer(buf), sender, 0, ec), 0u);
  EXPECT_FALSE(ec);
  probe p;
  b.async_receive_from(rill::buffer(buf), sender, p.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(text(buf, p.bytes), "three");
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, connected_send_and_receive) {
  rill::io_context ioc;
  udp::socket a(ioc, any_loopback());
  udp::socket b(ioc, any_loopback());
  a.connect(b.local_endpoint());
  b.connect(a.local_endpoint());
  EXPECT_EQ(a.remote_endpoint(), b.local_endpoint());
  EXPECT_EQ(a.send(rill::buffer("sync", 4)), 4u);
  char buf[16];
  EXPECT_EQ(b.receive(rill::buffer(buf)), 4u);
  EXPECT_EQ(text(buf, 4), "sync");

  probe receive, send;
  a.async_receive(rill::buffer(buf), receive.handler());
  EXPECT_TRUE(pending(receive));
  EXPECT_EQ(ioc.poll(), 0u);
  b.async_send(rill::buffer("async", 5), send.handler());
  EXPECT_TRUE(pending(send));
  ASSERT_TRUE(run_until(ioc, [&] { return receive.done() && send.done(); }));
  EXPECT_TRUE(freed_before_invoke(receive));
  EXPECT_TRUE(freed_before_invoke(send));
  EXPECT_EQ(text(buf, receive.bytes), "async");
  EXPECT_EQ(send.bytes, 5u);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, async_connect_memory) {
  rill::io_context ioc;
  udp::socket b(ioc, any_loopback());
  udp::socket a(ioc);
  probe p;
  a.async_connect(b.local_endpoint(), p.handler());
  EXPECT_TRUE(pending(p));
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(a.remote_endpoint(), b.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, connected_socket_learns_the_port_is_closed) {
  rill::io_context ioc;
  udp::endpoint closed;
  {
    udp::socket gone(ioc, any_loopback());
    closed = gone.local_endpoint();
  }
  udp::socket a(ioc, any_loopback());
  a.connect(closed);
  a.send(rill::buffer("x", 1));
  char buf[4];
  probe p;
  a.async_receive(rill::buffer(buf), p.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::connection_refused);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, cancel_and_close_abort_pending_receives) {
  rill::io_context ioc;
  udp::socket b(ioc, any_loopback());
  char buf[4];
  udp::endpoint sender;
  probe from, plain;
  b.async_receive_from(rill::buffer(buf), sender, from.handler());
  b.async_receive(rill::buffer(buf), plain.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  b.cancel();
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_TRUE(freed_before_invoke(from));
  EXPECT_TRUE(freed_before_invoke(plain));
  EXPECT_EQ(from.ec, rill::error::operation_aborted);
  EXPECT_EQ(plain.ec, rill::error::operation_aborted);
  probe closed;
  ioc.restart();
  b.async_receive_from(rill::buffer(buf), sender, closed.handler());
  b.close();
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(closed));
  EXPECT_EQ(closed.ec, rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_datagram_socket, never_opened_socket_reports_bad_descriptor) {
  rill::io_context ioc;
  udp::socket s(ioc);
  char buf[4];
  udp::endpoint ep = any_loopback();
  std::error_code ec;
  s.send_to(rill::buffer(buf), ep, 0, ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  s.receive_from(rill::buffer(buf), ep, 0, ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  EXPECT_EQ(rill_test::thrown_code([&] { s.send_to(rill::buffer(buf), ep); }),
            rill::error::bad_descriptor);
  EXPECT_EQ(rill_test::thrown_code([&] { s.receive_from(rill::buffer(buf), ep); }),
            rill::error::bad_descriptor);
  probe send, receive;
  s.async_send_to(rill::buffer(buf), ep, send.handler());
  s.async_receive_from(rill::buffer(buf), ep, receive.handler());
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_TRUE(freed_before_invoke(send));
  EXPECT_TRUE(freed_before_invoke(receive));
  EXPECT_EQ(send.ec, rill::error::bad_descriptor);
  EXPECT_EQ(receive.ec, rill::error::bad_descriptor);
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
