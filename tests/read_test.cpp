// rill::read and rill::async_read: short reads assembled exactly, completion
// conditions, end of stream, dynamic buffers, and the allocation contract
// (every step through the handler's allocator, one block at a time).
#include <rill/read.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/local/connect_pair.hpp>
#include <rill/local/stream_protocol.hpp>
#include <rill/streambuf.hpp>
#include <rill/system_error.hpp>
#include <rill/write.hpp>

#include "support/counting_allocator.hpp"
#include "support/fake_stream.hpp"
#include "support/handler_memory.hpp"
#include "support/heap_counter.hpp"

namespace {

using rill_test::fake_stream;

const std::string text = "The quick brown fox jumps over the lazy dog";

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

std::string contents(const rill::streambuf& sb) {
  const rill::const_buffer d = sb.data();
  return std::string(static_cast<const char*>(d.data()), d.size());
}

// A composed operation lends its handler's associations. A plain handler
// has no executor of its own, and neither has its operation: intermediate
// completions then take the I/O object's direct path, with no work counting
// or dispatch detour.
struct plain_handler {
  void operator()(const rill::error_code&, std::size_t) const {}
};
using plain_read_op = rill::detail::read_op<fake_stream, rill::mutable_buffer,
                                            rill::detail::transfer_all_t, plain_handler>;
static_assert(!rill::detail::has_own_executor<plain_read_op, fake_stream::executor_type>);
static_assert(std::is_same_v<rill::associated_allocator_t<plain_read_op>, std::allocator<void>>);
using bound_handler = rill::executor_binder<plain_handler, fake_stream::executor_type>;
using bound_read_op = rill::detail::read_op<fake_stream, rill::mutable_buffer,
                                            rill::detail::transfer_all_t, bound_handler>;
static_assert(rill::detail::has_own_executor<bound_read_op, fake_stream::executor_type>);
using allocating_read_op = rill::detail::read_op<
    fake_stream, rill::mutable_buffer, rill::detail::transfer_all_t,
    rill::allocator_binder<plain_handler, rill_test::counting_allocator<char>>>;
static_assert(std::is_same_v<rill::associated_allocator_t<allocating_read_op>,
                             rill_test::counting_allocator<char>>);

// ---------------------------------------------------------------------------
// Synchronous

TEST(read, one_byte_chunks_are_assembled_exactly) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 1);
  std::string out(text.size(), '\0');
  EXPECT_EQ(rill::read(s, rill::buffer(out)), text.size());
  EXPECT_EQ(out, text);
  EXPECT_EQ(s.read_calls(), static_cast<int>(text.size()));
}

TEST(read, end_of_stream_reports_eof_and_the_bytes_read) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "hello", 2);
  std::array<char, 10> out{};
  rill::error_code ec;
  EXPECT_EQ(rill::read(s, rill::buffer(out), ec), 5u);
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_EQ(std::string(out.data(), 5), "hello");

  fake_stream t(ioc.get_executor(), "hello", 2);
  try {
    (void)rill::read(t, rill::buffer(out));
    ADD_FAILURE() << "read did not throw";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::eof);
  }
}

TEST(read, transfer_exactly_asks_only_for_what_is_missing) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 3);
  std::array<char, 20> out{};
  EXPECT_EQ(rill::read(s, rill::buffer(out), rill::transfer_exactly(5)), 5u);
  EXPECT_EQ(std::string(out.data(), 5), "The q");
  EXPECT_EQ(s.read_calls(), 2);
  EXPECT_EQ(s.last_read_request(), 2u);
}

TEST(read, transfer_at_least_stops_after_the_step_that_reaches_the_minimum) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 3);
  std::array<char, 20> out{};
  rill::error_code ec;
  EXPECT_EQ(rill::read(s, rill::buffer(out), rill::transfer_at_least(4), ec), 6u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(s.read_calls(), 2);
}

TEST(read, dynamic_buffer_v2_until_eof_and_streambuf_exactly) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 7);
  std::string str;
  rill::error_code ec;
  EXPECT_EQ(rill::read(s, rill::dynamic_buffer(str), ec), text.size());
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_EQ(str, text);

  fake_stream t(ioc.get_executor(), text, 7);
  rill::streambuf sb;
  EXPECT_EQ(rill::read(t, sb, rill::transfer_exactly(9)), 9u);
  EXPECT_EQ(contents(sb), text.substr(0, 9));
}

TEST(read, a_full_dynamic_buffer_ends_the_read_without_error) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 4);
  std::string str;
  rill::error_code ec;
  EXPECT_EQ(rill::read(s, rill::dynamic_buffer(str, 10), ec), 10u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(str, text.substr(0, 10));
}

