// streambuf: basic_streambuf as a std::streambuf and as a dynamic buffer, and
// basic_streambuf_ref.
#include <rill/streambuf.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <istream>
#include <limits>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>

#include <rill/basic_streambuf.hpp>
#include <rill/buffer.hpp>
#include <rill/buffers_iterator.hpp>

#include "support/counting_allocator.hpp"

namespace {

static_assert(std::is_same_v<rill::streambuf, rill::basic_streambuf<std::allocator<char>>>);
static_assert(std::is_base_of_v<std::streambuf, rill::streambuf>);
static_assert(!std::is_copy_constructible_v<rill::streambuf>);
static_assert(std::is_same_v<rill::streambuf::const_buffers_type, rill::const_buffer>);
static_assert(std::is_same_v<rill::streambuf::mutable_buffers_type, rill::mutable_buffer>);
// The streambuf has the v1 interface; the ref is the copyable handle to it.
static_assert(rill::is_dynamic_buffer_v1<rill::streambuf>::value);
static_assert(!rill::is_dynamic_buffer_v2<rill::streambuf>::value);
static_assert(rill::is_dynamic_buffer<rill::basic_streambuf_ref<>>::value);
static_assert(std::is_copy_constructible_v<rill::basic_streambuf_ref<>>);
static_assert(std::is_same_v<decltype(rill::dynamic_buffer(std::declval<rill::streambuf&>())),
                             rill::basic_streambuf_ref<>>);

std::string text(const rill::const_buffer& b) {
  return std::string(static_cast<const char*>(b.data()), b.size());
}

void fill(const rill::mutable_buffer& b, std::string_view s) {
  ASSERT_EQ(rill::buffer_copy(b, rill::buffer(s)), s.size());
}

TEST(streambuf, starts_empty) {
  rill::streambuf sb;
  EXPECT_EQ(sb.size(), 0u);
  EXPECT_EQ(sb.data().size(), 0u);
  EXPECT_EQ(sb.max_size(), std::numeric_limits<std::size_t>::max());
  EXPECT_GE(sb.capacity(), 1u);
}

TEST(streambuf, prepare_commit_consume) {
  rill::streambuf sb;
  rill::mutable_buffer out = sb.prepare(5);
  EXPECT_EQ(out.size(), 5u);
  EXPECT_EQ(sb.size(), 0u);  // prepared bytes are not input yet
  fill(out, "hello");
  sb.commit(5);
  EXPECT_EQ(sb.size(), 5u);
  EXPECT_EQ(text(sb.data()), "hello");

  fill(sb.prepare(6), " world");
  sb.commit(3);  // only " wo"
  EXPECT_EQ(text(sb.data()), "hello wo");

  sb.consume(6);
  EXPECT_EQ(text(sb.data()), "wo");
  sb.consume(100);  // more than there is: all of it
  EXPECT_EQ(sb.size(), 0u);

  // Committing more than was prepared commits what was prepared.
  fill(sb.prepare(2), "ab");
  sb.commit(1000);
  EXPECT_EQ(text(sb.data()), "ab");
}

TEST(streambuf, ostream_appends_and_istream_consumes) {
  rill::streambuf sb;
  std::ostream os(&sb);
  os << "GET /index.html HTTP/1.1\r\n" << 42 << ' ' << 3.5 << '\n';
  EXPECT_TRUE(os.good());
  EXPECT_EQ(text(sb.data()), "GET /index.html HTTP/1.1\r\n42 3.5\n");

  std::istream is(&sb);
  std::string method, path;
  is >> method >> path;
  EXPECT_EQ(method, "GET");
  EXPECT_EQ(path, "/index.html");
  EXPECT_EQ(text(sb.data()), " HTTP/1.1\r\n42 3.5\n");

  std::string line;
  std::getline(is, line);
  EXPECT_EQ(line, " HTTP/1.1\r");
  int n = 0;
  double d = 0;
  is >> n >> d;
  EXPECT_EQ(n, 42);
  EXPECT_EQ(d, 3.5);
  EXPECT_EQ(text(sb.data()), "\n");

  // Data committed through prepare() is readable by the istream too.
  fill(sb.prepare(4), "more");
  sb.commit(4);
  std::string word;
  is >> word;
  EXPECT_EQ(word, "more");
  EXPECT_EQ(sb.size(), 0u);
  is >> word;
  EXPECT_TRUE(is.eof());
}

TEST(streambuf, grows_for_large_writes_and_reads_back) {
  rill::streambuf sb;
  std::ostream os(&sb);
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    os << i << ',';
    expected += std::to_string(i) + ',';
  }
  ASSERT_TRUE(os.good());
  EXPECT_EQ(sb.size(), expected.size());
  EXPECT_EQ(text(sb.data()), expected);
  EXPECT_GE(sb.capacity(), expected.size());

