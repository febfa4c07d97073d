#include <rill/associated_allocator.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <type_traits>

#include "support/counting_allocator.hpp"

namespace {

using rill_test::allocation_log;
using rill_test::counting_allocator;

struct plain_handler {
  void operator()() {}
};

// The documentation's first form: a nested allocator_type and get_allocator().
struct nested_handler {
  using allocator_type = counting_allocator<int>;
  allocator_type get_allocator() const noexcept { return allocator_type(*log); }
  allocation_log* log;
  void operator()() {}
};

// The documentation's second form: a partial specialisation.
struct specialised_handler {
  allocation_log* log;
  void operator()() {}
};

}  // namespace

namespace rill {
template <typename Allocator>
struct associated_allocator<specialised_handler, Allocator> {
  using type = rill_test::counting_allocator<char>;
  static type get(const specialised_handler& h, const Allocator& /*a*/ = Allocator()) noexcept {
    return type(*h.log);
  }
};
}  // namespace rill

namespace {

TEST(associated_allocator, default_is_std_allocator_void) {
  static_assert(std::is_same_v<rill::associated_allocator_t<plain_handler>, std::allocator<void>>);
  auto a = rill::get_associated_allocator(plain_handler{});
  static_assert(std::is_same_v<decltype(a), std::allocator<void>>);
}

TEST(associated_allocator, default_is_the_second_argument) {
  allocation_log log;
  counting_allocator<double> fallback(log);
  auto a = rill::get_associated_allocator(plain_handler{}, fallback);
  static_assert(std::is_same_v<decltype(a), counting_allocator<double>>);
  EXPECT_EQ(&a.log(), &log);
}

TEST(associated_allocator, nested_allocator_type_wins_over_argument) {
  allocation_log mine;
  allocation_log other;
  nested_handler h{&mine};
  auto a = rill::get_associated_allocator(h, counting_allocator<char>(other));
  static_assert(std::is_same_v<decltype(a), counting_allocator<int>>);
  EXPECT_EQ(&a.log(), &mine);
  static_assert(
      std::is_same_v<rill::associated_allocator_t<nested_handler>, counting_allocator<int>>);
}

TEST(associated_allocator, partial_specialisation_is_used) {
  allocation_log log;
  specialised_handler h{&log};
  auto a = rill::get_associated_allocator(h);
  static_assert(std::is_same_v<decltype(a), counting_allocator<char>>);
  EXPECT_EQ(&a.log(), &log);
  auto b = rill::get_associated_allocator(h, std::allocator<int>());
  EXPECT_EQ(&b.log(), &log);
}

}  // namespace
