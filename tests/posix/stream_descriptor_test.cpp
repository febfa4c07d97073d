// posix::stream_descriptor over pipes and a socketpair: assign/release/close,
// synchronous and asynchronous reads and writes, end of file, cancellation,
// the composed read/write operations, and the allocation contract.
#include <rill/posix/stream_descriptor.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <rill/any_io_executor.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/buffer.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/detail/config.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/posix/basic_stream_descriptor.hpp>
#include <rill/posix/descriptor.hpp>
#include <rill/posix/descriptor_base.hpp>
#include <rill/read.hpp>
#include <rill/write.hpp>

#include "support/handler_memory.hpp"
#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"
#include "support/probe.hpp"

#if !defined(RILL_HAS_POSIX_STREAM_DESCRIPTOR)
#error "RILL_HAS_POSIX_STREAM_DESCRIPTOR must be defined on Linux"
#endif

namespace {

using namespace std::chrono_literals;
using rill::posix::stream_descriptor;
using rill_test::drained;
using rill_test::freed_before_invoke;
using rill_test::pending;
using rill_test::probe;
using rill_test::run_until;

std::string_view text(const char* data, std::size_t n) { return {data, n}; }

// A pipe whose ends the test owns until it gives them to descriptors.
struct raw_pipe {
  int read_end = -1;
  int write_end = -1;
  raw_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category());
    read_end = fds[0];
    write_end = fds[1];
  }
};

// Both ends of a pipe as descriptors of ioc.
struct pipe_pair {
  stream_descriptor reader;
  stream_descriptor writer;
};

pipe_pair make_pipe(rill::io_context& ioc) {
  raw_pipe p;
  return pipe_pair{stream_descriptor(ioc, p.read_end), stream_descriptor(ioc, p.write_end)};
}

bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }
bool fd_is_non_blocking(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

// Fills a pipe through a (possibly blocking) raw descriptor so that the next
// write must wait. Returns the bytes written.
std::size_t fill_pipe(stream_descriptor& writer) {
  const bool was = writer.non_blocking();
  writer.non_blocking(true);
  std::vector<char> chunk(64 * 1024, 'f');
  std::size_t total = 0;
  for (;;) {
    std::error_code ec;
    const std::size_t n = writer.write_some(rill::buffer(chunk), ec);
    if (ec == rill::error::would_block) break;
    if (ec) throw std::system_error(ec);
    total += n;
  }
  writer.non_blocking(was);
  return total;
}

void drain(stream_descriptor& reader, std::size_t n) {
  std::vector<char> chunk(64 * 1024);
  while (n > 0) n -= reader.read_some(rill::buffer(chunk.data(), std::min(n, chunk.size())));
}

// ---- object lifetime ----

TEST(stream_descriptor, constructors_assign_and_native_handle) {
  rill::io_context ioc;
  raw_pipe p;
  stream_descriptor a(ioc);
  EXPECT_FALSE(a.is_open());
  EXPECT_EQ(a.native_handle(), -1);
  a.assign(p.read_end);
  EXPECT_TRUE(a.is_open());
  EXPECT_EQ(a.native_handle(), p.read_end);
  EXPECT_TRUE(a.get_executor() == rill::any_io_executor(ioc.get_executor()));
  EXPECT_EQ(&a.lowest_layer(), &a);

  // Assigning over an open descriptor fails and keeps the old one.
  std::error_code ec;
  a.assign(p.write_end, ec);
  EXPECT_EQ(ec, rill::error::already_open);
  EXPECT_EQ(a.native_handle(), p.read_end);

  stream_descriptor b(ioc.get_executor(), p.write_end);
  EXPECT_EQ(b.native_handle(), p.write_end);
  rill::posix::basic_stream_descriptor<rill::io_context::executor_type> c(ioc.get_executor());
  EXPECT_FALSE(c.is_open());
  // As in Asio, posix::descriptor names the base, which is not destructible
  // on its own.
  static_assert(std::is_same_v<rill::posix::descriptor, rill::posix::basic_descriptor<>>);
  static_assert(!std::is_destructible_v<rill::posix::descriptor>);

  // The kernel refuses a descriptor that is not open.
  const int closed = ::dup(p.read_end);
  ::close(closed);
  EXPECT_EQ(rill_test::thrown_code([&] { stream_descriptor s(ioc, closed); }),
            rill::error::bad_descriptor);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, assign_leaves_the_flags_alone_until_an_asynchronous_operation) {
  rill::io_context ioc;
  raw_pipe p;
  stream_descriptor reader(ioc, p.read_end);
  stream_descriptor writer(ioc, p.write_end);
  EXPECT_FALSE(fd_is_non_blocking(p.read_end));
  EXPECT_FALSE(reader.native_non_blocking());
  EXPECT_FALSE(reader.non_blocking());

  // A blocking descriptor: the read blocks in the kernel, here satisfied.
  EXPECT_EQ(writer.write_some(rill::buffer("abc", 3)), 3u);
  char buf[8];
  EXPECT_EQ(reader.read_some(rill::buffer(buf)), 3u);
  EXPECT_FALSE(fd_is_non_blocking(p.read_end));

  probe r;
  reader.async_read_some(rill::buffer(buf), r.handler());
  EXPECT_TRUE(fd_is_non_blocking(p.read_end));
  EXPECT_TRUE(reader.native_non_blocking());
  reader.cancel();
  ASSERT_TRUE(run_until(ioc, [&] { return r.done(); }));
  EXPECT_EQ(r.ec, rill::error::operation_aborted);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, close_release_and_destruction) {
  rill::io_context ioc;
  raw_pipe p;
  {
    stream_descriptor reader(ioc, p.read_end);
    reader.close();
    EXPECT_FALSE(reader.is_open());
    EXPECT_FALSE(fd_is_open(p.read_end));
    reader.close();  // closing a closed descriptor is fine
  }
  {
    stream_descriptor writer(ioc, p.write_end);
    EXPECT_EQ(writer.release(), p.write_end);
    EXPECT_FALSE(writer.is_open());
    EXPECT_EQ(writer.release(), -1);
  }
  EXPECT_TRUE(fd_is_open(p.write_end));  // released, so not closed
  { stream_descriptor writer(ioc, p.write_end); }
  EXPECT_FALSE(fd_is_open(p.write_end));  // destruction closes
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, operations_on_a_closed_descriptor_report_bad_descriptor) {
  rill::io_context ioc;
  stream_descriptor d(ioc);
  char buf[4];
  std::error_code ec;
  d.read_some(rill::buffer(buf), ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  d.write_some(rill::buffer(buf), ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  d.cancel(ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  d.wait(stream_descriptor::wait_read, ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  d.non_blocking(true, ec);
  EXPECT_EQ(ec, rill::error::bad_descriptor);
  probe r;
  d.async_read_some(rill::buffer(buf), r.handler());
  probe w;
  d.async_write_some(rill::buffer(buf), w.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return r.done() && w.done(); }));
  EXPECT_EQ(r.ec, rill::error::bad_descriptor);
  EXPECT_EQ(w.ec, rill::error::bad_descriptor);
  EXPECT_TRUE(freed_before_invoke(r));
  EXPECT_TRUE(drained(ioc));
}

// As in Asio, a descriptor epoll cannot watch (a regular file, /dev/null)
// is accepted: its reads and writes never block, so they run at once, and
// anything that would have to wait fails with operation_not_supported. This
// is what lets a program read stdin redirected from a file.
TEST(stream_descriptor, regular_files_and_dev_null_are_accepted) {
  rill::io_context ioc;
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  stream_descriptor f(ioc, ::dup(::fileno(file)));
  std::fclose(file);
  EXPECT_EQ(f.write_some(rill::buffer("file", 4)), 4u);
  probe w;
  f.async_write_some(rill::buffer("data", 4), w.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return w.done(); }));
  EXPECT_TRUE(freed_before_invoke(w));
  EXPECT_EQ(w.bytes, 4u);
  ASSERT_EQ(::lseek(f.native_handle(), 0, SEEK_SET), 0);
  char buf[16];
  probe r;
  f.async_read_some(rill::buffer(buf), r.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return r.done(); }));
  EXPECT_TRUE(freed_before_invoke(r));
  EXPECT_EQ(text(buf, r.bytes), "filedata");
  probe eof;
  f.async_read_some(rill::buffer(buf), eof.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return eof.done(); }));
  EXPECT_EQ(eof.ec, rill::error::eof);
  probe wait;
  f.async_wait(stream_descriptor::wait_read, wait.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return wait.done(); }));
  EXPECT_EQ(wait.ec, rill::error::operation_not_supported);
  EXPECT_TRUE(freed_before_invoke(wait));
  f.close();

  stream_descriptor null(ioc, ::open("/dev/null", O_RDONLY | O_CLOEXEC));
  probe n;
  null.async_read_some(rill::buffer(buf), n.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return n.done(); }));
  EXPECT_EQ(n.ec, rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

// ---- synchronous transfer ----

TEST(stream_descriptor, sync_read_write_and_eof) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  EXPECT_EQ(writer.write_some(rill::buffer("hello", 5)), 5u);
  char buf[16];
  std::error_code ec;
  const std::size_t n = reader.read_some(rill::buffer(buf), ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(text(buf, n), "hello");

  // Scatter/gather.
  std::array<rill::const_buffer, 2> out = {rill::buffer("ab", 2), rill::buffer("cde", 3)};
  EXPECT_EQ(writer.write_some(out), 5u);
  char x[2];
  char y[8];
  std::array<rill::mutable_buffer, 2> in = {rill::buffer(x), rill::buffer(y)};
  EXPECT_EQ(reader.read_some(in), 5u);
  EXPECT_EQ(text(x, 2), "ab");
  EXPECT_EQ(text(y, 3), "cde");

  // Empty buffers complete at once.
  EXPECT_EQ(reader.read_some(rill::mutable_buffer(), ec), 0u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(writer.write_some(rill::const_buffer(), ec), 0u);
  EXPECT_FALSE(ec);

  writer.close();
  EXPECT_EQ(reader.read_some(rill::buffer(buf), ec), 0u);
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_EQ(rill_test::thrown_code([&] { reader.read_some(rill::buffer(buf)); }), rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, non_blocking_mode_makes_reads_would_block) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  reader.non_blocking(true);
  EXPECT_TRUE(reader.non_blocking());
  char buf[4];
  std::error_code ec;
  EXPECT_EQ(reader.read_some(rill::buffer(buf), ec), 0u);
  EXPECT_EQ(ec, rill::error::would_block);
  reader.non_blocking(false);
  EXPECT_FALSE(reader.non_blocking());
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, blocking_read_waits_after_an_async_operation_made_it_non_blocking) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  char buf[8];
  probe r;
  reader.async_read_some(rill::buffer(buf), r.handler());
  reader.cancel();
  ASSERT_TRUE(run_until(ioc, [&] { return r.done(); }));
  ASSERT_TRUE(reader.native_non_blocking());

  // The descriptor is non-blocking now; read_some still blocks (in poll).
  std::thread later([&] {
    std::this_thread::sleep_for(20ms);
    writer.write_some(rill::buffer("late", 4));
  });
  std::size_t n = 0;
  EXPECT_TRUE(rill_test::finishes_within([&] { n = reader.read_some(rill::buffer(buf)); }));
  later.join();
  EXPECT_EQ(text(buf, n), "late");

  // And so does a write into a full pipe.
  const std::size_t filled = fill_pipe(writer);
  std::thread drainer([&] {
    std::this_thread::sleep_for(20ms);
    drain(reader, filled);
  });
  EXPECT_TRUE(
      rill_test::finishes_within([&] { EXPECT_EQ(writer.write_some(rill::buffer("z", 1)), 1u); }));
  drainer.join();
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, wait_and_bytes_readable) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  writer.wait(stream_descriptor::wait_write);  // a pipe with room is writable
  writer.write_some(rill::buffer("12345", 5));
  reader.wait(rill::posix::descriptor_base::wait_read);
  stream_descriptor::bytes_readable command;
  reader.io_control(command);
  EXPECT_EQ(command.get(), 5u);
  EXPECT_TRUE(drained(ioc));
}

