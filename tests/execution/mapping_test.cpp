// Tests for rill/execution/mapping.hpp.
#include <rill/execution/mapping.hpp>

#include <gtest/gtest.h>

#include <rill/io_context.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
#include <rill/system_executor.hpp>
#include <rill/thread_pool.hpp>

namespace {

namespace execution = rill::execution;

struct plain_executor {
  template <typename F>
  void execute(F&& f) const {
    f();
  }
  [[maybe_unused]] friend bool operator==(const plain_executor&, const plain_executor&) = default;
};

struct fibre_executor : plain_executor {
  static constexpr execution::mapping_t query(execution::mapping_t /*p*/) noexcept {
    return execution::mapping.other;
  }
};

static_assert(rill::query(plain_executor(), execution::mapping) == execution::mapping.thread);
static_assert(execution::mapping_t::static_query_v<rill::io_context::executor_type> ==
              execution::mapping.thread);
static_assert(execution::mapping_t::static_query_v<rill::thread_pool::executor_type> ==
              execution::mapping.thread);
static_assert(rill::query(rill::system_executor(), execution::mapping) ==
              execution::mapping.thread);
static_assert(rill::query(fibre_executor(), execution::mapping) == execution::mapping.other);
// Asking for what the type has is the identity; asking for anything else
// is not possible.
static_assert(rill::can_require_v<fibre_executor, execution::mapping_t::other_t>);
static_assert(!rill::can_require_v<fibre_executor, execution::mapping_t::thread_t>);
static_assert(
    !rill::can_require_v<rill::io_context::executor_type, execution::mapping_t::new_thread_t>);

TEST(mapping, values_are_distinct) {
  EXPECT_FALSE(execution::mapping_t(execution::mapping.thread) == execution::mapping.new_thread);
  EXPECT_FALSE(execution::mapping_t(execution::mapping.new_thread) == execution::mapping.other);
  EXPECT_TRUE(execution::mapping_t(execution::mapping.other) == execution::mapping.other);
}

}  // namespace
