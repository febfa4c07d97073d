// Tests for rill/is_applicable_property.hpp.
#include <rill/is_applicable_property.hpp>

#include <gtest/gtest.h>

#include <rill/execution/blocking.hpp>
#include <rill/execution/context.hpp>
#include <rill/io_context.hpp>

namespace {

namespace execution = rill::execution;

struct only_for_ints {
  template <typename T>
  static constexpr bool is_applicable_property_v = std::is_same_v<T, int>;
};
struct no_member {};

static_assert(rill::is_applicable_property_v<int, only_for_ints>);
static_assert(!rill::is_applicable_property_v<long, only_for_ints>);
static_assert(!rill::is_applicable_property_v<int, no_member>);
// Execution properties apply to what can execute a function object.
static_assert(
    rill::is_applicable_property_v<rill::io_context::executor_type, execution::blocking_t>);
static_assert(rill::is_applicable_property_v<rill::io_context::executor_type,
                                             execution::blocking_t::never_t>);
static_assert(!rill::is_applicable_property_v<rill::io_context, execution::context_t>);
static_assert(!rill::is_applicable_property_v<int, execution::blocking_t>);

TEST(is_applicable_property, is_a_compile_time_trait) { SUCCEED(); }

}  // namespace