// ---- asynchronous transfer, one test per operation for the contract ----

TEST(stream_descriptor, queued_async_read_some_memory) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  char buf[16];
  probe r;
  reader.async_read_some(rill::buffer(buf), r.handler());
  EXPECT_TRUE(pending(r));
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(pending(r));
  writer.write_some(rill::buffer("data", 4));
  ASSERT_TRUE(run_until(ioc, [&] { return r.done(); }));
  EXPECT_TRUE(freed_before_invoke(r));
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(text(buf, r.bytes), "data");
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, speculative_async_read_some_is_still_posted) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  writer.write_some(rill::buffer("ready", 5));
  char buf[16];
  probe r;
  reader.async_read_some(rill::buffer(buf), r.handler());
  EXPECT_EQ(r.runs, 0);  // never inside the initiating function
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(freed_before_invoke(r));
  EXPECT_EQ(text(buf, r.bytes), "ready");
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, async_write_some_memory_and_waiting_for_room) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  probe quick;
  writer.async_write_some(rill::buffer("abc", 3), quick.handler());
  EXPECT_TRUE(pending(quick));
  ASSERT_TRUE(run_until(ioc, [&] { return quick.done(); }));
  EXPECT_TRUE(freed_before_invoke(quick));
  EXPECT_EQ(quick.bytes, 3u);
  drain(reader, 3);

  const std::size_t filled = fill_pipe(writer);
  probe w;
  writer.async_write_some(rill::buffer("more", 4), w.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_TRUE(pending(w));
  drain(reader, filled);
  ASSERT_TRUE(run_until(ioc, [&] { return w.done(); }));
  EXPECT_TRUE(freed_before_invoke(w));
  EXPECT_FALSE(w.ec);
  EXPECT_EQ(w.bytes, 4u);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, async_wait_memory) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  probe ready;
  reader.async_wait(stream_descriptor::wait_read, ready.handler());
  EXPECT_TRUE(pending(ready));
  EXPECT_EQ(ioc.poll(), 0u);
  writer.write_some(rill::buffer("x", 1));
  ASSERT_TRUE(run_until(ioc, [&] { return ready.done(); }));
  EXPECT_TRUE(freed_before_invoke(ready));
  EXPECT_FALSE(ready.ec);

  // Already readable: the wait still completes (the reactor re-arms).
  probe again;
  reader.async_wait(stream_descriptor::wait_read, again.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return again.done(); }));
  EXPECT_FALSE(again.ec);
  probe writable;
  writer.async_wait(stream_descriptor::wait_write, writable.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return writable.done(); }));
  EXPECT_FALSE(writable.ec);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, async_read_some_finds_end_of_file) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  char buf[8];
  probe r;
  reader.async_read_some(rill::buffer(buf), r.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  writer.close();
  ASSERT_TRUE(run_until(ioc, [&] { return r.done(); }));
  EXPECT_TRUE(freed_before_invoke(r));
  EXPECT_EQ(r.ec, rill::error::eof);
  EXPECT_EQ(r.bytes, 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, empty_buffers_complete_at_once) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  probe r;
  reader.async_read_some(rill::mutable_buffer(), r.handler());
  probe w;
  writer.async_write_some(rill::const_buffer(), w.handler());
  EXPECT_EQ(ioc.poll(), 2u);
  EXPECT_TRUE(freed_before_invoke(r));
  EXPECT_TRUE(freed_before_invoke(w));
  EXPECT_FALSE(r.ec);
  EXPECT_FALSE(w.ec);
  EXPECT_EQ(r.bytes, 0u);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, cancel_close_and_release_abort_pending_operations) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  char buf[8];
  probe a;
  probe b;
  reader.async_read_some(rill::buffer(buf), a.handler());
  reader.async_wait(stream_descriptor::wait_read, b.handler());
  reader.cancel();
  EXPECT_EQ(a.runs, 0);  // never inside cancel
  ASSERT_TRUE(run_until(ioc, [&] { return a.done() && b.done(); }));
  EXPECT_EQ(a.ec, rill::error::operation_aborted);
  EXPECT_EQ(b.ec, rill::error::operation_aborted);
  EXPECT_TRUE(freed_before_invoke(a));
  EXPECT_TRUE(freed_before_invoke(b));
  EXPECT_TRUE(reader.is_open());

  // The descriptor still works after cancel.
  writer.write_some(rill::buffer("ok", 2));
  probe c;
  reader.async_read_some(rill::buffer(buf), c.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return c.done(); }));
  EXPECT_EQ(text(buf, c.bytes), "ok");

  probe d;
  reader.async_read_some(rill::buffer(buf), d.handler());
  const int fd = reader.release();
  ASSERT_TRUE(run_until(ioc, [&] { return d.done(); }));
  EXPECT_EQ(d.ec, rill::error::operation_aborted);
  EXPECT_TRUE(fd_is_open(fd));
  reader.assign(fd);

  probe e;
  reader.async_read_some(rill::buffer(buf), e.handler());
  reader.close();
  ASSERT_TRUE(run_until(ioc, [&] { return e.done(); }));
  EXPECT_EQ(e.ec, rill::error::operation_aborted);
  EXPECT_TRUE(freed_before_invoke(e));
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, a_cancellation_slot_cancels_exactly_its_operation) {
  rill::io_context ioc;
  pipe_pair empty_pipe = make_pipe(ioc);
  auto& reader = empty_pipe.reader;
  pipe_pair full_pipe = make_pipe(ioc);
  auto& full_reader = full_pipe.reader;
  auto& writer = full_pipe.writer;
  rill::cancellation_signal read_sig;
  rill::cancellation_signal write_sig;
  char buf[8];
  probe r;
  reader.async_read_some(rill::buffer(buf),
                         rill::bind_cancellation_slot(read_sig.slot(), r.handler()));
  const std::size_t filled = fill_pipe(writer);
  probe w;
  writer.async_write_some(rill::buffer("w", 1),
                          rill::bind_cancellation_slot(write_sig.slot(), w.handler()));
  EXPECT_EQ(ioc.poll(), 0u);
  read_sig.emit(rill::cancellation_type::terminal);
  ASSERT_TRUE(run_until(ioc, [&] { return r.done(); }));
  EXPECT_TRUE(freed_before_invoke(r));
  EXPECT_EQ(r.ec, rill::error::operation_aborted);
  EXPECT_TRUE(pending(w));  // the write is not touched

  write_sig.emit(rill::cancellation_type::partial);
  ASSERT_TRUE(run_until(ioc, [&] { return w.done(); }));
  EXPECT_TRUE(freed_before_invoke(w));
  EXPECT_EQ(w.ec, rill::error::operation_aborted);
  read_sig.emit(rill::cancellation_type::terminal);  // after completion: nothing
  EXPECT_EQ(ioc.poll(), 0u);
  drain(full_reader, filled);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, a_cancellation_slot_cancels_a_composed_read) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  rill::cancellation_signal sig;
  char buf[8];
  probe r;
  rill::async_read(reader, rill::buffer(buf),
                   rill::bind_cancellation_slot(sig.slot(), r.handler()));
  writer.write_some(rill::buffer("abc", 3));
  EXPECT_FALSE(run_until(
      ioc, [&] { return r.done(); }, 50ms));
  sig.emit(rill::cancellation_type::terminal);
  ASSERT_TRUE(run_until(ioc, [&] { return r.done(); }));
  EXPECT_EQ(r.ec, rill::error::operation_aborted);
  EXPECT_EQ(r.bytes, 3u);
  EXPECT_EQ(r.live_inside, 0);
  EXPECT_EQ(r.log.live(), 0);
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, move_keeps_a_pending_read) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  char buf[8];
  probe r;
  reader.async_read_some(rill::buffer(buf), r.handler());
  stream_descriptor moved(std::move(reader));
  EXPECT_FALSE(reader.is_open());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(moved.is_open());
  writer.write_some(rill::buffer("mv", 2));
  ASSERT_TRUE(run_until(ioc, [&] { return r.done(); }));
  EXPECT_EQ(text(buf, r.bytes), "mv");

  stream_descriptor target(ioc);
  target = std::move(moved);
  EXPECT_TRUE(target.is_open());
  EXPECT_FALSE(moved.is_open());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, works_on_a_socketpair) {
  rill::io_context ioc;
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  stream_descriptor a(ioc, sv[0]);
  stream_descriptor b(ioc, sv[1]);
  char buf[16];
  probe r;
  b.async_read_some(rill::buffer(buf), r.handler());
  probe w;
  a.async_write_some(rill::buffer("pair", 4), w.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return r.done() && w.done(); }));
  EXPECT_TRUE(freed_before_invoke(r));
  EXPECT_TRUE(freed_before_invoke(w));
  EXPECT_EQ(text(buf, r.bytes), "pair");
  // Both directions, synchronously.
  b.write_some(rill::buffer("back", 4));
  EXPECT_EQ(a.read_some(rill::buffer(buf)), 4u);
  EXPECT_EQ(text(buf, 4), "back");
  a.close();
  std::error_code ec;
  b.read_some(rill::buffer(buf), ec);
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

