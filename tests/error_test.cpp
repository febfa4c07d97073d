// error: rill's error enums, their categories, and how they compare with
// error codes from the system and the standard library.
#include <rill/error.hpp>

#include <gtest/gtest.h>

#include <netdb.h>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <type_traits>

#include <rill/error_code.hpp>
#include <rill/system_error.hpp>

namespace {

static_assert(std::is_same_v<rill::error_code, std::error_code>);
static_assert(std::is_same_v<rill::error_category, std::error_category>);
static_assert(std::is_same_v<rill::error_condition, std::error_condition>);
static_assert(std::is_same_v<rill::system_error, std::system_error>);
static_assert(std::is_error_code_enum_v<rill::error::basic_errors>);
static_assert(std::is_error_code_enum_v<rill::error::netdb_errors>);
static_assert(std::is_error_code_enum_v<rill::error::addrinfo_errors>);
static_assert(std::is_error_code_enum_v<rill::error::misc_errors>);
// Enums are not conditions: `ec == rill::error::eof` compares codes.
static_assert(!std::is_error_condition_enum_v<rill::error::misc_errors>);

TEST(error, basic_errors_are_errno_values) {
  using namespace rill::error;
  EXPECT_EQ(access_denied, EACCES);
  EXPECT_EQ(address_family_not_supported, EAFNOSUPPORT);
  EXPECT_EQ(address_in_use, EADDRINUSE);
  EXPECT_EQ(already_connected, EISCONN);
  EXPECT_EQ(already_started, EALREADY);
  EXPECT_EQ(broken_pipe, EPIPE);
  EXPECT_EQ(connection_aborted, ECONNABORTED);
  EXPECT_EQ(connection_refused, ECONNREFUSED);
  EXPECT_EQ(connection_reset, ECONNRESET);
  EXPECT_EQ(bad_descriptor, EBADF);
  EXPECT_EQ(fault, EFAULT);
  EXPECT_EQ(host_unreachable, EHOSTUNREACH);
  EXPECT_EQ(in_progress, EINPROGRESS);
  EXPECT_EQ(interrupted, EINTR);
  EXPECT_EQ(invalid_argument, EINVAL);
  EXPECT_EQ(message_size, EMSGSIZE);
  EXPECT_EQ(name_too_long, ENAMETOOLONG);
  EXPECT_EQ(network_down, ENETDOWN);
  EXPECT_EQ(network_reset, ENETRESET);
  EXPECT_EQ(network_unreachable, ENETUNREACH);
  EXPECT_EQ(no_descriptors, EMFILE);
  EXPECT_EQ(no_buffer_space, ENOBUFS);
  EXPECT_EQ(no_memory, ENOMEM);
  EXPECT_EQ(no_permission, EPERM);
  EXPECT_EQ(no_protocol_option, ENOPROTOOPT);
  EXPECT_EQ(no_such_device, ENODEV);
  EXPECT_EQ(not_connected, ENOTCONN);
  EXPECT_EQ(not_socket, ENOTSOCK);
  EXPECT_EQ(operation_aborted, ECANCELED);
  EXPECT_EQ(operation_not_supported, EOPNOTSUPP);
  EXPECT_EQ(shut_down, ESHUTDOWN);
  EXPECT_EQ(timed_out, ETIMEDOUT);
  EXPECT_EQ(try_again, EAGAIN);
  EXPECT_EQ(would_block, EWOULDBLOCK);
  // The same value on Linux, as in Asio.
  EXPECT_EQ(static_cast<int>(would_block), static_cast<int>(try_again));
}

TEST(error, other_enum_values) {
  using namespace rill::error;
  EXPECT_EQ(host_not_found, HOST_NOT_FOUND);
  EXPECT_EQ(host_not_found_try_again, TRY_AGAIN);
  EXPECT_EQ(no_data, NO_DATA);
  EXPECT_EQ(no_recovery, NO_RECOVERY);
  EXPECT_EQ(service_not_found, EAI_SERVICE);
  EXPECT_EQ(socket_type_not_supported, EAI_SOCKTYPE);
  EXPECT_EQ(already_open, 1);
  EXPECT_EQ(eof, 2);
  EXPECT_EQ(not_found, 3);
  EXPECT_EQ(fd_set_failure, 4);
}

TEST(error, category_names_and_identity) {
  EXPECT_STREQ(rill::error::get_netdb_category().name(), "rill.netdb");
  EXPECT_STREQ(rill::error::get_addrinfo_category().name(), "rill.addrinfo");
  EXPECT_STREQ(rill::error::get_misc_category().name(), "rill.misc");
  EXPECT_EQ(&rill::error::get_system_category(), &std::system_category());
  EXPECT_EQ(&rill::system_category(), &std::system_category());
  // The object forms name the same categories.
  EXPECT_EQ(&rill::error::system_category, &std::system_category());
  EXPECT_EQ(&rill::error::netdb_category, &rill::error::get_netdb_category());
  EXPECT_EQ(&rill::error::addrinfo_category, &rill::error::get_addrinfo_category());
  EXPECT_EQ(&rill::error::misc_category, &rill::error::get_misc_category());
  EXPECT_NE(rill::error::get_netdb_category(), rill::error::get_addrinfo_category());
  EXPECT_NE(rill::error::get_misc_category(), rill::error::get_netdb_category());
}

TEST(error, make_error_code_picks_the_category) {
  const rill::error_code refused = rill::error::make_error_code(rill::error::connection_refused);
  EXPECT_EQ(refused.value(), ECONNREFUSED);
  EXPECT_EQ(refused.category(), std::system_category());

  const rill::error_code host = rill::error::host_not_found;
  EXPECT_EQ(host.value(), HOST_NOT_FOUND);
  EXPECT_EQ(host.category(), rill::error::get_netdb_category());

  const rill::error_code service = rill::error::service_not_found;
  EXPECT_EQ(service.value(), EAI_SERVICE);
  EXPECT_EQ(service.category(), rill::error::get_addrinfo_category());

  const rill::error_code eof = rill::error::eof;
  EXPECT_EQ(eof.value(), 2);
  EXPECT_EQ(eof.category(), rill::error::get_misc_category());
  EXPECT_TRUE(eof);
}

TEST(error, comparisons) {
  rill::error_code ec = rill::error::eof;
  EXPECT_TRUE(ec == rill::error::eof);
  EXPECT_FALSE(ec != rill::error::eof);
  EXPECT_FALSE(ec == rill::error::not_found);
  // Same value, different category: not equal.
  EXPECT_FALSE(ec == rill::error_code(rill::error::eof, std::system_category()));
  EXPECT_FALSE(rill::error_code(rill::error::already_open, rill::error::get_misc_category()) ==
               rill::error::host_not_found_try_again);

  // basic_errors are errno codes in the system category.
  EXPECT_TRUE(std::error_code(ECONNREFUSED, std::system_category()) ==
              rill::error::connection_refused);
  EXPECT_TRUE(std::error_code(EAGAIN, std::system_category()) == rill::error::would_block);
  EXPECT_TRUE(std::error_code(EAGAIN, std::system_category()) == rill::error::try_again);
  EXPECT_FALSE(std::error_code(ECONNRESET, std::system_category()) ==
               rill::error::connection_refused);
  // errno-based codes also match the portable std::errc conditions.
  const rill::error_code timed_out = rill::error::timed_out;
  EXPECT_TRUE(timed_out == std::errc::timed_out);
  EXPECT_TRUE(rill::error_code(rill::error::operation_aborted) == std::errc::operation_canceled);

  ec.clear();
  EXPECT_FALSE(ec);
  EXPECT_FALSE(ec == rill::error::eof);
}

TEST(error, messages) {
  using namespace rill::error;
  for (const rill::error_code ec :
       {rill::error_code(host_not_found), rill::error_code(host_not_found_try_again),
        rill::error_code(no_data), rill::error_code(no_recovery),
        rill::error_code(service_not_found), rill::error_code(socket_type_not_supported),
        rill::error_code(already_open), rill::error_code(eof), rill::error_code(not_found),
        rill::error_code(fd_set_failure), rill::error_code(connection_refused),
        rill::error_code(operation_aborted)}) {
    EXPECT_FALSE(ec.message().empty()) << ec.category().name() << ':' << ec.value();
  }
  EXPECT_EQ(rill::error_code(eof).message(), "End of file");
  EXPECT_EQ(rill::error_code(not_found).message(), "Element not found");
  EXPECT_EQ(rill::error_code(host_not_found).message(), "Host not found (authoritative)");
  EXPECT_EQ(rill::error_code(service_not_found).message(), "Service not found");
  EXPECT_EQ(rill::error_code(connection_refused).message(), std::strerror(ECONNREFUSED));
  // Values a category does not know still get a message.
  EXPECT_EQ(rill::error::get_misc_category().message(99), "rill.misc error");
  EXPECT_EQ(rill::error::get_netdb_category().message(99), "rill.netdb error");
  EXPECT_EQ(rill::error::get_addrinfo_category().message(99), "rill.addrinfo error");
}

TEST(error, errc_aliases) {
  EXPECT_EQ(rill::stream_errc::eof, rill::error::eof);
  EXPECT_EQ(rill::stream_errc::not_found, rill::error::not_found);
  EXPECT_EQ(rill::socket_errc::already_open, rill::error::already_open);
  EXPECT_EQ(rill::resolver_errc::host_not_found, rill::error::host_not_found);
  EXPECT_EQ(rill::resolver_errc::try_again, rill::error::host_not_found_try_again);
  EXPECT_EQ(rill::resolver_errc::service_not_found, rill::error::service_not_found);
}

TEST(error, system_error_carries_the_code) {
  try {
    throw rill::system_error(rill::error::connection_reset, "read");
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::connection_reset);
    EXPECT_NE(std::string(e.what()).find("read"), std::string::npos);
  }
}

}  // namespace
