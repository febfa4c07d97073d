// TCP echo, three ways in one program:
//   rill_example_tcp_echo server <port>          asynchronous server, one session per client
//   rill_example_tcp_echo client <host> <port>   blocking client: sends stdin lines, prints replies
//   rill_example_tcp_echo udp-server <port>      asynchronous UDP echo server
//   rill_example_tcp_echo udp-client <host> <port>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <rill.hpp>

using rill::ip::tcp;
using rill::ip::udp;

namespace {

class session : public std::enable_shared_from_this<session> {
 public:
  explicit session(tcp::socket socket) : socket_(std::move(socket)) {}
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

  tcp::socket socket_;
  std::array<char, 1024> data_{};
};

void accept_loop(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](std::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<session>(std::move(socket))->start();
    accept_loop(acceptor);
  });
}

int tcp_server(unsigned short port) {
  rill::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(tcp::v4(), port));
  accept_loop(acceptor);
  ioc.run();
  return 0;
}

int tcp_client(const char* host, const char* port) {
  rill::io_context ioc;
  tcp::resolver resolver(ioc);
  tcp::socket socket(ioc);
  rill::connect(socket, resolver.resolve(host, port));
  std::string line;
  while (std::getline(std::cin, line)) {
    line += '\n';
    rill::write(socket, rill::buffer(line));
    std::string reply;
    const std::size_t n = rill::read_until(socket, rill::dynamic_buffer(reply), '\n');
    std::cout << "Reply is: " << reply.substr(0, n) << std::flush;
  }
  return 0;
}

struct udp_echo {
  udp::socket socket;
  udp::endpoint sender;
  std::array<char, 1024> data{};

  void receive() {
    socket.async_receive_from(
        rill::buffer(data), sender, [this](std::error_code ec, std::size_t n) {
          if (ec) return;
          socket.async_send_to(rill::buffer(data, n), sender,
                               [this](std::error_code, std::size_t) { receive(); });
        });
  }
};

int udp_server(unsigned short port) {
  rill::io_context ioc;
  udp_echo echo{udp::socket(ioc, udp::endpoint(udp::v4(), port)), {}, {}};
  echo.receive();
  ioc.run();
  return 0;
}

int udp_client(const char* host, const char* port) {
  rill::io_context ioc;
  udp::resolver resolver(ioc);
  const udp::endpoint server = *resolver.resolve(udp::v4(), host, port).begin();
  udp::socket socket(ioc, udp::endpoint(udp::v4(), 0));
  std::string line;
  while (std::getline(std::cin, line)) {
    socket.send_to(rill::buffer(line), server);
    std::array<char, 1024> reply{};
    udp::endpoint from;
    const std::size_t n = socket.receive_from(rill::buffer(reply), from);
    std::cout << "Reply is: " << std::string_view(reply.data(), n) << '\n' << std::flush;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "server" && argc == 3) {
      return tcp_server(static_cast<unsigned short>(std::atoi(argv[2])));
    }
    if (mode == "client" && argc == 4) return tcp_client(argv[2], argv[3]);
    if (mode == "udp-server" && argc == 3) {
      return udp_server(static_cast<unsigned short>(std::atoi(argv[2])));
    }
    if (mode == "udp-client" && argc == 4) return udp_client(argv[2], argv[3]);
    std::fprintf(stderr,
                 "usage: %s server <port> | client <host> <port> | udp-server <port> | "
                 "udp-client <host> <port>\n",
                 argv[0]);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