// ---------------------------------------------------------------------------
// Asynchronous, through the fake stream

TEST(async_read, one_byte_chunks_are_assembled_exactly) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 1);
  std::string out(text.size(), '\0');
  result r;
  rill::async_read(s, rill::buffer(out), record(r));
  EXPECT_EQ(r.calls, 0);  // never inside the initiating function
  EXPECT_EQ(ioc.run(), text.size());
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, text.size());
  EXPECT_EQ(out, text);
  EXPECT_EQ(s.read_calls(), static_cast<int>(text.size()));
}

TEST(async_read, a_buffer_sequence_is_filled_in_order_skipping_empty_buffers) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "abcdefghij", 2);
  std::array<char, 3> a{};
  std::array<char, 4> c{};
  std::array<char, 3> d{};
  const std::array<rill::mutable_buffer, 4> buffers = {rill::buffer(a), rill::mutable_buffer(),
                                                       rill::buffer(c), rill::buffer(d)};
  result r;
  rill::async_read(s, buffers, record(r));
  EXPECT_EQ(ioc.run(), 5u);
  EXPECT_EQ(r.n, 10u);
  EXPECT_EQ(std::string(a.data(), 3) + std::string(c.data(), 4) + std::string(d.data(), 3),
            "abcdefghij");
}

TEST(async_read, eof_mid_read_reports_the_bytes_so_far) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "hello", 2);
  std::array<char, 10> out{};
  result r;
  rill::async_read(s, rill::buffer(out), record(r));
  EXPECT_EQ(ioc.run(), 4u);  // 2 + 2 + 1 bytes, then eof
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.ec, rill::error::eof);
  EXPECT_EQ(r.n, 5u);
  EXPECT_EQ(std::string(out.data(), 5), "hello");
}

TEST(async_read, transfer_exactly_and_at_least) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 4);
  std::array<char, 30> out{};
  result exactly;
  rill::async_read(s, rill::buffer(out), rill::transfer_exactly(10), record(exactly));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(exactly.n, 10u);
  EXPECT_FALSE(exactly.ec);
  EXPECT_EQ(s.last_read_request(), 2u);
  EXPECT_EQ(std::string(out.data(), 10), text.substr(0, 10));

  result at_least;
  ioc.restart();
  rill::async_read(s, rill::buffer(out), rill::transfer_at_least(5), record(at_least));
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(at_least.n, 8u);
  EXPECT_EQ(std::string(out.data(), 8), text.substr(10, 8));
}

TEST(async_read, a_bool_condition_is_obeyed) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 3);
  std::array<char, 30> out{};
  result r;
  rill::async_read(
      s, rill::buffer(out), [](const rill::error_code& ec, std::size_t n) { return ec || n >= 7; },
      record(r));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(r.n, 9u);
}

TEST(async_read, nothing_to_read_still_completes_outside_the_initiating_function) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 3);
  result r;
  rill::async_read(s, rill::mutable_buffer(), record(r));
  EXPECT_EQ(r.calls, 0);
  std::array<char, 4> out{};
  rill::async_read(s, rill::buffer(out), rill::transfer_at_least(0), record(r));
  EXPECT_EQ(r.calls, 0);
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(r.calls, 2);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, 0u);
  EXPECT_EQ(s.read_calls(), 2);  // one zero-size read each
  EXPECT_EQ(s.remaining(), text.size());
}

TEST(async_read, dynamic_buffer_v2_grows_by_what_was_read) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 3);
  std::string str = ">";
  result r;
  rill::async_read(s, rill::dynamic_buffer(str), rill::transfer_exactly(7), record(r));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(r.n, 7u);
  EXPECT_EQ(str, std::string(">").append(text, 0, 7));  // (">" + ... trips GCC 12 -Wrestrict)
  EXPECT_EQ(s.last_read_request(), 1u);

  std::vector<unsigned char> vec;
  result rest;
  ioc.restart();
  rill::async_read(s, rill::dynamic_buffer(vec), record(rest));
  ioc.run();
  EXPECT_EQ(rest.ec, rill::error::eof);
  EXPECT_EQ(rest.n, text.size() - 7);
  EXPECT_EQ(std::string(vec.begin(), vec.end()), text.substr(7));
}

TEST(async_read, dynamic_buffer_at_max_size_completes_without_error) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 4);
  std::string str;
  result r;
  rill::async_read(s, rill::dynamic_buffer(str, 6), record(r));
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, 6u);
  EXPECT_EQ(str, text.substr(0, 6));
}

