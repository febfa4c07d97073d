// buffer: buffers, buffer(), buffer sequences, buffer_copy and dynamic buffers.
#include <rill/buffer.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

using rill::const_buffer;
using rill::mutable_buffer;

// --- Types -----------------------------------------------------------------

static_assert(std::is_convertible_v<mutable_buffer, const_buffer>);
static_assert(!std::is_convertible_v<const_buffer, mutable_buffer>);
static_assert(std::is_trivially_copyable_v<mutable_buffer>);
static_assert(std::is_trivially_copyable_v<const_buffer>);

// buffer() keeps constness: mutable only for modifiable memory.
static_assert(std::is_same_v<decltype(rill::buffer(std::declval<char (&)[4]>())), mutable_buffer>);
static_assert(
    std::is_same_v<decltype(rill::buffer(std::declval<const char (&)[4]>())), const_buffer>);
static_assert(
    std::is_same_v<decltype(rill::buffer(std::declval<std::array<int, 2>&>())), mutable_buffer>);
static_assert(std::is_same_v<decltype(rill::buffer(std::declval<const std::array<int, 2>&>())),
                             const_buffer>);
static_assert(std::is_same_v<decltype(rill::buffer(std::declval<std::array<const int, 2>&>())),
                             const_buffer>);
static_assert(
    std::is_same_v<decltype(rill::buffer(std::declval<std::vector<char>&>())), mutable_buffer>);
static_assert(
    std::is_same_v<decltype(rill::buffer(std::declval<const std::vector<char>&>())), const_buffer>);
static_assert(std::is_same_v<decltype(rill::buffer(std::declval<std::string&>())), mutable_buffer>);
static_assert(
    std::is_same_v<decltype(rill::buffer(std::declval<const std::string&>())), const_buffer>);
static_assert(
    std::is_same_v<decltype(rill::buffer(std::declval<std::string_view>())), const_buffer>);
static_assert(
    std::is_same_v<decltype(rill::buffer(std::declval<std::span<char>>())), mutable_buffer>);
static_assert(
    std::is_same_v<decltype(rill::buffer(std::declval<std::span<const char, 3>>())), const_buffer>);

// Containers of non-trivial elements, and vector<bool>, have no buffer.
template <typename T>
concept has_buffer = requires(T& t) {
  rill::buffer(t);
};
static_assert(has_buffer<std::vector<std::uint32_t>>);
static_assert(!has_buffer<std::vector<std::string>>);
static_assert(!has_buffer<std::vector<bool>>);
static_assert(!has_buffer<std::array<std::string, 2>>);
static_assert(!has_buffer<std::list<char>>);

// Buffer sequence traits and concepts, as Asio defines them.
static_assert(rill::is_mutable_buffer_sequence<mutable_buffer>::value);
static_assert(rill::is_const_buffer_sequence<mutable_buffer>::value);
static_assert(!rill::is_mutable_buffer_sequence<const_buffer>::value);
static_assert(rill::is_const_buffer_sequence<const_buffer>::value);
static_assert(rill::mutable_buffer_sequence<std::vector<mutable_buffer>>);
static_assert(rill::const_buffer_sequence<std::vector<mutable_buffer>>);
static_assert(!rill::mutable_buffer_sequence<std::vector<const_buffer>>);
static_assert(rill::const_buffer_sequence<std::array<const_buffer, 3>>);
static_assert(rill::const_buffer_sequence<std::list<const_buffer>>);
static_assert(rill::mutable_buffer_sequence<std::span<const mutable_buffer>>);
static_assert(!rill::const_buffer_sequence<std::string>);
static_assert(!rill::const_buffer_sequence<std::vector<char>>);
static_assert(!rill::const_buffer_sequence<int>);
static_assert(!rill::const_buffer_sequence<const_buffer*>);

// A type derived from a buffer is a one-buffer sequence.
struct tagged_buffer : mutable_buffer {
  using mutable_buffer::mutable_buffer;
};
static_assert(rill::mutable_buffer_sequence<tagged_buffer>);

// A function that takes "some const buffers".
template <rill::const_buffer_sequence Buffers>
std::size_t total(const Buffers& buffers) {
  return rill::buffer_size(buffers);
}

// --- Single buffers ----------------------------------------------------------

TEST(buffer, default_buffers_are_empty) {
  const mutable_buffer m;
  const const_buffer c;
  EXPECT_EQ(m.data(), nullptr);
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(c.data(), nullptr);
  EXPECT_EQ(c.size(), 0u);
}

