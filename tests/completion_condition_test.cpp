// Completion conditions: how much the next step of a composed read or write
// may transfer, and when it is done.
#include <rill/completion_condition.hpp>

#include <gtest/gtest.h>

#include <cstddef>

#include <rill/error.hpp>

namespace {

constexpr std::size_t max_step = 65536;
const rill::error_code failed = rill::error::eof;

static_assert(rill::detail::default_max_transfer_size == max_step);
static_assert(rill::detail::completion_condition<rill::detail::transfer_all_t>);
static_assert(rill::detail::completion_condition<rill::detail::transfer_exactly_t>);
static_assert(rill::detail::completion_condition<bool (*)(const rill::error_code&, std::size_t)>);
static_assert(!rill::detail::completion_condition<rill::error_code>);
static_assert(!rill::detail::completion_condition<void (*)(rill::error_code, std::size_t)>);

TEST(completion_condition, transfer_all_steps_at_the_default_size_until_an_error) {
  auto c = rill::transfer_all();
  EXPECT_EQ(c(rill::error_code(), 0), max_step);
  EXPECT_EQ(c(rill::error_code(), 10 * max_step), max_step);
  EXPECT_EQ(c(failed, 3), 0u);
}

TEST(completion_condition, transfer_at_least_stops_at_the_minimum_or_an_error) {
  auto c = rill::transfer_at_least(10);
  EXPECT_EQ(c(rill::error_code(), 0), max_step);
  EXPECT_EQ(c(rill::error_code(), 9), max_step);
  EXPECT_EQ(c(rill::error_code(), 10), 0u);
  EXPECT_EQ(c(rill::error_code(), 11), 0u);
  EXPECT_EQ(c(failed, 0), 0u);
  EXPECT_EQ(rill::transfer_at_least(0)(rill::error_code(), 0), 0u);
}

TEST(completion_condition, transfer_exactly_never_asks_for_more_than_is_missing) {
  auto c = rill::transfer_exactly(max_step + 100);
  EXPECT_EQ(c(rill::error_code(), 0), max_step);
  EXPECT_EQ(c(rill::error_code(), max_step), 100u);
  EXPECT_EQ(c(rill::error_code(), max_step + 99), 1u);
  EXPECT_EQ(c(rill::error_code(), max_step + 100), 0u);
  EXPECT_EQ(c(failed, 5), 0u);
  EXPECT_EQ(rill::transfer_exactly(7)(rill::error_code(), 3), 4u);
}

TEST(completion_condition, a_bool_condition_means_finished) {
  auto done_at_4 = [](const rill::error_code& ec, std::size_t n) { return ec || n >= 4; };
  EXPECT_EQ(rill::detail::check_completion(done_at_4, rill::error_code(), 3), max_step);
  EXPECT_EQ(rill::detail::check_completion(done_at_4, rill::error_code(), 4), 0u);
  EXPECT_EQ(rill::detail::check_completion(done_at_4, failed, 0), 0u);
  auto sized = [](const rill::error_code&, std::size_t n) -> std::size_t { return 5 - n; };
  EXPECT_EQ(rill::detail::check_completion(sized, rill::error_code(), 2), 3u);
}

}  // namespace
