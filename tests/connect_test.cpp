// rill::connect and rill::async_connect: the first endpoint that accepts
// wins, refused ones are skipped, failures report the last error (or
// not_found), and each attempt's memory comes from the handler's allocator.
#include <rill/connect.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/address_v4.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/system_error.hpp>

#include "support/counting_allocator.hpp"

namespace {

using tcp = rill::ip::tcp;
using endpoints = std::vector<tcp::endpoint>;

const tcp::endpoint any_loopback(rill::ip::address_v4::loopback(), 0);

// A loopback port that refuses connections: bound but not listening, and
// kept bound for the test so that nobody else can take it.
class refusing_port {
 public:
  explicit refusing_port(rill::io_context& ioc) : socket_(ioc, any_loopback) {}
  [[nodiscard]] tcp::endpoint endpoint() const { return socket_.local_endpoint(); }

 private:
  tcp::socket socket_;
};

// A loopback port that accepts connections.
class listening_port {
 public:
  explicit listening_port(rill::io_context& ioc) : acceptor_(ioc, any_loopback) {}
  [[nodiscard]] tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  tcp::acceptor& acceptor() { return acceptor_; }

 private:
  tcp::acceptor acceptor_;
};

// An entry that is not an endpoint but has one, as a resolver entry.
struct named_entry {
  tcp::endpoint ep;
  [[nodiscard]] tcp::endpoint endpoint() const { return ep; }
};

struct range_result {
  int calls = 0;
  rill::error_code ec;
  tcp::endpoint endpoint;
};

auto record(range_result& r) {
  return [&r](const rill::error_code& ec, const tcp::endpoint& ep) {
    ++r.calls;
    r.ec = ec;
    r.endpoint = ep;
  };
}

// ---------------------------------------------------------------------------
// Synchronous

TEST(connect, a_refused_endpoint_is_skipped_for_the_next_one) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  listening_port listening(ioc);
  tcp::socket s(ioc);
  const endpoints eps = {refusing.endpoint(), listening.endpoint()};
  EXPECT_EQ(rill::connect(s, eps), listening.endpoint());
  EXPECT_EQ(s.remote_endpoint(), listening.endpoint());
  tcp::socket peer(ioc);
  listening.acceptor().accept(peer);
  EXPECT_EQ(peer.remote_endpoint(), s.local_endpoint());
}

TEST(connect, failure_reports_the_last_error_or_not_found) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  tcp::socket s(ioc);
  rill::error_code ec;
  EXPECT_EQ(rill::connect(s, endpoints{refusing.endpoint()}, ec), tcp::endpoint());
  EXPECT_EQ(ec, rill::error::connection_refused);

  EXPECT_EQ(rill::connect(s, endpoints{}, ec), tcp::endpoint());
  EXPECT_EQ(ec, rill::error::not_found);
  try {
    (void)rill::connect(s, endpoints{});
    ADD_FAILURE() << "connect did not throw";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::not_found);
  }
}

TEST(connect, the_condition_is_asked_before_each_attempt) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  listening_port listening(ioc);
  tcp::socket s(ioc);
  const endpoints eps = {refusing.endpoint(), refusing.endpoint(), listening.endpoint()};
  std::vector<tcp::endpoint> asked;
  std::vector<rill::error_code> errors;
  auto skip_the_first = [&](const rill::error_code& ec, const tcp::endpoint& next) {
    asked.push_back(next);
    errors.push_back(ec);
    return asked.size() > 1;
  };
  EXPECT_EQ(rill::connect(s, eps, skip_the_first), listening.endpoint());
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_FALSE(errors[0]);
  EXPECT_FALSE(errors[1]);                                // nothing tried yet
  EXPECT_EQ(errors[2], rill::error::connection_refused);  // the second was tried

  rill::error_code ec;
  EXPECT_EQ(rill::connect(
                s, eps, [](const rill::error_code&, const tcp::endpoint&) { return false; }, ec),
            tcp::endpoint());
  EXPECT_EQ(ec, rill::error::not_found);
}

TEST(connect, iterator_ranges_return_the_position_connected_to) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  listening_port listening(ioc);
  tcp::socket s(ioc);
  const endpoints eps = {refusing.endpoint(), listening.endpoint()};
  EXPECT_EQ(rill::connect(s, eps.begin(), eps.end()), eps.begin() + 1);
  rill::error_code ec;
  EXPECT_EQ(rill::connect(s, eps.begin(), eps.begin() + 1, ec), eps.begin() + 1);
  EXPECT_EQ(ec, rill::error::connection_refused);
}

TEST(connect, entries_with_an_endpoint_member_are_accepted) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  listening_port listening(ioc);
  tcp::socket s(ioc);
  const std::vector<named_entry> entries = {{refusing.endpoint()}, {listening.endpoint()}};
  EXPECT_EQ(rill::connect(s, entries), listening.endpoint());
}

