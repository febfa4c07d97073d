// detail::io_control::bytes_readable as a plain value.
#include <rill/detail/io_control.hpp>

#include <gtest/gtest.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <type_traits>

namespace {

using rill::detail::io_control::bytes_readable;

static_assert(std::is_same_v<decltype(bytes_readable().data()), int*>);
// Implicit from a size, as in Asio.
static_assert(std::is_convertible_v<std::size_t, bytes_readable>);

TEST(detail_io_control, bytes_readable_value) {
  bytes_readable b;
  EXPECT_EQ(b.get(), 0u);
  EXPECT_EQ(b.name(), static_cast<int>(FIONREAD));
  b.set(99);
  EXPECT_EQ(*b.data(), 99);
  *b.data() = 7;  // as ioctl writes it
  EXPECT_EQ(b.get(), 7u);
  const bytes_readable c(std::size_t{5});
  EXPECT_EQ(*c.data(), 5);
}

}  // namespace
