// bind_cancellation_slot and per-operation cancellation: a timer wait, a
// socket read, an accept, a connect and the composed async_read /
// async_write / async_read_until cancelled through the handler's slot
// complete with operation_aborted, and only the operation cancelled; other
// operations and the I/O object are unaffected; emitting after completion
// (even after close) does nothing; the allocation contract holds with a
// cancellation slot (operation memory from the handler's allocator, freed
// before the upcall, none of it for the cancellation handler; no heap
// allocation in steady state).
#include <rill/bind_cancellation_slot.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/buffer.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/connect.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/read.hpp>
#include <rill/read_until.hpp>
#include <rill/steady_timer.hpp>
#include <rill/streambuf.hpp>
#include <rill/write.hpp>

#include "support/counting_allocator.hpp"
#include "support/fake_stream.hpp"
#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"
#include "support/probe.hpp"

namespace {

using namespace std::chrono_literals;
using rill::cancellation_type;
using rill::ip::tcp;
using rill_test::drained;
using rill_test::freed_before_invoke;
using rill_test::loopback;
using rill_test::make_tcp_pair;
using rill_test::pending;
using rill_test::probe;
using rill_test::run_until;

const std::error_code aborted = rill::error::operation_aborted;

// ---- timers ----

TEST(bind_cancellation_slot, timer_wait_cancelled_through_its_slot) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 1h);
  rill::cancellation_signal sig;
  probe p;
  probe other;
  t.async_wait(other.handler());
  t.async_wait(rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_TRUE(sig.slot().has_handler());
  EXPECT_TRUE(pending(p));
  EXPECT_EQ(ioc.poll(), 0u);

  sig.emit(cancellation_type::terminal);
  EXPECT_TRUE(pending(p));  // delivered through the queue, never inside emit
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, aborted);
  // Only that wait: the other one is still pending on the same timer.
  EXPECT_TRUE(pending(other));

  // Emitting again, after the wait completed, does nothing.
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(pending(other));

  EXPECT_EQ(t.cancel(), 1u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(other.ec, aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, each_cancellation_type_cancels_a_wait_none_does_not) {
  for (auto type : {cancellation_type::terminal, cancellation_type::partial,
                    cancellation_type::total, cancellation_type::all}) {
    rill::io_context ioc;
    rill::steady_timer t(ioc, 1h);
    rill::cancellation_signal sig;
    probe p;
    t.async_wait(rill::bind_cancellation_slot(sig.slot(), p.handler()));
    sig.emit(cancellation_type::none);
    EXPECT_EQ(ioc.poll(), 0u);
    sig.emit(type);
    EXPECT_EQ(ioc.poll(), 1u);
    EXPECT_EQ(p.ec, aborted);
    EXPECT_TRUE(drained(ioc));
  }
}

TEST(bind_cancellation_slot, emit_after_a_wait_expired_is_a_no_op) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, std::chrono::steady_clock::now() - 1s);
  rill::cancellation_signal sig;
  probe p;
  t.async_wait(rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_FALSE(p.ec);
  sig.emit(cancellation_type::all);
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_EQ(p.runs, 1);

  // The slot still holds the finished wait's handler: installing the next
  // one replaces it, and that wait completes normally.
  probe q;
  t.async_wait(rill::bind_cancellation_slot(sig.slot(), q.handler()));
  ioc.restart();
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_EQ(q.runs, 1);
  EXPECT_FALSE(q.ec);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, one_slot_reused_by_a_chain_of_waits_allocates_nothing) {
  rill::io_context ioc;
  rill::steady_timer t(ioc, 1h);
  rill::cancellation_signal sig;
  int completions = 0;
  auto wait_and_cancel = [&] {
    t.async_wait(rill::bind_cancellation_slot(sig.slot(), [&](std::error_code ec) {
      EXPECT_EQ(ec, aborted);
      ++completions;
    }));
    sig.emit(cancellation_type::terminal);
    ioc.restart();
    EXPECT_EQ(ioc.poll(), 1u);
  };
  for (int i = 0; i < 4; ++i) wait_and_cancel();  // warm the caches
  rill_test::heap_scope heap;
  for (int i = 0; i < 100; ++i) wait_and_cancel();
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(completions, 104);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, context_destroyed_with_a_cancellable_wait_frees_without_invoking) {
  rill_test::allocation_log log;
  int runs = 0;
  rill::cancellation_signal sig;
  {
    rill::io_context ioc;
    rill::steady_timer t(ioc, 1h);
    t.async_wait(rill::bind_cancellation_slot(
        sig.slot(), rill::bind_allocator(rill_test::counting_allocator<char>(log),
                                         [&](std::error_code) { ++runs; })));
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
  sig.slot().clear();
}

// ---- sockets ----

TEST(bind_cancellation_slot, socket_read_cancelled_the_socket_stays_usable) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::cancellation_signal sig;
  char buf[16] = {};
  probe p;
  s.server.async_read_some(rill::buffer(buf),
                           rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(pending(p));
  sig.emit(cancellation_type::partial);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, aborted);
  EXPECT_EQ(p.bytes, 0u);

  // The next read on the same socket and the same slot works.
  probe q;
  s.server.async_read_some(rill::buffer(buf),
                           rill::bind_cancellation_slot(sig.slot(), q.handler()));
  EXPECT_EQ(s.client.write_some(rill::buffer("hi", 2)), 2u);
  ASSERT_TRUE(run_until(ioc, [&] { return q.done(); }));
  EXPECT_TRUE(freed_before_invoke(q));
  EXPECT_FALSE(q.ec);
  EXPECT_EQ(std::string_view(buf, q.bytes), "hi");

  // After completion, and after the socket is closed and destroyed, an
  // emit finds nothing.
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 0u);
  s.server.close();
  sig.emit(cancellation_type::terminal);
  { tcp::socket gone = std::move(s.client); }
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, cancelling_a_read_leaves_the_queued_write_and_other_reads) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::cancellation_signal first_sig;
  rill::cancellation_signal second_sig;
  char a[8] = {};
  char b[8] = {};
  probe first;
  probe second;
  s.server.async_read_some(rill::buffer(a),
                           rill::bind_cancellation_slot(first_sig.slot(), first.handler()));
  s.server.async_read_some(rill::buffer(b),
                           rill::bind_cancellation_slot(second_sig.slot(), second.handler()));
  // A write queued on the same descriptor because the send path is full.
  const std::size_t filled = rill_test::fill_send_buffer(s.server);
  probe writer;
  s.server.async_write_some(rill::buffer("x", 1), writer.handler());
  EXPECT_EQ(ioc.poll(), 0u);

  // Cancel the first read: the second read moves up, the write stays.
  first_sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(first.ec, aborted);
  EXPECT_TRUE(pending(second));
  EXPECT_TRUE(pending(writer));

  EXPECT_EQ(s.client.write_some(rill::buffer("data", 4)), 4u);
  ASSERT_TRUE(run_until(ioc, [&] { return second.done(); }));
  EXPECT_FALSE(second.ec);
  EXPECT_EQ(std::string_view(b, second.bytes), "data");
  EXPECT_TRUE(pending(writer));

  rill_test::drain_bytes(s.client, filled);
  ASSERT_TRUE(run_until(ioc, [&] { return writer.done(); }));
  EXPECT_FALSE(writer.ec);
  EXPECT_EQ(writer.bytes, 1u);
  rill_test::drain_bytes(s.client, 1);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, accept_cancelled_the_acceptor_stays_usable) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  rill::cancellation_signal sig;
  tcp::socket peer(ioc);
  probe p;
  acceptor.async_accept(peer, rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_EQ(ioc.poll(), 0u);
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, aborted);
  EXPECT_FALSE(peer.is_open());

  // The move-accept form, then a real connection on the same slot.
  int runs = 0;
  std::error_code ec;
  acceptor.async_accept(
      rill::bind_cancellation_slot(sig.slot(), [&](std::error_code e, tcp::socket) {
        ++runs;
        ec = e;
      }));
  sig.emit(cancellation_type::total);
  ioc.restart();
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(ec, aborted);

  probe q;
  acceptor.async_accept(peer, rill::bind_cancellation_slot(sig.slot(), q.handler()));
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  ASSERT_TRUE(run_until(ioc, [&] { return q.done(); }));
  EXPECT_TRUE(freed_before_invoke(q));
  EXPECT_FALSE(q.ec);
  EXPECT_TRUE(peer.is_open());
  sig.emit(cancellation_type::terminal);  // after completion: nothing
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, socket_wait_cancelled) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::cancellation_signal sig;
  probe p;
  s.server.async_wait(tcp::socket::wait_read,
                      rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_EQ(ioc.poll(), 0u);
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, aborted);
  EXPECT_TRUE(drained(ioc));
}