TEST(async_read, streambuf_is_filled_through_its_input_sequence) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 5);
  rill::streambuf sb;
  result r;
  rill::async_read(s, sb, record(r));
  ioc.run();
  EXPECT_EQ(r.ec, rill::error::eof);
  EXPECT_EQ(r.n, text.size());
  EXPECT_EQ(contents(sb), text);

  fake_stream t(ioc.get_executor(), text, 5);
  rill::streambuf sb2;
  result r2;
  ioc.restart();
  rill::async_read(t, sb2, rill::transfer_exactly(12), record(r2));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_FALSE(r2.ec);
  EXPECT_EQ(contents(sb2), text.substr(0, 12));
}

// ---------------------------------------------------------------------------
// The allocation contract and executors

TEST(async_read, every_step_allocates_from_the_handler_allocator_one_block_at_a_time) {
  rill::io_context ioc;
  const std::string input(200, 'x');
  fake_stream s(ioc.get_executor(), input, 1);
  rill_test::allocation_log log;
  int starts = 0;
  int max_live = 0;
  s.on_async_start = [&] {
    ++starts;
    max_live = std::max(max_live, log.live());
  };
  std::string out(input.size(), '\0');
  result r;
  int live_in_handler = -1;
  rill_test::heap_scope heap;
  rill::async_read(s, rill::buffer(out),
                   rill::bind_allocator(rill_test::counting_allocator<char>(log),
                                        [&](const rill::error_code& ec, std::size_t n) {
                                          record(r)(ec, n);
                                          live_in_handler = log.live();
                                        }));
  EXPECT_EQ(log.live(), 1);  // the first step is pending
  EXPECT_EQ(ioc.run(), input.size());
  EXPECT_EQ(r.n, input.size());
  EXPECT_EQ(out, input);
  EXPECT_EQ(starts, 200);
  EXPECT_EQ(log.allocations.load(), 200);  // one per step, all through the handler's allocator
  EXPECT_EQ(max_live, 1);
  EXPECT_EQ(live_in_handler, 0);  // the last step's memory was freed before the upcall
  EXPECT_EQ(log.live(), 0);
  // Nothing else touched the heap: every allocation was the handler's.
  EXPECT_EQ(heap.count(), static_cast<std::uint64_t>(log.allocations.load()));
}

TEST(async_read, dynamic_buffer_steps_use_the_handler_allocator_too) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), text, 2);
  rill_test::allocation_log log;
  int max_live = 0;
  s.on_async_start = [&] { max_live = std::max(max_live, log.live()); };
  rill::streambuf sb;
  result r;
  rill::async_read(s, sb,
                   rill::bind_allocator(rill_test::counting_allocator<char>(log), record(r)));
  ioc.run();
  EXPECT_EQ(r.ec, rill::error::eof);
  EXPECT_EQ(log.allocations.load(), static_cast<int>((text.size() + 1) / 2 + 1));  // + the eof read
  EXPECT_EQ(max_live, 1);
  EXPECT_EQ(log.live(), 0);
}

TEST(async_read, steps_and_handler_run_on_the_handler_executor) {
  rill::io_context io;
  rill::io_context user;
  fake_stream s(io.get_executor(), "abcdef", 2);
  std::string out(6, '\0');
  int steps_on_user = 0;
  int steps_elsewhere = 0;
  auto condition = [&](const rill::error_code& ec, std::size_t n) -> std::size_t {
    if (n > 0) (user.get_executor().running_in_this_thread() ? steps_on_user : steps_elsewhere)++;
    return ec ? 0 : 65536;
  };
  result r;
  bool handler_on_user = false;
  rill::async_read(
      s, rill::buffer(out), condition,
      rill::bind_executor(user.get_executor(), [&](const rill::error_code& ec, std::size_t n) {
        handler_on_user = user.get_executor().running_in_this_thread();
        record(r)(ec, n);
      }));
  for (int i = 0; i < 20 && r.calls == 0; ++i) {
    io.restart();
    io.poll();
    user.restart();
    user.poll();
  }
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(out, "abcdef");
  EXPECT_TRUE(handler_on_user);
  EXPECT_EQ(steps_on_user, 2);  // after the first and second chunk; the third fills the buffer
  EXPECT_EQ(steps_elsewhere, 0);
}

// ---------------------------------------------------------------------------
// Over sockets

using unix_socket = rill::local::stream_protocol::socket;

struct block_handler {
  using allocator_type = rill_test::handler_allocator<char>;
  allocator_type get_allocator() const noexcept { return allocator_type(*memory); }
  rill_test::handler_memory<>* memory;
  result* r;
  void operator()(const rill::error_code& ec, std::size_t n) const { record (*r)(ec, n); }
};

