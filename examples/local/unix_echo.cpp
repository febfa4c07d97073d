// A Unix-domain echo: a server on a socket file in the temp directory and a
// client that sends a few lines and prints the replies. Also shows
// local::connect_pair, the quickest way to get two connected sockets.
//
//   rill_example_unix_echo [socket-path]
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include <rill.hpp>

using rill::local::stream_protocol;

namespace {

// Echoes whatever arrives until the peer closes.
class session : public std::enable_shared_from_this<session> {
 public:
  explicit session(stream_protocol::socket socket) : socket_(std::move(socket)) {}
  void start() { read(); }

 private:
  void read() {
    socket_.async_read_some(rill::buffer(data_),
                            [self = shared_from_this()](std::error_code ec, std::size_t n) {
                              if (!ec) self->write(n);
                            });
  }
  void write(std::size_t n) {
    rill::async_write(socket_, rill::buffer(data_, n),
                      [self = shared_from_this()](std::error_code ec, std::size_t) {
                        if (!ec) self->read();
                      });
  }

  stream_protocol::socket socket_;
  std::array<char, 512> data_{};
};

}  // namespace

int main(int argc, char** argv) {
  const std::string path =
      argc > 1 ? argv[1] : "/tmp/rill_unix_echo_" + std::to_string(::getpid()) + ".sock";
  try {
    rill::io_context ioc;

    // 1. A pair of connected sockets, no file needed.
    stream_protocol::socket a(ioc);
    stream_protocol::socket b(ioc);
    rill::local::connect_pair(a, b);
    rill::write(a, rill::buffer(std::string_view("ping")));
    std::array<char, 4> pong{};
    rill::read(b, rill::buffer(pong));
    std::printf("connect_pair: %.*s\n", 4, pong.data());

    // 2. A server on a socket file and a client that talks to it.
    ::unlink(path.c_str());
    stream_protocol::acceptor acceptor(ioc, stream_protocol::endpoint(path));
    acceptor.async_accept([](std::error_code ec, stream_protocol::socket s) {
      if (!ec) std::make_shared<session>(std::move(s))->start();
    });

    stream_protocol::socket client(ioc);
    client.connect(stream_protocol::endpoint(path));
    for (const char* line : {"first line\n", "second line\n"}) {
      const std::string_view text(line);
      rill::async_write(client, rill::buffer(text), [](std::error_code, std::size_t) {});
      std::string reply;
      bool done = false;
      rill::async_read_until(client, rill::dynamic_buffer(reply), '\n',
                             [&](std::error_code ec, std::size_t n) {
                               if (!ec) std::printf("reply: %s", reply.substr(0, n).c_str());
                               done = true;
                             });
      // Step the loop until the handler has run. (Not until reply holds a
      // newline: on io_uring the kernel writes into reply's storage before
      // the operation completes.)
      while (!done && ioc.run_one() != 0) {
      }
    }
    client.close();
    acceptor.close();
    ioc.run_for(std::chrono::seconds(1));
    ::unlink(path.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    ::unlink(path.c_str());
    return 1;
  }
  return 0;
}