// ---- composed operations ----

TEST(bind_cancellation_slot, composed_async_read_cancelled_mid_way) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::cancellation_signal sig;
  char buf[10] = {};
  probe p;
  rill::async_read(s.server, rill::buffer(buf),
                   rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_EQ(s.client.write_some(rill::buffer("abcd", 4)), 4u);
  // The first 4 bytes arrive, the read continues for the other 6.
  ASSERT_TRUE(run_until(ioc, [&] { return p.log.allocations.load() == 2; }));
  EXPECT_EQ(p.log.live(), 1);
  EXPECT_EQ(ioc.poll(), 0u);
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(p.runs, 1);
  EXPECT_EQ(p.ec, aborted);
  EXPECT_EQ(p.bytes, 4u);
  EXPECT_EQ(std::string_view(buf, 4), "abcd");
  EXPECT_EQ(p.live_inside, 0);
  EXPECT_EQ(p.log.live(), 0);
  sig.emit(cancellation_type::terminal);  // after completion: nothing
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, composed_read_stops_when_cancelled_between_steps) {
  // A stream whose steps complete at once (posted): the request arrives
  // while a step's completion is queued, when there is nothing left to
  // cancel; the operation still stops before its next step.
  rill::io_context ioc;
  rill_test::fake_stream stream(ioc.get_executor(), "abcdefgh", 2);
  rill::cancellation_signal sig;
  char buf[8] = {};
  probe p;
  rill::async_read(stream, rill::buffer(buf),
                   rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_EQ(stream.read_calls(), 1);
  sig.emit(cancellation_type::partial);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(stream.read_calls(), 1);  // no second step
  EXPECT_EQ(p.runs, 1);
  EXPECT_EQ(p.ec, aborted);
  EXPECT_EQ(p.bytes, 2u);
  EXPECT_EQ(p.live_inside, 0);

  // Total cancellation is not partial: async_read does not honour it.
  probe q;
  rill::async_read(stream, rill::buffer(buf, 6),
                   rill::bind_cancellation_slot(sig.slot(), q.handler()));
  sig.emit(cancellation_type::total);
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(q.runs, 1);
  EXPECT_FALSE(q.ec);
  EXPECT_EQ(q.bytes, 6u);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, composed_async_write_cancelled) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  const std::size_t filled = rill_test::fill_send_buffer(s.server);
  rill::cancellation_signal sig;
  std::string data(1000, 'w');
  probe p;
  rill::async_write(s.server, rill::buffer(data),
                    rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_EQ(ioc.poll(), 0u);
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, aborted);
  EXPECT_EQ(p.bytes, 0u);
  rill_test::drain_bytes(s.client, filled);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, composed_async_read_until_cancelled) {
  rill::io_context ioc;
  auto s = make_tcp_pair(ioc);
  rill::cancellation_signal sig;
  rill::streambuf sb;
  probe p;
  rill::async_read_until(s.server, sb, '\n', rill::bind_cancellation_slot(sig.slot(), p.handler()));
  EXPECT_EQ(s.client.write_some(rill::buffer("no newline", 10)), 10u);
  ASSERT_TRUE(run_until(ioc, [&] { return p.log.allocations.load() == 2; }));
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(p.runs, 1);
  EXPECT_EQ(p.ec, aborted);
  EXPECT_EQ(p.bytes, 0u);
  EXPECT_EQ(sb.size(), 10u);
  EXPECT_EQ(p.live_inside, 0);
  EXPECT_TRUE(drained(ioc));
}

