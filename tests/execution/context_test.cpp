// Tests for rill/execution/context.hpp.
#include <rill/execution/context.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/io_context.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
#include <rill/system_context.hpp>
#include <rill/system_executor.hpp>
#include <rill/thread_pool.hpp>

#include "support/user_executor.hpp"

namespace {

namespace execution = rill::execution;

static_assert(!execution::context_t::is_requirable);
static_assert(!execution::context_t::is_preferable);
static_assert(!rill::can_require_v<rill::io_context::executor_type, execution::context_t>);

TEST(context, executors_answer_with_their_context) {
  rill::io_context ioc;
  static_assert(std::is_same_v<decltype(rill::query(ioc.get_executor(), execution::context)),
                               rill::io_context&>);
  EXPECT_EQ(&rill::query(ioc.get_executor(), execution::context), &ioc);
  EXPECT_EQ(&rill::query(rill::require(ioc.get_executor(), execution::blocking.never),
                         execution::context),
            &ioc);

  rill::thread_pool pool(1);
  static_assert(std::is_same_v<decltype(rill::query(pool.executor(), execution::context)),
                               rill::thread_pool&>);
  EXPECT_EQ(&rill::query(pool.executor(), execution::context), &pool);
  pool.join();

  rill::system_context& sys = rill::query(rill::system_executor(), execution::context);
  EXPECT_EQ(&sys, &rill::system_executor().context());

  rill_test::user_context user;
  EXPECT_EQ(&rill::query(user.get_executor(), execution::context), &user);
}

}  // namespace
