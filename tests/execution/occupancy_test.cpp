// Tests for rill/execution/occupancy.hpp.
#include <rill/execution/occupancy.hpp>

#include <gtest/gtest.h>

#include <cstddef>

#include <rill/io_context.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
#include <rill/system_executor.hpp>
#include <rill/thread_pool.hpp>

namespace {

namespace execution = rill::execution;

// As in Asio, an io_context executor does not say.
static_assert(!rill::can_query_v<rill::io_context::executor_type, execution::occupancy_t>);

TEST(occupancy, a_thread_pool_answers_with_its_number_of_threads) {
  rill::thread_pool pool(3);
  EXPECT_EQ(rill::query(pool.executor(), execution::occupancy), 3u);
  EXPECT_EQ(
      rill::query(rill::require(pool.executor(), execution::blocking.always), execution::occupancy),
      3u);
  pool.join();
}

TEST(occupancy, the_system_executor_answers_with_its_pools_threads) {
  EXPECT_GE(rill::query(rill::system_executor(), execution::occupancy), std::size_t{2});
}

}  // namespace
