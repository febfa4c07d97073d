// Tests for rill/prefer.hpp: like require where the type supports the
// property (require members come first), otherwise the object itself.
#include <rill/prefer.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/execution/allocator.hpp>
#include <rill/execution/blocking.hpp>
#include <rill/execution/relationship.hpp>
#include <rill/io_context.hpp>
#include <rill/query.hpp>

#include "support/counting_allocator.hpp"

namespace {

namespace execution = rill::execution;

struct speed_t {
  template <typename T>
  static constexpr bool is_applicable_property_v = true;
  [[maybe_unused]] static constexpr bool is_requirable = false;
  [[maybe_unused]] static constexpr bool is_preferable = true;
};

struct fast_by_require {
  bool fast = false;
  fast_by_require require(speed_t /*p*/) const { return {true}; }
};

struct fast_by_prefer {
  bool fast = false;
  fast_by_prefer prefer(speed_t /*p*/) const { return {true}; }
};

struct both {
  int how = 0;
  both require(speed_t /*p*/) const { return {1}; }
  both prefer(speed_t /*p*/) const { return {2}; }
};

namespace adl {
struct freely {
  bool fast = false;
};
inline freely prefer(const freely& /*f*/, speed_t /*p*/) { return {true}; }
}  // namespace adl

struct slow {};

struct not_preferable_t {
  template <typename T>
  static constexpr bool is_applicable_property_v = true;
  [[maybe_unused]] static constexpr bool is_requirable = true;
  [[maybe_unused]] static constexpr bool is_preferable = false;
};

static_assert(std::is_same_v<rill::prefer_result_t<const slow&, speed_t>, const slow&>);
static_assert(std::is_same_v<rill::prefer_result_t<slow, speed_t>, slow&&>);
static_assert(!rill::can_prefer_v<slow, not_preferable_t>);
static_assert(rill::is_nothrow_prefer_v<slow, speed_t>);

TEST(prefer, member_require_then_free_require_then_prefer_then_identity) {
  EXPECT_TRUE(rill::prefer(fast_by_require(), speed_t()).fast);
  EXPECT_TRUE(rill::prefer(fast_by_prefer(), speed_t()).fast);
  EXPECT_EQ(rill::prefer(both(), speed_t()).how, 1);
  EXPECT_TRUE(rill::prefer(adl::freely(), speed_t()).fast);
  slow s;
  auto&& same = rill::prefer(s, speed_t());
  EXPECT_EQ(&same, &s);
}

TEST(prefer, io_context_executor_takes_what_it_supports) {
  rill::io_context ioc;
  rill_test::allocation_log log;
  auto ex = rill::prefer(ioc.get_executor(), execution::blocking.never,
                         execution::relationship.continuation,
                         execution::allocator(rill_test::counting_allocator<int>(log)));
  EXPECT_TRUE(rill::query(ex, execution::blocking) == execution::blocking.never);
  EXPECT_TRUE(rill::query(ex, execution::relationship) == execution::relationship.continuation);
  EXPECT_TRUE(rill::query(ex, execution::allocator) == rill_test::counting_allocator<int>(log));
  // blocking.always is not something an io_context executor can do: ignored.
  auto same = rill::prefer(ioc.get_executor(), execution::blocking.always);
  EXPECT_TRUE(same == ioc.get_executor());
}

}  // namespace
