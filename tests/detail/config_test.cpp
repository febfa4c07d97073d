// detail/config.hpp: the platform constants code written for Asio tests.
#include <rill/detail/config.hpp>

#include <gtest/gtest.h>

namespace {

#if defined(RILL_HAS_LOCAL_SOCKETS)
constexpr bool has_local_sockets = RILL_HAS_LOCAL_SOCKETS == 1;
#else
constexpr bool has_local_sockets = false;
#endif

TEST(detail_config, linux_has_local_sockets) { EXPECT_TRUE(has_local_sockets); }

}  // namespace
