// Unix domain sockets: connect_pair for stream and datagram protocols, a
// stream acceptor on a filesystem path and on an abstract name, datagram
// sockets with bound names, and the allocation contract for their operations.
#include <rill/local/connect_pair.hpp>

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>

#include <rill/buffer.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/local/datagram_protocol.hpp>
#include <rill/local/stream_protocol.hpp>

#include "support/io_helpers.hpp"
#include "support/probe.hpp"

namespace {

using rill::local::datagram_protocol;
using rill::local::stream_protocol;
using rill_test::drained;
using rill_test::freed_before_invoke;
using rill_test::pending;
using rill_test::probe;
using rill_test::run_until;

std::string_view text(const char* data, std::size_t n) { return {data, n}; }

// An abstract name unique to this process and call.
std::string abstract_name(const char* what) {
  static std::atomic<int> counter{0};
  std::string name(1, '\0');
  name += "rill-test-" + std::to_string(::getpid()) + "-" + what + "-" +
          std::to_string(counter.fetch_add(1));
  return name;
}

// A fresh directory under TMPDIR (or /tmp), removed with what is left in it.
class temp_dir {
 public:
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/rill-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~temp_dir() {
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(local_connect_pair, stream_pair_sync_and_async) {
  rill::io_context ioc;
  stream_protocol::socket a(ioc), b(ioc);
  rill::local::connect_pair(a, b);
  EXPECT_TRUE(a.is_open());
  EXPECT_TRUE(b.is_open());
  EXPECT_EQ(a.write_some(rill::buffer("sync", 4)), 4u);
  char buf[16];
  EXPECT_EQ(b.read_some(rill::buffer(buf)), 4u);

  probe read, write;
  b.async_read_some(rill::buffer(buf), read.handler());
  EXPECT_TRUE(pending(read));
  EXPECT_EQ(ioc.poll(), 0u);
  a.async_write_some(rill::buffer("async", 5), write.handler());
  EXPECT_TRUE(pending(write));
  ASSERT_TRUE(run_until(ioc, [&] { return read.done() && write.done(); }));
  EXPECT_TRUE(freed_before_invoke(read));
  EXPECT_TRUE(freed_before_invoke(write));
  EXPECT_EQ(text(buf, read.bytes), "async");

  // The end of the stream is eof, as for TCP.
  probe end;
  b.async_read_some(rill::buffer(buf), end.handler());
  a.close();
  ASSERT_TRUE(run_until(ioc, [&] { return end.done(); }));
  EXPECT_TRUE(freed_before_invoke(end));
  EXPECT_EQ(end.ec, rill::error::eof);
  EXPECT_TRUE(drained(ioc));
}

TEST(local_connect_pair, datagram_pair_keeps_message_boundaries) {
  rill::io_context ioc;
  datagram_protocol::socket a(ioc), b(ioc);
  std::error_code ec;
  rill::local::connect_pair(a, b, ec);
  ASSERT_FALSE(ec) << ec.message();
  a.send(rill::buffer("one", 3));
  a.send(rill::buffer("two!", 4));
  char buf[16];
  EXPECT_EQ(b.receive(rill::buffer(buf)), 3u);
  probe receive, send;
  b.async_receive(rill::buffer(buf), receive.handler());
  EXPECT_TRUE(pending(receive));
  ASSERT_TRUE(run_until(ioc, [&] { return receive.done(); }));
  EXPECT_TRUE(freed_before_invoke(receive));
  EXPECT_EQ(text(buf, receive.bytes), "two!");

  probe queued;
  ioc.restart();
  a.async_receive(rill::buffer(buf), queued.handler());
  EXPECT_EQ(ioc.poll(), 0u);
  b.async_send(rill::buffer("back", 4), send.handler());
  ASSERT_TRUE(run_until(ioc, [&] { return queued.done() && send.done(); }));
  EXPECT_TRUE(freed_before_invoke(queued));
  EXPECT_TRUE(freed_before_invoke(send));
  EXPECT_EQ(text(buf, queued.bytes), "back");
  EXPECT_TRUE(drained(ioc));
}

TEST(local_connect_pair, into_an_open_socket_is_already_open) {
  rill::io_context ioc;
  stream_protocol::socket a(ioc, stream_protocol()), b(ioc);
  std::error_code ec;
  rill::local::connect_pair(a, b, ec);
  EXPECT_EQ(ec, rill::error::already_open);
  EXPECT_FALSE(b.is_open());
  EXPECT_EQ(rill_test::thrown_code([&] { rill::local::connect_pair(a, b); }),
            rill::error::already_open);
  EXPECT_TRUE(drained(ioc));
}

TEST(local_stream_acceptor, on_a_filesystem_path) {
  temp_dir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/listener";
  ::unlink(path.c_str());
  {
    rill::io_context ioc;
    stream_protocol::acceptor acceptor(ioc, stream_protocol::endpoint(path));
    EXPECT_EQ(acceptor.local_endpoint().path(), path);
    probe accept, connect;
    stream_protocol::socket peer(ioc);
    acceptor.async_accept(peer, accept.handler());
    EXPECT_TRUE(pending(accept));
    stream_protocol::socket client(ioc);
    client.async_connect(stream_protocol::endpoint(path), connect.handler());
    EXPECT_TRUE(pending(connect));
    ASSERT_TRUE(run_until(ioc, [&] { return accept.done() && connect.done(); }));
    EXPECT_TRUE(freed_before_invoke(accept));
    EXPECT_TRUE(freed_before_invoke(connect));
    EXPECT_FALSE(accept.ec);
    EXPECT_FALSE(connect.ec);
    EXPECT_EQ(client.remote_endpoint().path(), path);
    EXPECT_EQ(peer.local_endpoint().path(), path);
    EXPECT_EQ(peer.remote_endpoint().path(), "");  // an unnamed client

    char buf[8];
    probe read;
    peer.async_read_some(rill::buffer(buf), read.handler());
    client.write_some(rill::buffer("unix", 4));
    ASSERT_TRUE(run_until(ioc, [&] { return read.done(); }));
    EXPECT_EQ(text(buf, read.bytes), "unix");

    // Binding the same path again fails while the file exists.
    stream_protocol::acceptor second(ioc);
    second.open(stream_protocol());
    std::error_code ec;
    second.bind(stream_protocol::endpoint(path), ec);
    EXPECT_EQ(ec, rill::error::address_in_use);
    EXPECT_TRUE(drained(ioc));
  }
  EXPECT_EQ(::unlink(path.c_str()), 0);
}

TEST(local_stream_acceptor, on_an_abstract_name) {
  rill::io_context ioc;
  const std::string name = abstract_name("stream");
  stream_protocol::acceptor acceptor(ioc, stream_protocol::endpoint(name));
  EXPECT_EQ(acceptor.local_endpoint().path(), name);
  stream_protocol::socket client(ioc);
  client.connect(stream_protocol::endpoint(name));
  stream_protocol::socket peer = acceptor.accept();
  EXPECT_EQ(client.remote_endpoint().path(), name);
  char buf[8];
  probe read;
  client.async_read_some(rill::buffer(buf), read.handler());
  peer.write_some(rill::buffer("abs", 3));
  ASSERT_TRUE(run_until(ioc, [&] { return read.done(); }));
  EXPECT_TRUE(freed_before_invoke(read));
  EXPECT_EQ(text(buf, read.bytes), "abs");
  EXPECT_TRUE(drained(ioc));
}

TEST(local_stream_acceptor, connect_to_a_missing_name_fails) {
  rill::io_context ioc;
  stream_protocol::socket client(ioc);
  probe p;
  client.async_connect(stream_protocol::endpoint(abstract_name("missing")), p.handler());
  EXPECT_TRUE(pending(p));
  ASSERT_TRUE(run_until(ioc, [&] { return p.done(); }));
  EXPECT_TRUE(freed_before_invoke(p));
  EXPECT_EQ(p.ec, rill::error::connection_refused);
  EXPECT_TRUE(drained(ioc));
}

TEST(local_datagram_socket, bound_names_and_the_sender_endpoint) {
  rill::io_context ioc;
  const std::string name_a = abstract_name("dgram-a");
  const std::string name_b = abstract_name("dgram-b");
  datagram_protocol::socket a(ioc, datagram_protocol::endpoint(name_a));
  datagram_protocol::socket b(ioc, datagram_protocol::endpoint(name_b));
  char buf[16];
  datagram_protocol::endpoint sender;
  probe receive, send;
  b.async_receive_from(rill::buffer(buf), sender, receive.handler());
  EXPECT_TRUE(pending(receive));
  EXPECT_EQ(ioc.poll(), 0u);
  a.async_send_to(rill::buffer("hello", 5), datagram_protocol::endpoint(name_b), send.handler());
  EXPECT_TRUE(pending(send));
  ASSERT_TRUE(run_until(ioc, [&] { return receive.done() && send.done(); }));
  EXPECT_TRUE(freed_before_invoke(receive));
  EXPECT_TRUE(freed_before_invoke(send));
  EXPECT_EQ(text(buf, receive.bytes), "hello");
  EXPECT_EQ(sender.path(), name_a);
  // Blocking forms.
  EXPECT_EQ(b.send_to(rill::buffer("back", 4), sender), 4u);
  EXPECT_EQ(a.receive_from(rill::buffer(buf), sender), 4u);
  EXPECT_EQ(sender.path(), name_b);
  EXPECT_TRUE(drained(ioc));
}

}  // namespace
