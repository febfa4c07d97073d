// Tests for rill/query.hpp: the order in which a property's value is found
// (static value, member, free function), and the traits.
#include <rill/query.hpp>

#include <gtest/gtest.h>

#include <type_traits>

namespace {

// A property applicable to every type with a nested tag.
template <typename T>
concept tagged = requires {
  typename T::tag;
};

struct colour_t {
  template <typename T>
  static constexpr bool is_applicable_property_v = tagged<T>;
  [[maybe_unused]] static constexpr bool is_requirable = false;
  [[maybe_unused]] static constexpr bool is_preferable = false;
  using polymorphic_query_result_type = int;

  // A type states its colour statically with a constexpr static member.
  template <typename T>
  requires requires { T::colour; }
  static constexpr int static_query_v = T::colour;
};
inline constexpr colour_t colour;

struct static_thing {
  using tag = void;
  static constexpr int colour = 7;
  // Never reached: the static value comes first.
  int query(colour_t /*p*/) const { return -1; }
};

struct member_thing {
  using tag = void;
  int value = 3;
  int query(colour_t /*p*/) const noexcept { return value; }
};

namespace adl {
struct free_thing {
  using tag = void;
  int value = 5;
};
int query(const free_thing& t, colour_t /*p*/) { return t.value; }
}  // namespace adl

namespace adl {
struct both {
  using tag = void;
  int query(colour_t /*p*/) const { return 1; }
};
[[maybe_unused]] int query(const both& /*t*/, colour_t /*p*/) { return 2; }
}  // namespace adl

// Not applicable: no tag, even with a member.
struct untagged {
  int query(colour_t /*p*/) const { return 9; }
};

static_assert(rill::query(static_thing(), colour) == 7);
static_assert(rill::can_query_v<static_thing, colour_t>);
static_assert(rill::is_nothrow_query_v<static_thing, colour_t>);
static_assert(rill::is_nothrow_query_v<member_thing, colour_t>);
static_assert(!rill::is_nothrow_query_v<adl::free_thing, colour_t>);
static_assert(!rill::can_query_v<untagged, colour_t>);
static_assert(!rill::can_query_v<int, colour_t>);
static_assert(std::is_same_v<rill::query_result_t<member_thing, colour_t>, int>);
// No type when the query is not possible (SFINAE-friendly).
template <typename T, typename P>
concept has_query_result = requires {
  typename rill::query_result<T, P>::type;
};
static_assert(!has_query_result<untagged, colour_t>);

TEST(query, member_then_free_function) {
  EXPECT_EQ(rill::query(member_thing{4}, colour), 4);
  EXPECT_EQ(rill::query(adl::free_thing{6}, colour), 6);
  EXPECT_EQ(rill::query(adl::both(), colour), 1);  // the member comes first
  const member_thing m{8};
  EXPECT_EQ(rill::query(m, colour), 8);
}

}  // namespace