// ---- composed operations ----

TEST(stream_descriptor, composed_read_and_write) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  EXPECT_EQ(rill::write(writer, rill::buffer("0123456789", 10)), 10u);
  char buf[10];
  EXPECT_EQ(rill::read(reader, rill::buffer(buf)), 10u);
  EXPECT_EQ(text(buf, 10), "0123456789");

  // Larger than the pipe: async_write and async_read in one context.
  std::string out(1 << 20, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>('a' + i % 26);
  std::string in(out.size(), '\0');
  probe w;
  probe r;
  rill::async_write(writer, rill::buffer(out), w.handler());
  rill::async_read(reader, rill::buffer(in), r.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return w.done() && r.done(); }));
  EXPECT_FALSE(w.ec);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(w.bytes, out.size());
  EXPECT_EQ(r.bytes, in.size());
  EXPECT_TRUE(in == out);
  // Each composed operation allocated from its handler's allocator and had
  // nothing live when its handler ran.
  EXPECT_EQ(w.live_inside, 0);
  EXPECT_EQ(r.live_inside, 0);
  EXPECT_EQ(w.log.live(), 0);
  EXPECT_EQ(r.log.live(), 0);

  // async_read to the end of the stream: eof with what was read.
  rill::write(writer, rill::buffer("tail", 4));
  writer.close();
  char big[64];
  probe tail;
  rill::async_read(reader, rill::buffer(big), tail.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return tail.done(); }));
  EXPECT_EQ(tail.ec, rill::error::eof);
  EXPECT_EQ(text(big, tail.bytes), "tail");
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, chained_reads_and_writes_reuse_one_block) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  rill_test::handler_memory<> memory;
  char buf[4];
  int rounds = 0;
  struct chain {
    stream_descriptor& reader;
    stream_descriptor& writer;
    rill_test::handler_memory<>& memory;
    char* buf;
    int& rounds;
    void write() {
      writer.async_write_some(rill::buffer("ping", 4),
                              rill::bind_allocator(rill_test::handler_allocator<char>(memory),
                                                   [this](std::error_code ec, std::size_t) {
                                                     EXPECT_FALSE(memory.in_use());
                                                     if (!ec) read();
                                                   }));
    }
    void read() {
      reader.async_read_some(rill::buffer(buf, 4),
                             rill::bind_allocator(rill_test::handler_allocator<char>(memory),
                                                  [this](std::error_code ec, std::size_t) {
                                                    EXPECT_FALSE(memory.in_use());
                                                    if (!ec && ++rounds < 5) write();
                                                  }));
    }
  } c{reader, writer, memory, buf, rounds};
  c.write();
  ASSERT_TRUE(run_until(ioc, [&] { return rounds == 5; }));
  EXPECT_EQ(memory.allocations(), 10);
  EXPECT_FALSE(memory.in_use());
  EXPECT_TRUE(drained(ioc));
}

