// Tests for rill/execution/context_as.hpp.
#include <rill/execution/context_as.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/execution_context.hpp>
#include <rill/io_context.hpp>
#include <rill/query.hpp>

namespace {

namespace execution = rill::execution;

struct no_context_executor {
  template <typename F>
  void execute(F&& f) const {
    f();
  }
  [[maybe_unused]] friend bool operator==(const no_context_executor&,
                                          const no_context_executor&) = default;
};

static_assert(
    std::is_same_v<execution::context_as_t<rill::execution_context&>::polymorphic_query_result_type,
                   rill::execution_context&>);
static_assert(
    !rill::can_query_v<no_context_executor, execution::context_as_t<rill::execution_context&>>);
// The context must convert to the asked type.
static_assert(!rill::can_query_v<rill::io_context::executor_type, execution::context_as_t<int&>>);

TEST(context_as, converts_the_context_query) {
  rill::io_context ioc;
  auto ex = ioc.get_executor();
  static_assert(
      std::is_same_v<decltype(rill::query(ex, execution::context_as<rill::execution_context&>)),
                     rill::execution_context&>);
  rill::execution_context& ctx = rill::query(ex, execution::context_as<rill::execution_context&>);
  EXPECT_EQ(&ctx, static_cast<rill::execution_context*>(&ioc));
  // Made from context, as polymorphic executors do.
  const execution::context_as_t<rill::io_context&> p = execution::context;
  EXPECT_EQ(&rill::query(ex, p), &ioc);
}

}  // namespace