  std::istream is(&sb);
  for (int i = 0; i < 20000; ++i) {
    int v = -1;
    char comma = 0;
    is >> v >> comma;
    ASSERT_EQ(v, i);
    ASSERT_EQ(comma, ',');
  }
  EXPECT_EQ(sb.size(), 0u);
}

TEST(streambuf, consumed_space_is_reused_before_growing) {
  rill::streambuf sb;
  fill(sb.prepare(100), std::string(100, 'a'));
  sb.commit(100);
  const std::size_t capacity = sb.capacity();
  for (int round = 0; round < 100; ++round) {
    sb.consume(60);
    fill(sb.prepare(60), std::string(60, 'b'));
    sb.commit(60);
    ASSERT_EQ(sb.size(), 100u);
  }
  EXPECT_EQ(sb.capacity(), capacity);
  EXPECT_EQ(text(sb.data()), std::string(100, 'b'));
}

TEST(streambuf, prepare_beyond_max_size_throws_and_keeps_contents) {
  rill::streambuf sb(10);
  EXPECT_EQ(sb.max_size(), 10u);
  fill(sb.prepare(6), "abcdef");
  sb.commit(6);
  sb.consume(2);
  EXPECT_THROW((void)sb.prepare(7), std::length_error);
  EXPECT_THROW((void)sb.prepare(std::numeric_limits<std::size_t>::max()), std::length_error);
  EXPECT_EQ(text(sb.data()), "cdef");  // intact after the error

  fill(sb.prepare(6), "ghijkl");  // exactly up to max_size
  sb.commit(6);
  EXPECT_EQ(text(sb.data()), "cdefghijkl");
  EXPECT_THROW((void)sb.prepare(1), std::length_error);
  EXPECT_EQ(sb.prepare(0).size(), 0u);
  sb.consume(10);
  EXPECT_EQ(sb.prepare(10).size(), 10u);
}

TEST(streambuf, ostream_beyond_max_size_sets_badbit) {
  rill::streambuf sb(8);
  std::ostream os(&sb);
  os << "0123456789";
  EXPECT_TRUE(os.bad());
  EXPECT_EQ(sb.size(), 8u);
  EXPECT_EQ(text(sb.data()), "01234567");

  // A stream that asks for exceptions gets the length_error.
  rill::streambuf small(4);
  std::ostream strict(&small);
  strict.exceptions(std::ios::badbit);
  EXPECT_THROW(strict << "too long", std::length_error);
}

TEST(streambuf, zero_max_size) {
  rill::streambuf sb(0);
  EXPECT_EQ(sb.prepare(0).size(), 0u);
  EXPECT_THROW((void)sb.prepare(1), std::length_error);
  std::ostream os(&sb);
  os << 'x';
  EXPECT_TRUE(os.bad());
  EXPECT_EQ(sb.size(), 0u);
}

TEST(streambuf, buffers_iterator_over_data) {
  rill::streambuf sb;
  std::ostream(&sb) << "key: value\r\n\r\nbody";
  const auto begin = rill::buffers_begin(sb.data());
  const auto end = rill::buffers_end(sb.data());
  const std::string_view delim = "\r\n\r\n";
  const auto found = std::search(begin, end, delim.begin(), delim.end());
  EXPECT_EQ(found - begin, 10);
  EXPECT_EQ(std::string(begin, found), "key: value");
}

TEST(streambuf, ref_is_a_dynamic_buffer_view) {
  rill::streambuf sb(16);
  auto ref = rill::dynamic_buffer(sb);
  auto copy = ref;
  fill(ref.prepare(3), "abc");
  ref.commit(3);
  EXPECT_EQ(copy.size(), 3u);
  EXPECT_EQ(sb.size(), 3u);
  EXPECT_EQ(text(copy.data()), "abc");
  EXPECT_EQ(copy.max_size(), 16u);
  EXPECT_EQ(copy.capacity(), sb.capacity());
  copy.consume(1);
  EXPECT_EQ(text(sb.data()), "bc");
  EXPECT_THROW((void)ref.prepare(15), std::length_error);

  rill::basic_streambuf_ref<> explicit_ref(sb);
  EXPECT_EQ(explicit_ref.size(), 2u);
}

TEST(streambuf, uses_its_allocator) {
  rill_test::allocation_log log;
  {
    rill::basic_streambuf<rill_test::counting_allocator<char>> sb(
        1000, rill_test::counting_allocator<char>(log));
    const int initial = log.allocations.load();
    EXPECT_GE(initial, 1);
    fill(sb.prepare(500), std::string(500, 'z'));
    sb.commit(500);
    EXPECT_GT(log.allocations.load(), initial);
    EXPECT_THROW((void)sb.prepare(501), std::length_error);
  }
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
