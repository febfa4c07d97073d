// Tests for rill/static_thread_pool.hpp: Asio's older name of thread_pool.
#include <rill/static_thread_pool.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/execution.hpp>

namespace {

static_assert(std::is_same_v<rill::static_thread_pool, rill::thread_pool>);

TEST(static_thread_pool, executes_as_asios_bank_account_example_does) {
  rill::static_thread_pool pool{1};
  int balance = 0;
  rill::execution::execute(rill::require(pool.executor(), rill::execution::blocking.always),
                           [&] { balance += 20; });
  rill::execution::execute(rill::require(pool.executor(), rill::execution::blocking.always),
                           [&] { balance -= 10; });
  EXPECT_EQ(balance, 10);
  pool.wait();
}

}  // namespace
