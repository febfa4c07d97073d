// basic_socket_acceptor over TCP on 127.0.0.1: accepting into a socket and
// as a new socket, synchronously and asynchronously, the allocation
// contract, errors, moves and accepting onto another context.
#include <rill/basic_socket_acceptor.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <system_error>
#include <utility>

#include <rill/buffer.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/socket_base.hpp>

#include "support/counting_allocator.hpp"
#include "support/io_helpers.hpp"
#include "support/probe.hpp"

namespace {

using namespace std::chrono_literals;
using rill::ip::tcp;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using rill_test::drained;
using rill_test::freed_before_invoke;
using rill_test::loopback;
using rill_test::pending;
using rill_test::probe;
using rill_test::run_until;

// The move form's handler: keeps the socket it was given.
struct accepted {
  allocation_log log;
  int runs = 0;
  int live_inside = -1;
  std::error_code ec;
  std::optional<tcp::socket> socket;

  auto handler() {
    return rill::bind_allocator(counting_allocator<char>(log),
                                [this](const std::error_code& e, tcp::socket s) {
                                  ++runs;
                                  ec = e;
                                  live_inside = log.live();
                                  socket.emplace(std::move(s));
                                });
  }
  [[nodiscard]] bool done() const noexcept { return runs > 0; }
  [[nodiscard]] bool contract_kept() const {
    return runs == 1 && log.allocations == 1 && live_inside == 0 && log.live() == 0;
  }
};

TEST(basic_socket_acceptor, constructor_opens_binds_and_listens) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  EXPECT_TRUE(acceptor.is_open());
  EXPECT_TRUE(acceptor.local_endpoint().address().is_loopback());
  EXPECT_NE(acceptor.local_endpoint().port(), 0);
  rill::socket_base::reuse_address reuse;
  acceptor.get_option(reuse);
  EXPECT_TRUE(reuse.value());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, sync_accept_both_forms) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  tcp::socket c1(ioc), c2(ioc);
  c1.connect(acceptor.local_endpoint());
  c2.connect(acceptor.local_endpoint());
  tcp::socket into(ioc);
  tcp::endpoint peer;
  acceptor.accept(into, peer);
  EXPECT_EQ(peer, c1.local_endpoint());
  EXPECT_EQ(into.remote_endpoint(), c1.local_endpoint());
  tcp::endpoint peer2;
  tcp::socket returned = acceptor.accept(peer2);
  EXPECT_EQ(peer2, c2.local_endpoint());
  EXPECT_TRUE(returned.get_executor() == ioc.get_executor());
  // The accepted sockets work asynchronously.
  char buf[4];
  probe p;
  returned.async_read_some(rill::buffer(buf), p.handler());
  c2.write_some(rill::buffer("hi", 2));
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.bytes, 2u);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, async_accept_into_a_socket_memory) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  tcp::socket peer(ioc);
  tcp::endpoint peer_ep;
  probe p;
  acceptor.async_accept(peer, peer_ep, p.handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 0u);  // nobody connected: the accept waits
  EXPECT_TRUE(pending(p));
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  EXPECT_TRUE(peer.is_open());
  EXPECT_EQ(peer_ep, client.local_endpoint());
  EXPECT_EQ(peer.remote_endpoint(), client.local_endpoint());

  // Without an endpoint, and speculatively: the connection is already there.
  tcp::socket client2(ioc);
  client2.connect(acceptor.local_endpoint());
  tcp::socket peer2(ioc);
  probe q;
  acceptor.async_accept(peer2, q.handler());
  EXPECT_TRUE(pending(q));
  ASSERT_TRUE(run_until(ioc, [&] { return q.done(); }));
  EXPECT_TRUE(freed_before_invoke(q));
  EXPECT_EQ(peer2.remote_endpoint(), client2.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, async_accept_returning_a_socket_memory) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  accepted a;
  acceptor.async_accept(a.handler());
  EXPECT_EQ(a.log.live(), 1);
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_EQ(a.log.live(), 1);
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  ASSERT_TRUE(run_until(ioc, [&] { return a.done(); }));
  EXPECT_TRUE(a.contract_kept());
  EXPECT_FALSE(a.ec);
  ASSERT_TRUE(a.socket.has_value());
  EXPECT_TRUE(a.socket->is_open());
  EXPECT_EQ(a.socket->remote_endpoint(), client.local_endpoint());

  // With the peer's endpoint.
  tcp::socket client2(ioc);
  client2.connect(acceptor.local_endpoint());
  tcp::endpoint peer_ep;
  accepted b;
  acceptor.async_accept(peer_ep, b.handler());
  EXPECT_EQ(b.log.live(), 1);
  ASSERT_TRUE(run_until(ioc, [&] { return b.done(); }));
  EXPECT_TRUE(b.contract_kept());
  EXPECT_EQ(peer_ep, client2.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, async_accept_onto_another_context) {
  rill::io_context ioc, other;
  tcp::acceptor acceptor(ioc, loopback());
  std::optional<rill::ip::tcp::socket> got;
  std::error_code ec = rill::error::timed_out;
  acceptor.async_accept(other, [&](const std::error_code& e, tcp::socket s) {
    ec = e;
    got.emplace(std::move(s));
  });
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  ASSERT_TRUE(run_until(ioc, [&] { return got.has_value(); }));
  EXPECT_FALSE(ec);
  EXPECT_TRUE(got->get_executor() == other.get_executor());
  // Its operations run on the other context only.
  char buf[4];
  probe p;
  got->async_read_some(rill::buffer(buf), p.handler());
  client.write_some(rill::buffer("o", 1));
  EXPECT_TRUE(drained(ioc));
  ASSERT_TRUE(run_until(other, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.bytes, 1u);
  EXPECT_TRUE(drained(other));
}

TEST(basic_socket_acceptor, accept_into_an_open_socket_is_already_open) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  tcp::socket open_peer(ioc, tcp::v4());
  std::error_code ec;
  acceptor.accept(open_peer, ec);
  EXPECT_EQ(ec, rill::error::already_open);
  EXPECT_EQ(rill_test::thrown_code([&] { acceptor.accept(open_peer); }), rill::error::already_open);
  probe p;
  acceptor.async_accept(open_peer, p.handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::already_open);
  // The pending connection was not consumed: the acceptor still works.
  tcp::socket peer(ioc);
  acceptor.accept(peer);
  EXPECT_EQ(peer.remote_endpoint(), client.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, bind_to_an_address_in_use) {
  rill::io_context ioc;
  tcp::acceptor first(ioc, loopback());
  tcp::acceptor second(ioc);
  second.open(tcp::v4());
  std::error_code ec;
  second.bind(first.local_endpoint(), ec);
  EXPECT_EQ(ec, rill::error::address_in_use);
  EXPECT_EQ(rill_test::thrown_code([&] { second.bind(first.local_endpoint()); }),
            rill::error::address_in_use);
  // reuse_address does not allow two listeners on one port.
  EXPECT_EQ(rill_test::thrown_code([&] { tcp::acceptor third(ioc, first.local_endpoint()); }),
            rill::error::address_in_use);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, cancel_and_close_abort_pending_accepts) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  tcp::socket peer(ioc);
  probe into;
  accepted moved;
  acceptor.async_accept(peer, into.handler());
  acceptor.async_accept(moved.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  acceptor.cancel();
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_TRUE(freed_before_invoke(into));
  EXPECT_EQ(into.ec, rill::error::operation_aborted);
  EXPECT_FALSE(peer.is_open());
  EXPECT_TRUE(moved.contract_kept());
  EXPECT_EQ(moved.ec, rill::error::operation_aborted);
  ASSERT_TRUE(moved.socket.has_value());
  EXPECT_FALSE(moved.socket->is_open());

  probe closed;
  ioc.restart();
  acceptor.async_accept(peer, closed.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  acceptor.close();
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(closed));
  EXPECT_EQ(closed.ec, rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, never_opened_acceptor_reports_bad_descriptor) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc);
  std::error_code ec;
  acceptor.listen(rill::socket_base::max_listen_connections, ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  EXPECT_EQ(rill_test::thrown_code([&] { acceptor.listen(); }), rill::error::bad_descriptor);
  tcp::socket peer(ioc);
  acceptor.accept(peer, ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  EXPECT_EQ(rill_test::thrown_code([&] { acceptor.accept(peer); }), rill::error::bad_descriptor);
  EXPECT_EQ(rill_test::thrown_code([&] { (void)acceptor.local_endpoint(); }),
            rill::error::bad_descriptor);
  probe p;
  acceptor.async_accept(peer, p.handler());
  accepted a;
  acceptor.async_accept(a.handler());
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::bad_descriptor);
  EXPECT_TRUE(a.contract_kept());
  EXPECT_EQ(a.ec, rill::error::bad_descriptor);
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, non_blocking_accept_would_block) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  acceptor.non_blocking(true);
  EXPECT_TRUE(acceptor.non_blocking());
  tcp::socket peer(ioc);
  std::error_code ec;
  acceptor.accept(peer, ec);
  EXPECT_EQ(ec, rill::error::would_block);
  EXPECT_FALSE(peer.is_open());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, async_wait_for_a_connection) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  probe p;
  acceptor.async_wait(rill::socket_base::wait_read, p.handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 0u);
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  acceptor.non_blocking(true);
  tcp::socket peer = acceptor.accept();  // ready: does not fail
  EXPECT_TRUE(peer.is_open());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, move_construction_and_assignment_keep_pending_accepts) {
  rill::io_context ioc;
  tcp::acceptor a1(ioc, loopback());
  const tcp::endpoint ep = a1.local_endpoint();
  tcp::socket peer(ioc);
  probe p;
  a1.async_accept(peer, p.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  tcp::acceptor a2(std::move(a1));
  EXPECT_FALSE(a1.is_open());
  EXPECT_EQ(a2.local_endpoint(), ep);
  tcp::acceptor a3(ioc, loopback());
  probe target_accept;
  tcp::socket other_peer(ioc);
  a3.async_accept(other_peer, target_accept.handler());
  a3 = std::move(a2);
  EXPECT_FALSE(a2.is_open());
  EXPECT_EQ(a3.local_endpoint(), ep);
  EXPECT_EQ(ioc.poll(), 1u);  // a3's own accept was aborted
  EXPECT_TRUE(freed_before_invoke(target_accept));
  EXPECT_EQ(target_accept.ec, rill::error::operation_aborted);
  tcp::socket client(ioc);
  client.connect(ep);
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(peer.remote_endpoint(), client.local_endpoint());
  EXPECT_TRUE(drained(ioc));
}

TEST(basic_socket_acceptor, enable_connection_aborted_option) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  rill::socket_base::enable_connection_aborted option;
  acceptor.get_option(option);
  EXPECT_FALSE(option.value());
  acceptor.set_option(rill::socket_base::enable_connection_aborted(true));
  acceptor.get_option(option);
  EXPECT_TRUE(option.value());
  // Accepting still works with it set.
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  tcp::socket peer = acceptor.accept();
  EXPECT_TRUE(peer.is_open());
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