TEST(buffer, mutable_converts_to_const) {
  char bytes[8];
  const mutable_buffer m(bytes, sizeof bytes);
  const const_buffer c = m;
  EXPECT_EQ(c.data(), bytes);
  EXPECT_EQ(c.size(), 8u);
}

TEST(buffer, arithmetic_moves_the_start_and_stops_at_the_end) {
  char bytes[10];
  mutable_buffer m(bytes, sizeof bytes);
  m += 3;
  EXPECT_EQ(m.data(), bytes + 3);
  EXPECT_EQ(m.size(), 7u);

  const mutable_buffer n = m + 2;
  EXPECT_EQ(n.data(), bytes + 5);
  EXPECT_EQ(n.size(), 5u);
  const mutable_buffer o = 2 + m;
  EXPECT_EQ(o.data(), n.data());
  EXPECT_EQ(o.size(), n.size());
  EXPECT_EQ(m.size(), 7u);  // + does not modify its operand

  // Past the end: empty, pointing at the end, never beyond.
  const mutable_buffer past = m + 100;
  EXPECT_EQ(past.data(), bytes + 10);
  EXPECT_EQ(past.size(), 0u);
  m += std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(m.data(), bytes + 10);
  EXPECT_EQ(m.size(), 0u);

  const_buffer c(bytes, sizeof bytes);
  c += 4;
  EXPECT_EQ(c.data(), bytes + 4);
  EXPECT_EQ((c + 6).size(), 0u);
  EXPECT_EQ((c + 6).data(), bytes + 10);
  EXPECT_EQ((1 + c).size(), 5u);
}

// --- buffer() ------------------------------------------------------------------

TEST(buffer, raw_memory) {
  char bytes[16];
  const mutable_buffer m = rill::buffer(static_cast<void*>(bytes), 5);
  EXPECT_EQ(m.data(), bytes);
  EXPECT_EQ(m.size(), 5u);
  const const_buffer c = rill::buffer(static_cast<const void*>(bytes), 6);
  EXPECT_EQ(c.data(), bytes);
  EXPECT_EQ(c.size(), 6u);
}

TEST(buffer, from_buffers_with_a_cap) {
  char bytes[16];
  const mutable_buffer m(bytes, sizeof bytes);
  EXPECT_EQ(rill::buffer(m).size(), 16u);
  EXPECT_EQ(rill::buffer(m, 4).size(), 4u);
  EXPECT_EQ(rill::buffer(m, 100).size(), 16u);
  EXPECT_EQ(rill::buffer(m, 4).data(), bytes);
  const const_buffer c(bytes, 8);
  EXPECT_EQ(rill::buffer(c).size(), 8u);
  EXPECT_EQ(rill::buffer(c, 0).size(), 0u);
  EXPECT_EQ(rill::buffer(c, 0).data(), bytes);
}

TEST(buffer, arrays_count_bytes_not_elements) {
  std::uint32_t words[4] = {};
  EXPECT_EQ(rill::buffer(words).size(), 16u);
  EXPECT_EQ(rill::buffer(words).data(), words);
  EXPECT_EQ(rill::buffer(words, 6).size(), 6u);
  EXPECT_EQ(rill::buffer(words, 1000).size(), 16u);

  const char text[] = "abc";  // includes the '\0'
  EXPECT_EQ(rill::buffer(text).size(), 4u);
  EXPECT_EQ(rill::buffer("hello").size(), 6u);
  EXPECT_EQ(rill::buffer("hello", 5).size(), 5u);

  std::array<std::uint16_t, 5> a{};
  EXPECT_EQ(rill::buffer(a).size(), 10u);
  EXPECT_EQ(rill::buffer(a).data(), a.data());
  EXPECT_EQ(rill::buffer(a, 3).size(), 3u);
  const std::array<char, 7> ca{};
  EXPECT_EQ(rill::buffer(ca).size(), 7u);
  EXPECT_EQ(rill::buffer(ca, 2).size(), 2u);
}

TEST(buffer, vectors_use_size_not_capacity) {
  std::vector<double> v;
  v.reserve(100);
  v.resize(3);
  EXPECT_EQ(rill::buffer(v).size(), 3 * sizeof(double));
  EXPECT_EQ(rill::buffer(v).data(), v.data());
  EXPECT_EQ(rill::buffer(v, 10).size(), 10u);
  const std::vector<char> cv(5, 'x');
  EXPECT_EQ(rill::buffer(cv).size(), 5u);
  EXPECT_EQ(rill::buffer(cv, 9).size(), 5u);

  std::vector<char> empty;
  EXPECT_EQ(rill::buffer(empty).size(), 0u);
}