TEST(stream_descriptor, steady_state_transfers_do_not_touch_the_heap) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  char buf[4];
  int done = 0;
  auto cycle = [&] {
    writer.async_write_some(rill::buffer("pong", 4), [&](std::error_code, std::size_t) { ++done; });
    reader.async_read_some(rill::buffer(buf), [&](std::error_code, std::size_t) { ++done; });
    const int target = done + 2;
    ASSERT_TRUE(run_until(ioc, [&] { return done == target; }));
  };
  cycle();  // registers nothing new later; warms the recycling cache
  rill_test::heap_scope heap;
  for (int i = 0; i < 8; ++i) cycle();
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(done, 18);
}

TEST(stream_descriptor, an_allocator_that_throws_makes_the_initiation_throw) {
  rill::io_context ioc;
  pipe_pair pipes = make_pipe(ioc);
  auto& reader = pipes.reader;
  auto& writer = pipes.writer;
  rill_test::allocation_log log;
  char buf[4];
  EXPECT_THROW(
      reader.async_read_some(rill::buffer(buf),
                             rill::bind_allocator(rill_test::counting_allocator<char>(log, true),
                                                  [](std::error_code, std::size_t) {})),
      std::bad_alloc);
  EXPECT_EQ(log.allocations.load(), 0);
  EXPECT_TRUE(drained(ioc));
  // Still usable.
  writer.write_some(rill::buffer("u", 1));
  EXPECT_EQ(reader.read_some(rill::buffer(buf)), 1u);
}

