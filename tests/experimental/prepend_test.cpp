// experimental::prepend: Asio 1.22's name for rill::prepend, the same template.
#include <rill/experimental/prepend.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <rill/io_context.hpp>
#include <rill/post.hpp>

namespace {

TEST(experimental_prepend, names_the_same_token) {
  auto handler = [](int) {};
  static_assert(std::is_same_v<rill::experimental::prepend_t<decltype(handler), int>,
                               rill::prepend_t<decltype(handler), int>>);
  rill::io_context ioc;
  int got = 0;
  rill::post(ioc, rill::experimental::prepend([&](int v) { got = v; }, 3));
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(got, 3);
}

}  // namespace