// ---------------------------------------------------------------------------
// Asynchronous

TEST(async_connect, a_refused_endpoint_is_skipped_for_the_next_one) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  listening_port listening(ioc);
  tcp::socket s(ioc);
  range_result r;
  {
    // The sequence is copied: the caller's may go away.
    const endpoints eps = {refusing.endpoint(), listening.endpoint()};
    rill::async_connect(s, eps, record(r));
  }
  EXPECT_EQ(r.calls, 0);
  ioc.run_for(std::chrono::seconds(10));
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.endpoint, listening.endpoint());
  EXPECT_EQ(s.remote_endpoint(), listening.endpoint());
}

TEST(async_connect, an_empty_range_is_not_found_outside_the_initiating_function) {
  rill::io_context ioc;
  tcp::socket s(ioc);
  range_result r;
  rill::async_connect(s, endpoints{}, record(r));
  EXPECT_EQ(r.calls, 0);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.ec, rill::error::not_found);
  EXPECT_EQ(r.endpoint, tcp::endpoint());
}

TEST(async_connect, all_refused_reports_the_last_error) {
  rill::io_context ioc;
  refusing_port first(ioc);
  refusing_port second(ioc);
  tcp::socket s(ioc);
  range_result r;
  rill::async_connect(s, endpoints{first.endpoint(), second.endpoint()}, record(r));
  ioc.run_for(std::chrono::seconds(10));
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.ec, rill::error::connection_refused);
  EXPECT_EQ(r.endpoint, tcp::endpoint());
}

TEST(async_connect, a_condition_that_refuses_everything_is_not_found) {
  rill::io_context ioc;
  listening_port listening(ioc);
  tcp::socket s(ioc);
  range_result r;
  int asked = 0;
  rill::async_connect(
      s, endpoints{listening.endpoint()},
      [&asked](const rill::error_code&, const tcp::endpoint&) {
        ++asked;
        return false;
      },
      record(r));
  EXPECT_EQ(r.calls, 0);
  EXPECT_EQ(asked, 1);
  ioc.run();
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.ec, rill::error::not_found);
}

TEST(async_connect, iterator_ranges_complete_with_the_position) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  listening_port listening(ioc);
  tcp::socket s(ioc);
  const endpoints eps = {refusing.endpoint(), listening.endpoint()};
  using iterator = endpoints::const_iterator;
  int calls = 0;
  rill::error_code result_ec;
  iterator result_it;
  auto record_it = [&](const rill::error_code& ec, iterator it) {
    ++calls;
    result_ec = ec;
    result_it = it;
  };
  rill::async_connect(s, eps.cbegin(), eps.cend(), record_it);
  ioc.run_for(std::chrono::seconds(10));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(result_ec);
  EXPECT_EQ(result_it, eps.cbegin() + 1);

  ioc.restart();
  rill::async_connect(s, eps.cbegin(), eps.cbegin() + 1, record_it);
  ioc.run_for(std::chrono::seconds(10));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(result_ec, rill::error::connection_refused);
  EXPECT_EQ(result_it, eps.cbegin() + 1);  // the end of the range

  ioc.restart();
  rill::async_connect(s, eps.cbegin(), eps.cbegin(), record_it);
  EXPECT_EQ(calls, 2);
  ioc.run();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(result_ec, rill::error::not_found);
}

TEST(async_connect, entries_with_an_endpoint_member_are_accepted) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  listening_port listening(ioc);
  tcp::socket s(ioc);
  const std::vector<named_entry> entries = {{refusing.endpoint()}, {listening.endpoint()}};
  range_result r;
  rill::async_connect(s, entries, record(r));
  ioc.run_for(std::chrono::seconds(10));
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.endpoint, listening.endpoint());
}

TEST(async_connect, each_attempt_uses_the_handler_allocator_and_frees_before_the_next) {
  rill::io_context ioc;
  refusing_port refusing(ioc);
  listening_port listening(ioc);
  tcp::socket s(ioc);
  rill_test::allocation_log log;
  std::vector<int> live_when_asked;
  auto condition = [&](const rill::error_code&, const tcp::endpoint&) {
    live_when_asked.push_back(log.live());
    return true;
  };
  range_result r;
  int live_in_handler = -1;
  rill::async_connect(
      s, endpoints{refusing.endpoint(), listening.endpoint()}, condition,
      rill::bind_allocator(rill_test::counting_allocator<char>(log),
                           [&](const rill::error_code& ec, const tcp::endpoint& ep) {
                             record(r)(ec, ep);
                             live_in_handler = log.live();
                           }));
  EXPECT_EQ(log.live(), 1);  // the first attempt is pending
  ioc.run_for(std::chrono::seconds(10));
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(log.allocations.load(), 2);  // one per attempt
  ASSERT_EQ(live_when_asked.size(), 2u);
  EXPECT_EQ(live_when_asked[1], 0);  // the refused attempt's memory was already freed
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