TEST(stream_descriptor, context_destroyed_with_pending_operations_frees_without_invoking) {
  probe r;
  probe w;
  {
    rill_test::shutdown_context ioc;
    pipe_pair pipes = make_pipe(ioc);
    auto& reader = pipes.reader;
    auto& writer = pipes.writer;
    char buf[8];
    reader.async_read_some(rill::buffer(buf), r.handler());
    fill_pipe(writer);
    writer.async_write_some(rill::buffer("x", 1), w.handler());
    EXPECT_TRUE(pending(r));
    EXPECT_TRUE(pending(w));
    ioc.shutdown();
    EXPECT_EQ(r.log.live(), 0);
    EXPECT_EQ(w.log.live(), 0);
  }
  EXPECT_EQ(r.runs, 0);
  EXPECT_EQ(w.runs, 0);

  // Destroyed after the descriptor, whose close queued the aborted read.
  probe q;
  {
    rill::io_context ioc;
    pipe_pair pipes = make_pipe(ioc);
    auto& reader = pipes.reader;
    char buf[8];
    reader.async_read_some(rill::buffer(buf), q.handler());
  }
  EXPECT_EQ(q.runs, 0);
  EXPECT_EQ(q.log.allocations.load(), 1);
  EXPECT_EQ(q.log.live(), 0);
}

}  // namespace
