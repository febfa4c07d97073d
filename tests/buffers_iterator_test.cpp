// buffers_iterator: the bytes of a buffer sequence as one random-access range.
#include <rill/buffers_iterator.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <rill/buffer.hpp>

namespace {

using rill::const_buffer;
using rill::mutable_buffer;

using const_iter = rill::buffers_iterator<std::vector<const_buffer>>;
using mutable_iter = rill::buffers_iterator<std::vector<mutable_buffer>>;
using one_iter = rill::buffers_iterator<const_buffer>;

static_assert(std::random_access_iterator<const_iter>);
static_assert(std::random_access_iterator<mutable_iter>);
static_assert(std::random_access_iterator<one_iter>);
static_assert(std::random_access_iterator<rill::buffers_iterator<mutable_buffer>>);
static_assert(std::is_same_v<std::iter_reference_t<const_iter>, const char&>);
static_assert(std::is_same_v<std::iter_reference_t<mutable_iter>, char&>);
static_assert(std::is_same_v<std::iter_value_t<const_iter>, char>);
static_assert(
    std::is_same_v<std::iter_reference_t<rill::buffers_iterator<mutable_buffer, unsigned char>>,
                   unsigned char&>);
static_assert(
    std::is_same_v<decltype(rill::buffers_begin(std::declval<std::vector<const_buffer>&>())),
                   const_iter>);

// "Hello, World!\n" in pieces, with empty buffers at the start, the end and
// in between.
struct pieces {
  std::string a = "Hel", b = "lo, W", c = "o", d = "rld!\n";
  std::vector<const_buffer> seq = {const_buffer(),  rill::buffer(a), rill::buffer(b),
                                   const_buffer(),  const_buffer(),  rill::buffer(c),
                                   rill::buffer(d), const_buffer()};
  std::string flat = a + b + c + d;
};

TEST(buffers_iterator, iterates_all_bytes_in_order) {
  const pieces p;
  const auto begin = rill::buffers_begin(p.seq);
  const auto end = rill::buffers_end(p.seq);
  EXPECT_EQ(end - begin, static_cast<std::ptrdiff_t>(p.flat.size()));
  EXPECT_EQ(std::string(begin, end), p.flat);

  std::string forward;
  for (auto i = begin; i != end; ++i) forward += *i;
  EXPECT_EQ(forward, p.flat);

  std::string backward;
  for (auto i = end; i != begin;) backward += *--i;
  EXPECT_EQ(backward, std::string(p.flat.rbegin(), p.flat.rend()));
  EXPECT_EQ(std::string(std::make_reverse_iterator(end), std::make_reverse_iterator(begin)),
            backward);
}

TEST(buffers_iterator, random_access_from_every_position) {
  const pieces p;
  const auto begin = rill::buffers_begin(p.seq);
  const auto end = rill::buffers_end(p.seq);
  const auto n = static_cast<std::ptrdiff_t>(p.flat.size());
  for (std::ptrdiff_t i = 0; i <= n; ++i) {
    const auto at_i = begin + i;
    EXPECT_EQ(at_i - begin, i);
    EXPECT_EQ(end - at_i, n - i);
    EXPECT_EQ(at_i, end - (n - i));
    if (i < n) {
      EXPECT_EQ(*at_i, p.flat[static_cast<std::size_t>(i)]);
      EXPECT_EQ(begin[i], p.flat[static_cast<std::size_t>(i)]);
    }
    for (std::ptrdiff_t j = 0; j <= n; ++j) {
      // Jump from i to j in one step, forwards or backwards.
      auto k = at_i;
      k += j - i;
      EXPECT_EQ(k - begin, j);
      EXPECT_EQ(k, begin + j);
      if (j < n) {
        EXPECT_EQ(*k, p.flat[static_cast<std::size_t>(j)]) << i << "->" << j;
      }
      EXPECT_EQ(at_i < k, i < j);
      EXPECT_EQ(at_i <= k, i <= j);
      EXPECT_EQ(at_i > k, i > j);
      EXPECT_EQ(at_i == k, i == j);
    }
  }
}

TEST(buffers_iterator, increments_and_decrements) {
  const pieces p;
  auto i = rill::buffers_begin(p.seq);
  EXPECT_EQ(*i++, 'H');
  EXPECT_EQ(*i, 'e');
  i += 3;  // across the first buffer boundary
  EXPECT_EQ(*i, 'o');
  EXPECT_EQ(*i--, 'o');
  EXPECT_EQ(*i, 'l');
  i -= 2;
  EXPECT_EQ(*i, 'e');
  i = i + 7;  // into "o", past two empty buffers
  EXPECT_EQ(*i, 'o');
  EXPECT_EQ(*(i - 1), 'W');
  EXPECT_EQ(*(1 + i), 'r');
  EXPECT_EQ(*++i, 'r');
  EXPECT_EQ(*--i, 'o');
  i += 0;
  EXPECT_EQ(*i, 'o');
}

TEST(buffers_iterator, std_search_across_buffer_boundaries) {
  const std::string h1 = "GET / HTTP/1.1\r", h2 = "\nHost: x\r\n\r", h3 = "\nbody";
  const std::array<const_buffer, 3> seq = {rill::buffer(h1), rill::buffer(h2), rill::buffer(h3)};
  const auto begin = rill::buffers_begin(seq);
  const auto end = rill::buffers_end(seq);
  const std::string_view crlfcrlf = "\r\n\r\n";
  const auto found = std::search(begin, end, crlfcrlf.begin(), crlfcrlf.end());
  ASSERT_NE(found, end);
  const std::string flat = h1 + h2 + h3;
  EXPECT_EQ(found - begin, static_cast<std::ptrdiff_t>(flat.find(crlfcrlf)));
  EXPECT_EQ(std::string(found + 4, end), "body");

  const std::string_view first_line_end = "\r\n";
  EXPECT_EQ(std::search(begin, end, first_line_end.begin(), first_line_end.end()) - begin, 14);
  const std::string_view missing = "\n\n";
  EXPECT_EQ(std::search(begin, end, missing.begin(), missing.end()), end);
  EXPECT_EQ(std::count(begin, end, '\r'), 3);
  EXPECT_EQ(std::find(begin, end, 'H') - begin, 6);
}

TEST(buffers_iterator, writes_through_mutable_sequences) {
  char a[2], b[3];
  const std::list<mutable_buffer> seq = {rill::buffer(a), rill::buffer(b)};
  const std::string_view text = "abcde";
  std::copy(text.begin(), text.end(), rill::buffers_begin(seq));
  EXPECT_EQ(std::string_view(a, 2), "ab");
  EXPECT_EQ(std::string_view(b, 3), "cde");
  std::reverse(rill::buffers_begin(seq), rill::buffers_end(seq));
  EXPECT_EQ(std::string_view(a, 2), "ed");
  EXPECT_EQ(std::string_view(b, 3), "cba");
}

TEST(buffers_iterator, single_buffer_even_a_temporary_one) {
  const std::string s = "single";
  // The iterators hold the buffer itself, so temporaries are fine.
  EXPECT_EQ(std::string(rill::buffers_begin(rill::buffer(s)), rill::buffers_end(rill::buffer(s))),
            "single");
  const auto begin = rill::buffers_begin(rill::buffer(s));
  auto end = rill::buffers_end(rill::buffer(s));
  EXPECT_EQ(end - begin, 6);
  EXPECT_EQ(*--end, 'e');
  EXPECT_EQ(*(end - 5), 's');
  EXPECT_EQ(begin[3], 'g');

  char bytes[3] = {'x', 'y', 'z'};
  auto i = rill::buffers_begin(rill::buffer(bytes));
  *i = 'X';
  i[2] = 'Z';
  EXPECT_EQ(std::string_view(bytes, 3), "XyZ");
}

TEST(buffers_iterator, empty_sequences) {
  const std::vector<const_buffer> none;
  EXPECT_EQ(rill::buffers_begin(none), rill::buffers_end(none));
  const std::vector<const_buffer> empties(4);
  EXPECT_EQ(rill::buffers_begin(empties), rill::buffers_end(empties));
  EXPECT_EQ(rill::buffers_end(empties) - rill::buffers_begin(empties), 0);
  EXPECT_EQ(rill::buffers_begin(const_buffer()), rill::buffers_end(const_buffer()));
  const const_iter default_constructed;
  EXPECT_EQ(default_constructed, const_iter());
}

TEST(buffers_iterator, byte_type) {
  const std::string s = "\xff\x01";
  const auto seq = rill::buffer(s);
  auto i = rill::buffers_iterator<const_buffer, unsigned char>::begin(seq);
  EXPECT_EQ(*i, 0xffu);
  EXPECT_EQ(i[1], 1u);
}

}  // namespace
