// Tests for rill/require.hpp: identity when the type already has the value,
// then member, then free function; chains of properties.
#include <rill/require.hpp>

#include <gtest/gtest.h>

#include <type_traits>
#include <utility>

#include <rill/execution/blocking.hpp>
#include <rill/execution/outstanding_work.hpp>
#include <rill/execution/relationship.hpp>
#include <rill/io_context.hpp>
#include <rill/query.hpp>

namespace {

namespace execution = rill::execution;

// A requirable property with a value, in the shape of Asio's.
template <int N>
struct level_t {
  template <typename T>
  static constexpr bool is_applicable_property_v = true;
  [[maybe_unused]] static constexpr bool is_requirable = true;
  [[maybe_unused]] static constexpr bool is_preferable = true;
  template <typename T>
  requires requires { T::level; }
  static constexpr int static_query_v = T::level;
  static constexpr int value() { return N; }
};

template <int Level>
struct leveled {
  static constexpr int level = Level;
  template <int N>
  leveled<N> require(level_t<N> /*p*/) const {
    return {};
  }
};

// Not requirable.
struct hint_t {
  template <typename T>
  static constexpr bool is_applicable_property_v = true;
  [[maybe_unused]] static constexpr bool is_requirable = false;
  [[maybe_unused]] static constexpr bool is_preferable = true;
};

namespace adl {
struct freely {
  int required = 0;
};
inline freely require(const freely& f, level_t<1> /*p*/) { return {f.required + 1}; }
}  // namespace adl

struct with_hint {
  with_hint require(hint_t /*p*/) const { return {}; }
};

// Already at level 1: the object itself, by reference.
static_assert(
    std::is_same_v<rill::require_result_t<const leveled<1>&, level_t<1>>, const leveled<1>&>);
static_assert(std::is_same_v<rill::require_result_t<leveled<1>, level_t<2>>, leveled<2>>);
static_assert(
    std::is_same_v<rill::require_result_t<leveled<1>, level_t<2>, level_t<3>>, leveled<3>>);
static_assert(!rill::can_require_v<with_hint, hint_t>);  // not requirable, even with a member
static_assert(!rill::can_require_v<int, level_t<1>>);
static_assert(rill::can_require_v<adl::freely, level_t<1>>);
static_assert(!rill::can_require_v<adl::freely, level_t<2>>);
// A chain that makes a new object and then meets the identity returns by
// value: a reference into the temporary would dangle.
static_assert(
    std::is_same_v<rill::require_result_t<leveled<1>, level_t<2>, level_t<2>>, leveled<2>>);
static_assert(
    std::is_same_v<rill::require_result_t<leveled<1>&, level_t<1>, level_t<1>>, leveled<1>&>);

TEST(require, identity_member_and_free_function) {
  leveled<1> l;
  auto&& same = rill::require(l, level_t<1>());
  EXPECT_EQ(&same, &l);
  EXPECT_EQ(rill::require(l, level_t<5>()).level, 5);
  EXPECT_EQ(rill::require(adl::freely{3}, level_t<1>()).required, 4);
}

TEST(require, chains_io_context_executor_properties) {
  rill::io_context ioc;
  auto ex =
      rill::require(ioc.get_executor(), execution::blocking.never,
                    execution::relationship.continuation, execution::outstanding_work.tracked);
  EXPECT_TRUE(rill::query(ex, execution::blocking) == execution::blocking.never);
  EXPECT_TRUE(rill::query(ex, execution::relationship) == execution::relationship.continuation);
  EXPECT_TRUE(rill::query(ex, execution::outstanding_work) == execution::outstanding_work.tracked);
  auto back = rill::require(ex, execution::outstanding_work.untracked, execution::blocking.possibly,
                            execution::relationship.fork);
  EXPECT_TRUE(back == ioc.get_executor());
}

}  // namespace