TEST(bind_cancellation_slot, composed_async_connect_cancelled_tries_no_further_endpoint) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, loopback());
  // A listener that is never accepted from, with its backlog full, does not
  // complete connects at once on every kernel; cancel the first attempt
  // before the loop runs instead: the operation must not try the second.
  const std::vector<tcp::endpoint> endpoints{acceptor.local_endpoint(), acceptor.local_endpoint()};
  tcp::socket socket(ioc);
  rill::cancellation_signal sig;
  int runs = 0;
  std::error_code ec;
  tcp::endpoint connected;
  rill::async_connect(
      socket, endpoints,
      rill::bind_cancellation_slot(sig.slot(), [&](std::error_code e, tcp::endpoint ep) {
        ++runs;
        ec = e;
        connected = ep;
      }));
  sig.emit(cancellation_type::terminal);
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 1; }));
  // Either the attempt was cancelled, or it had already connected (loopback
  // may complete at once) and the request came too late to matter.
  if (ec) {
    EXPECT_EQ(ec, aborted);
    EXPECT_EQ(connected, tcp::endpoint());
  } else {
    EXPECT_EQ(connected, acceptor.local_endpoint());
  }
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_EQ(runs, 1);
}

// ---- as a token adapter ----

TEST(bind_cancellation_slot, adapts_a_bound_handler_and_keeps_its_associations) {
  rill::io_context ioc;
  rill::io_context other;
  rill::steady_timer t(ioc, 1h);
  rill::cancellation_signal sig;
  rill_test::allocation_log log;
  int runs = 0;
  std::error_code ec;
  // Slot over allocator over executor: every association reaches the op.
  t.async_wait(rill::bind_cancellation_slot(
      sig.slot(), rill::bind_allocator(rill_test::counting_allocator<char>(log),
                                       rill::bind_executor(other, [&](std::error_code e) {
                                         ++runs;
                                         ec = e;
                                       }))));
  EXPECT_EQ(log.live(), 1);
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(ioc.poll(), 1u);  // dispatched to the handler's own executor
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(other.poll(), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(ec, aborted);
  EXPECT_EQ(log.live(), 0);
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