TEST(buffer, strings_views_and_spans) {
  std::string s = "hello world";
  const mutable_buffer m = rill::buffer(s);
  EXPECT_EQ(m.data(), s.data());
  EXPECT_EQ(m.size(), 11u);
  static_cast<char*>(m.data())[0] = 'H';
  EXPECT_EQ(s, "Hello world");
  EXPECT_EQ(rill::buffer(s, 5).size(), 5u);

  const std::string& cs = s;
  EXPECT_EQ(rill::buffer(cs).size(), 11u);
  EXPECT_EQ(rill::buffer(cs, 20).size(), 11u);

  std::u16string wide = u"abc";
  EXPECT_EQ(rill::buffer(wide).size(), 6u);

  const std::string_view sv = "view";
  EXPECT_EQ(rill::buffer(sv).data(), sv.data());
  EXPECT_EQ(rill::buffer(sv).size(), 4u);
  EXPECT_EQ(rill::buffer(sv, 1).size(), 1u);

  int ints[6] = {};
  const std::span<int> span(ints);
  EXPECT_EQ(rill::buffer(span).size(), sizeof ints);
  EXPECT_EQ(rill::buffer(span.first(2)).size(), 2 * sizeof(int));
  EXPECT_EQ(rill::buffer(std::span<const int>(ints), 5).size(), 5u);
}

// --- Sequences -----------------------------------------------------------------

TEST(buffer, sequence_begin_and_end) {
  char bytes[4];
  const mutable_buffer one(bytes, 4);
  EXPECT_EQ(rill::buffer_sequence_begin(one), &one);
  EXPECT_EQ(rill::buffer_sequence_end(one), &one + 1);

  std::vector<const_buffer> many(3);
  EXPECT_EQ(rill::buffer_sequence_begin(many), many.begin());
  EXPECT_EQ(rill::buffer_sequence_end(many), many.end());
  const auto& cmany = many;
  EXPECT_EQ(rill::buffer_sequence_begin(cmany), cmany.cbegin());
}

TEST(buffer, buffer_size) {
  char a[3], b[5], c[7];
  EXPECT_EQ(rill::buffer_size(rill::buffer(a)), 3u);
  EXPECT_EQ(rill::buffer_size(mutable_buffer()), 0u);
  const std::vector<mutable_buffer> seq = {rill::buffer(a), rill::buffer(b), mutable_buffer(),
                                           rill::buffer(c)};
  EXPECT_EQ(rill::buffer_size(seq), 15u);
  const std::array<const_buffer, 2> arr = {rill::buffer(a), rill::buffer(c)};
  EXPECT_EQ(rill::buffer_size(arr), 10u);
  EXPECT_EQ(total(seq), 15u);
  EXPECT_EQ(total(rill::buffer(b)), 5u);
  EXPECT_EQ(rill::buffer_size(std::vector<const_buffer>()), 0u);
}

// --- buffer_copy -----------------------------------------------------------------

TEST(buffer_copy, one_to_one) {
  const std::string source = "abcdef";
  char target[4] = {};
  EXPECT_EQ(rill::buffer_copy(rill::buffer(target), rill::buffer(source)), 4u);
  EXPECT_EQ(std::string_view(target, 4), "abcd");

  char big[10] = {};
  EXPECT_EQ(rill::buffer_copy(rill::buffer(big), rill::buffer(source)), 6u);
  EXPECT_EQ(std::string_view(big, 6), "abcdef");
  EXPECT_EQ(big[6], '\0');

  char capped[10] = {};
  EXPECT_EQ(rill::buffer_copy(rill::buffer(capped), rill::buffer(source), 2), 2u);
  EXPECT_EQ(std::string_view(capped), "ab");
  EXPECT_EQ(rill::buffer_copy(rill::buffer(capped), rill::buffer(source), 0), 0u);
}

TEST(buffer_copy, three_buffers_into_two) {
  const std::string s1 = "abc", s2 = "defgh", s3 = "ij";
  const std::array<const_buffer, 3> source = {rill::buffer(s1), rill::buffer(s2), rill::buffer(s3)};
  char t1[4] = {}, t2[6] = {};
  const std::vector<mutable_buffer> target = {rill::buffer(t1), rill::buffer(t2)};
  EXPECT_EQ(rill::buffer_copy(target, source), 10u);
  EXPECT_EQ(std::string_view(t1, 4), "abcd");
  EXPECT_EQ(std::string_view(t2, 6), "efghij");
}

