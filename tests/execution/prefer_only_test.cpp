// Tests for rill/execution/prefer_only.hpp.
#include <rill/execution/prefer_only.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/execution/blocking.hpp>
#include <rill/execution/outstanding_work.hpp>
#include <rill/io_context.hpp>
#include <rill/prefer.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>

namespace {

namespace execution = rill::execution;
using io_executor = rill::io_context::executor_type;
using tracked_only = execution::prefer_only<execution::outstanding_work_t::tracked_t>;

struct plain_executor {
  template <typename F>
  void execute(F&& f) const {
    f();
  }
  [[maybe_unused]] friend bool operator==(const plain_executor&, const plain_executor&) = default;
};

static_assert(!tracked_only::is_requirable);
static_assert(tracked_only::is_preferable);
static_assert(
    std::is_same_v<tracked_only::polymorphic_query_result_type, execution::outstanding_work_t>);
static_assert(rill::is_applicable_property_v<io_executor, tracked_only>);
static_assert(!rill::is_applicable_property_v<int, tracked_only>);
static_assert(!rill::can_require_v<io_executor, tracked_only>);
static_assert(rill::can_prefer_v<io_executor, tracked_only>);
// What the inner property says statically, prefer_only says too.
static_assert(tracked_only::static_query_v<io_executor> == execution::outstanding_work.untracked);

TEST(prefer_only, prefer_forwards_to_the_inner_property) {
  rill::io_context ioc;
  auto tracked =
      rill::prefer(ioc.get_executor(), tracked_only(execution::outstanding_work.tracked));
  EXPECT_TRUE(rill::query(tracked, execution::outstanding_work) ==
              execution::outstanding_work.tracked);
  EXPECT_TRUE(rill::query(tracked, tracked_only(execution::outstanding_work.tracked)) ==
              execution::outstanding_work.tracked);
  // An executor that cannot track work is left alone.
  plain_executor plain;
  auto&& same = rill::prefer(plain, tracked_only(execution::outstanding_work.tracked));
  EXPECT_EQ(&same, &plain);
}

}  // namespace
