// detail/throw_error: error_code to exception for the throwing overloads.
#include <rill/detail/throw_error.hpp>

#include <gtest/gtest.h>

#include <string>
#include <system_error>

#include <rill/error.hpp>

namespace {

TEST(throw_error, no_error_no_throw) {
  EXPECT_NO_THROW(rill::detail::throw_error(rill::error_code()));
  EXPECT_NO_THROW(rill::detail::throw_error(rill::error_code(), "connect"));
}

TEST(throw_error, throws_system_error_with_the_code) {
  const rill::error_code ec = rill::error::connection_refused;
  try {
    rill::detail::throw_error(ec);
    FAIL() << "no exception";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), ec);
    EXPECT_NE(std::string(e.what()).find(ec.message()), std::string::npos);
  }
}

TEST(throw_error, location_prefixes_what) {
  try {
    rill::detail::throw_error(rill::error::eof, "read_some");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::eof);
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("read_some", 0), 0u) << what;
    EXPECT_NE(what.find("End of file"), std::string::npos) << what;
  }
}

}  // namespace