TEST(buffer_copy, target_runs_out_first) {
  const std::string s1 = "abc", s2 = "defgh";
  const std::vector<const_buffer> source = {rill::buffer(s1), rill::buffer(s2)};
  char t1[2] = {}, t2[3] = {};
  const std::array<mutable_buffer, 2> target = {rill::buffer(t1), rill::buffer(t2)};
  EXPECT_EQ(rill::buffer_copy(target, source), 5u);
  EXPECT_EQ(std::string_view(t1, 2), "ab");
  EXPECT_EQ(std::string_view(t2, 3), "cde");
}

TEST(buffer_copy, max_bytes_across_buffers) {
  const std::string s1 = "abc", s2 = "def";
  const std::vector<const_buffer> source = {rill::buffer(s1), rill::buffer(s2)};
  char t1[2] = {}, t2[10] = {};
  const std::vector<mutable_buffer> target = {rill::buffer(t1), rill::buffer(t2)};
  EXPECT_EQ(rill::buffer_copy(target, source, 4), 4u);
  EXPECT_EQ(std::string_view(t1, 2), "ab");
  EXPECT_EQ(std::string_view(t2), "cd");
}

TEST(buffer_copy, sequence_to_single_and_back_skipping_empty_buffers) {
  const std::string s1 = "ab", s2 = "cd";
  const std::vector<const_buffer> source = {const_buffer(), rill::buffer(s1), const_buffer(),
                                            rill::buffer(s2), const_buffer()};
  std::string flat(3, '.');
  EXPECT_EQ(rill::buffer_copy(rill::buffer(flat), source), 3u);
  EXPECT_EQ(flat, "abc");

  char t1[1] = {}, t2[5] = {};
  const std::vector<mutable_buffer> target = {mutable_buffer(), rill::buffer(t1), mutable_buffer(),
                                              rill::buffer(t2)};
  EXPECT_EQ(rill::buffer_copy(target, rill::buffer(std::string_view("xyz"))), 3u);
  EXPECT_EQ(t1[0], 'x');
  EXPECT_EQ(std::string_view(t2), "yz");

  EXPECT_EQ(rill::buffer_copy(target, std::vector<const_buffer>()), 0u);
  EXPECT_EQ(rill::buffer_copy(std::vector<mutable_buffer>(), source), 0u);
}

// --- Dynamic buffers -----------------------------------------------------------

static_assert(rill::dynamic_buffer_v1<
              rill::dynamic_string_buffer<char, std::char_traits<char>, std::allocator<char>>>);
static_assert(rill::dynamic_buffer_v2<
              rill::dynamic_string_buffer<char, std::char_traits<char>, std::allocator<char>>>);
static_assert(
    rill::is_dynamic_buffer_v1<rill::dynamic_vector_buffer<char, std::allocator<char>>>::value);
static_assert(
    rill::is_dynamic_buffer_v2<rill::dynamic_vector_buffer<char, std::allocator<char>>>::value);
static_assert(rill::is_dynamic_buffer<
              rill::dynamic_vector_buffer<unsigned char, std::allocator<unsigned char>>>::value);
static_assert(!rill::is_dynamic_buffer<std::string>::value);
static_assert(!rill::is_dynamic_buffer_v2<std::vector<char>>::value);
static_assert(!rill::is_dynamic_buffer<mutable_buffer>::value);
static_assert(std::is_same_v<
              decltype(rill::dynamic_buffer(std::declval<std::string&>())),
              rill::dynamic_string_buffer<char, std::char_traits<char>, std::allocator<char>>>);
static_assert(
    std::is_same_v<decltype(rill::dynamic_buffer(std::declval<std::vector<std::byte>&>())),
                   rill::dynamic_vector_buffer<std::byte, std::allocator<std::byte>>>);
static_assert(
    std::is_copy_constructible_v<rill::dynamic_vector_buffer<char, std::allocator<char>>>);

// Only byte containers: sizes count bytes and containers resize by element.
template <typename T>
concept has_dynamic_buffer = requires(T& t) {
  rill::dynamic_buffer(t);
};
static_assert(has_dynamic_buffer<std::vector<char>>);
static_assert(!has_dynamic_buffer<std::vector<int>>);
static_assert(!has_dynamic_buffer<std::u32string>);

std::string text(const const_buffer& b) {
  return std::string(static_cast<const char*>(b.data()), b.size());
}

