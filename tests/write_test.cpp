// rill::write and rill::async_write: short writes resumed where they
// stopped, buffer sequences, dynamic buffers consumed as written, and every
// step's memory from the handler's allocator.
#include <rill/write.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/local/connect_pair.hpp>
#include <rill/local/stream_protocol.hpp>
#include <rill/streambuf.hpp>

#include "support/counting_allocator.hpp"
#include "support/fake_stream.hpp"

namespace {

using rill_test::fake_stream;

struct result {
  int calls = 0;
  rill::error_code ec;
  std::size_t n = 0;
};

auto record(result& r) {
  return [&r](const rill::error_code& ec, std::size_t n) {
    ++r.calls;
    r.ec = ec;
    r.n = n;
  };
}

// "Hello, " + "" + "composed " + "world": three non-empty pieces, one empty.
const std::array<std::string_view, 4> pieces = {"Hello, ", "", "composed ", "world"};
const std::string whole = "Hello, composed world";

std::vector<rill::const_buffer> piece_buffers() {
  std::vector<rill::const_buffer> v;
  for (std::string_view p : pieces) v.push_back(rill::buffer(p));
  return v;
}

TEST(write, a_multi_buffer_sequence_is_written_in_order_in_short_writes) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1, 4);
  EXPECT_EQ(rill::write(s, piece_buffers()), whole.size());
  EXPECT_EQ(s.written(), whole);
  ASSERT_EQ(s.write_calls().size(), (whole.size() + 3) / 4);
  // Each call is offered everything that is left, and takes 4 bytes.
  std::size_t left = whole.size();
  for (const auto& call : s.write_calls()) {
    EXPECT_EQ(call.requested, left);
    EXPECT_EQ(call.accepted, std::min<std::size_t>(4, left));
    left -= call.accepted;
  }
  EXPECT_EQ(s.write_calls().front().buffers, 3u);  // the empty buffer is not passed
  EXPECT_EQ(s.write_calls().back().buffers, 1u);
}

TEST(write, transfer_exactly_limits_each_call) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1);
  rill::error_code ec;
  EXPECT_EQ(rill::write(s, rill::buffer(whole), rill::transfer_exactly(9), ec), 9u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(s.written(), whole.substr(0, 9));
  ASSERT_EQ(s.write_calls().size(), 1u);
  EXPECT_EQ(s.write_calls()[0].requested, 9u);
}

TEST(write, dynamic_buffers_are_consumed_as_written) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1, 5);
  std::string str = whole;
  EXPECT_EQ(rill::write(s, rill::dynamic_buffer(str), rill::transfer_at_least(7)), 10u);
  EXPECT_EQ(str, whole.substr(10));
  rill::streambuf sb;
  std::ostream(&sb) << "streambuf";
  EXPECT_EQ(rill::write(s, sb), 9u);
  EXPECT_EQ(sb.size(), 0u);
  EXPECT_EQ(s.written(), whole.substr(0, 10) + "streambuf");
}

TEST(async_write, a_multi_buffer_sequence_is_written_in_order_in_short_writes) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1, 4);
  result r;
  rill::async_write(s, piece_buffers(), record(r));  // the sequence is copied
  EXPECT_EQ(r.calls, 0);
  EXPECT_EQ(s.write_calls().size(), 1u);  // the first step started inside the call
  EXPECT_EQ(ioc.run(), (whole.size() + 3) / 4);
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, whole.size());
  EXPECT_EQ(s.written(), whole);
  std::size_t left = whole.size();
  for (const auto& call : s.write_calls()) {
    EXPECT_EQ(call.requested, left);
    left -= call.accepted;
  }
  EXPECT_EQ(left, 0u);
}

TEST(async_write, transfer_exactly_writes_exactly) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1, 4);
  result r;
  rill::async_write(s, rill::buffer(whole), rill::transfer_exactly(10), record(r));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(r.n, 10u);
  EXPECT_EQ(s.written(), whole.substr(0, 10));
  EXPECT_EQ(s.write_calls().back().requested, 2u);
}

TEST(async_write, nothing_to_write_still_completes_outside_the_initiating_function) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1);
  result r;
  rill::async_write(s, rill::const_buffer(), record(r));
  EXPECT_EQ(r.calls, 0);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, 0u);
}

TEST(async_write, dynamic_buffer_v2_and_streambuf_are_consumed_as_written) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1, 3);
  std::string str = whole;
  result r;
  rill::async_write(s, rill::dynamic_buffer(str), record(r));
  EXPECT_EQ(str, whole);  // consumed on completion
  EXPECT_EQ(ioc.run(), (whole.size() + 2) / 3);
  EXPECT_EQ(r.n, whole.size());
  EXPECT_TRUE(str.empty());

  rill::streambuf sb;
  std::ostream(&sb) << "0123456789";
  result r2;
  ioc.restart();
  rill::async_write(s, sb, rill::transfer_at_least(4), record(r2));
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(r2.n, 6u);
  EXPECT_EQ(sb.size(), 4u);
  EXPECT_EQ(s.written(), whole + "012345");
}

TEST(async_write, every_step_allocates_from_the_handler_allocator_one_block_at_a_time) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1, 1);
  rill_test::allocation_log log;
  int max_live = 0;
  int starts = 0;
  s.on_async_start = [&] {
    ++starts;
    max_live = std::max(max_live, log.live());
  };
  const std::string data(64, 'w');
  result r;
  int live_in_handler = -1;
  rill::async_write(s, rill::buffer(data),
                    rill::bind_allocator(rill_test::counting_allocator<char>(log),
                                         [&](const rill::error_code& ec, std::size_t n) {
                                           record(r)(ec, n);
                                           live_in_handler = log.live();
                                         }));
  EXPECT_EQ(ioc.run(), 64u);
  EXPECT_EQ(r.n, 64u);
  EXPECT_EQ(starts, 64);
  EXPECT_EQ(log.allocations.load(), 64);
  EXPECT_EQ(max_live, 1);
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(async_write, a_dynamic_buffer_write_nests_but_still_holds_one_block) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "", 1, 2);
  rill_test::allocation_log log;
  int max_live = 0;
  s.on_async_start = [&] { max_live = std::max(max_live, log.live()); };
  std::string str = whole;
  result r;
  rill::async_write(s, rill::dynamic_buffer(str),
                    rill::bind_allocator(rill_test::counting_allocator<char>(log), record(r)));
  ioc.run();
  EXPECT_EQ(r.n, whole.size());
  EXPECT_EQ(log.allocations.load(), static_cast<int>((whole.size() + 1) / 2));
  EXPECT_EQ(max_live, 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(async_write, a_closed_peer_fails_the_write) {
  rill::io_context ioc;
  rill::local::stream_protocol::socket a(ioc);
  rill::local::stream_protocol::socket b(ioc);
  rill::local::connect_pair(a, b);
  b.close();
  const std::string data(1000, 'q');
  result r;
  rill::async_write(a, rill::buffer(data), record(r));
  EXPECT_EQ(r.calls, 0);
  ioc.run();
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.ec, rill::error::broken_pipe);
  EXPECT_EQ(r.n, 0u);
}

}  // namespace
