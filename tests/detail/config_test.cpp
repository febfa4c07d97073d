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

// As Asio's config on Linux: stream descriptors, sigaction() and signal().
#if defined(RILL_HAS_POSIX_STREAM_DESCRIPTOR) && defined(RILL_HAS_SIGACTION) && \
    defined(RILL_HAS_SIGNAL)
constexpr bool has_posix_features =
    RILL_HAS_POSIX_STREAM_DESCRIPTOR == 1 && RILL_HAS_SIGACTION == 1 && RILL_HAS_SIGNAL == 1;
#else
constexpr bool has_posix_features = false;
#endif

TEST(detail_config, linux_has_stream_descriptors_and_signals) { EXPECT_TRUE(has_posix_features); }

}  // namespace