TEST(dynamic_buffer, v2_grow_data_shrink_consume) {
  std::string s = "abc";
  auto d = rill::dynamic_buffer(s);
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.max_size(), std::numeric_limits<std::size_t>::max());
  EXPECT_GE(d.capacity(), 3u);

  d.grow(4);
  EXPECT_EQ(s.size(), 7u);
  EXPECT_EQ(d.size(), 7u);
  const mutable_buffer tail = d.data(3, 4);
  EXPECT_EQ(tail.size(), 4u);
  EXPECT_EQ(rill::buffer_copy(tail, rill::buffer(std::string_view("defg"))), 4u);
  EXPECT_EQ(s, "abcdefg");

  // data(pos, n) is clamped to what exists.
  EXPECT_EQ(text(d.data(5, 100)), "fg");
  EXPECT_EQ(d.data(7, 1).size(), 0u);
  EXPECT_EQ(d.data(50, 1).size(), 0u);
  const auto& cd = d;
  static_assert(std::is_same_v<decltype(cd.data(0, 1)), const_buffer>);
  EXPECT_EQ(text(cd.data(1, 2)), "bc");

  d.shrink(2);
  EXPECT_EQ(s, "abcde");
  d.consume(2);
  EXPECT_EQ(s, "cde");
  EXPECT_EQ(d.size(), 3u);
  d.shrink(10);
  EXPECT_EQ(s, "");
  d.grow(2);
  d.consume(10);
  EXPECT_EQ(s, "");
}

TEST(dynamic_buffer, copies_share_the_container) {
  std::vector<char> v;
  auto a = rill::dynamic_buffer(v);
  auto b = a;
  a.grow(5);
  EXPECT_EQ(b.size(), 5u);
  EXPECT_EQ(v.size(), 5u);
}

TEST(dynamic_buffer, v2_max_size) {
  std::string s = "abc";
  auto d = rill::dynamic_buffer(s, 5);
  EXPECT_EQ(d.max_size(), 5u);
  EXPECT_LE(d.capacity(), 5u);
  d.grow(2);
  EXPECT_EQ(d.size(), 5u);
  EXPECT_THROW(d.grow(1), std::length_error);
  EXPECT_EQ(s.size(), 5u);  // unchanged by the failed grow
  d.grow(0);

  // A container already larger than max_size() is seen up to max_size().
  std::vector<unsigned char> big(10, 1);
  auto dv = rill::dynamic_buffer(big, 4);
  EXPECT_EQ(dv.size(), 4u);
  EXPECT_EQ(dv.data(0, 100).size(), 4u);
  EXPECT_EQ(dv.data(2, 100).size(), 2u);
  EXPECT_THROW(dv.grow(1), std::length_error);
  EXPECT_EQ(big.size(), 10u);
}

TEST(dynamic_buffer, v1_prepare_commit_consume) {
  std::string s = "ab";
  auto d = rill::dynamic_buffer(s);
  EXPECT_EQ(text(d.data()), "ab");  // existing contents are the input sequence

  mutable_buffer out = d.prepare(4);
  EXPECT_EQ(out.size(), 4u);
  EXPECT_EQ(d.size(), 2u);  // v1: prepared bytes are not input yet
  EXPECT_EQ(rill::buffer_copy(out, rill::buffer(std::string_view("cdef"))), 4u);
  d.commit(3);
  EXPECT_EQ(d.size(), 5u);
  EXPECT_EQ(text(d.data()), "abcde");
  EXPECT_EQ(s, "abcde");  // the uncommitted rest is discarded

  d.consume(2);
  EXPECT_EQ(text(d.data()), "cde");
  EXPECT_EQ(d.size(), 3u);

  // Committing more than was prepared commits what was prepared.
  out = d.prepare(2);
  static_cast<char*>(out.data())[0] = 'x';
  static_cast<char*>(out.data())[1] = 'y';
  d.commit(100);
  EXPECT_EQ(text(d.data()), "cdexy");

  d.consume(100);
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(s, "");
}

TEST(dynamic_buffer, v1_commit_without_prepare_does_nothing) {
  std::vector<char> v = {'a', 'b'};
  auto d = rill::dynamic_buffer(v);
  d.commit(5);
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(v.size(), 2u);
}

TEST(dynamic_buffer, v1_prepare_beyond_max_size_throws) {
  std::vector<char> v;
  auto d = rill::dynamic_buffer(v, 8);
  mutable_buffer out = d.prepare(8);
  EXPECT_EQ(out.size(), 8u);
  d.commit(6);
  EXPECT_THROW((void)d.prepare(3), std::length_error);
  EXPECT_EQ(d.size(), 6u);  // still usable after the error
  EXPECT_EQ(d.prepare(2).size(), 2u);
  d.commit(2);
  EXPECT_EQ(d.size(), 8u);
  EXPECT_THROW((void)d.prepare(1), std::length_error);
  EXPECT_THROW((void)d.prepare(std::numeric_limits<std::size_t>::max()), std::length_error);
  d.consume(8);
  EXPECT_EQ(d.prepare(8).size(), 8u);
}

}  // namespace