TEST(async_read, a_large_transfer_is_exact_and_each_direction_reuses_one_block) {
  rill::io_context ioc;
  unix_socket a(ioc);
  unix_socket b(ioc);
  rill::local::connect_pair(a, b);
  const std::size_t size = (std::size_t{64} << 20) + 4099;
  std::vector<unsigned char> out(size);
  std::uint32_t state = 2463534242u;
  for (auto& byte : out) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<unsigned char>(state >> 24);
  }
  std::vector<unsigned char> in(size, 0);
  rill_test::handler_memory<> write_memory;
  rill_test::handler_memory<> read_memory;
  result w;
  result r;
  // handler_memory throws if its block is asked for while in use: each
  // direction must run its thousand-plus steps in one block.
  rill::async_write(a, rill::buffer(out), block_handler{&write_memory, &w});
  rill::async_read(b, rill::buffer(in), block_handler{&read_memory, &r});
  ioc.run_for(std::chrono::seconds(30));
  ASSERT_EQ(w.calls, 1);
  ASSERT_EQ(r.calls, 1);
  EXPECT_FALSE(w.ec);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(w.n, size);
  EXPECT_EQ(r.n, size);
  EXPECT_TRUE(in == out);
  EXPECT_GE(read_memory.allocations(), static_cast<int>(size / 65536));
  EXPECT_GE(write_memory.allocations(), static_cast<int>(size / 65536));
  EXPECT_FALSE(read_memory.in_use());
  EXPECT_FALSE(write_memory.in_use());
}

TEST(async_read, a_thousand_steps_over_a_socket_pair_allocate_nothing_once_warm) {
  rill::io_context ioc;
  unix_socket a(ioc);
  unix_socket b(ioc);
  rill::local::connect_pair(a, b);
  std::array<char, 1000> out{};
  out.fill('z');
  std::array<char, 1000> in{};
  int condition_calls = 0;
  auto one_byte_per_step = [&condition_calls](const rill::error_code& ec,
                                              std::size_t /*n*/) -> std::size_t {
    ++condition_calls;
    return ec ? 0 : 1;
  };
  result r;
  auto round = [&] {
    condition_calls = 0;
    r = result();
    in.fill('\0');
    rill::write(a, rill::buffer(out));
    rill::async_read(b, rill::buffer(in), one_byte_per_step, record(r));
    ioc.restart();
    return ioc.run();
  };
  round();  // warms the recycling cache and the reactor's descriptor state
  rill_test::heap_scope heap;
  const std::size_t handlers = round();
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(handlers, 1000u);
  EXPECT_EQ(condition_calls, 1000);
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, 1000u);
  EXPECT_TRUE(in == out);
}

TEST(async_read, a_throwing_allocator_makes_the_initiating_function_throw_and_leaks_nothing) {
  rill::io_context ioc;
  unix_socket a(ioc);
  unix_socket b(ioc);
  rill::local::connect_pair(a, b);
  std::array<char, 4> in{};
  rill_test::allocation_log log;
  result r;
  EXPECT_THROW(
      rill::async_read(b, rill::buffer(in),
                       rill::bind_allocator(
                           rill_test::counting_allocator<char>(log, /*throws=*/true), record(r))),
      std::bad_alloc);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_EQ(r.calls, 0);
  // The socket is still usable.
  rill::write(a, rill::buffer(std::string_view("data")));
  ioc.restart();
  rill::async_read(b, rill::buffer(in), record(r));
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.n, 4u);
}

TEST(async_read, peer_shutdown_mid_read_reports_eof_with_the_bytes_so_far) {
  rill::io_context ioc;
  unix_socket a(ioc);
  unix_socket b(ioc);
  rill::local::connect_pair(a, b);
  std::array<char, 10> in{};
  result r;
  rill::async_read(b, rill::buffer(in), record(r));
  rill::write(a, rill::buffer(std::string_view("abc")));
  ioc.poll();
  EXPECT_EQ(r.calls, 0);
  a.shutdown(rill::socket_base::shutdown_send);
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.ec, rill::error::eof);
  EXPECT_EQ(r.n, 3u);
  EXPECT_EQ(std::string(in.data(), 3), "abc");
}

TEST(async_read, cancel_mid_read_reports_operation_aborted_with_the_bytes_so_far) {
  rill::io_context ioc;
  unix_socket a(ioc);
  unix_socket b(ioc);
  rill::local::connect_pair(a, b);
  std::array<char, 10> in{};
  result r;
  rill::async_read(b, rill::buffer(in), record(r));
  rill::write(a, rill::buffer(std::string_view("abcd")));
  ioc.poll();
  EXPECT_EQ(r.calls, 0);
  b.cancel();
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.ec, rill::error::operation_aborted);
  EXPECT_EQ(r.n, 4u);
}

}  // namespace
