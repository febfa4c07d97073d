// recycling_allocator: a standard allocator over the per-thread cache.
#include <rill/recycling_allocator.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <numeric>
#include <type_traits>
#include <vector>

#include "support/heap_counter.hpp"

namespace {

struct alignas(64) cache_line {
  unsigned char bytes[64];
};

static_assert(std::is_same_v<rill::recycling_allocator<int>::value_type, int>);
static_assert(std::is_same_v<rill::recycling_allocator<void>::value_type, void>);
static_assert(
    std::is_same_v<std::allocator_traits<rill::recycling_allocator<int>>::rebind_alloc<double>,
                   rill::recycling_allocator<double>>);
static_assert(std::is_same_v<rill::recycling_allocator<void>::rebind<char>::other,
                             rill::recycling_allocator<char>>);
static_assert(std::is_nothrow_default_constructible_v<rill::recycling_allocator<int>>);
static_assert(std::is_nothrow_copy_constructible_v<rill::recycling_allocator<int>>);
// Stateless, so containers need not store or propagate it.
static_assert(std::allocator_traits<rill::recycling_allocator<int>>::is_always_equal::value);

TEST(recycling_allocator, allocate_deallocate_reuse) {
  rill::recycling_allocator<int> a;
  int* p = a.allocate(10);
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 10; ++i) p[i] = i;
  EXPECT_EQ(std::accumulate(p, p + 10, 0), 45);
  a.deallocate(p, 10);
  // The freed block is the next one of its size class (40 and 48 bytes both
  // fall in the 64-byte class), and no heap allocation is needed for it.
  rill_test::heap_scope heap;
  int* q = a.allocate(12);
  EXPECT_EQ(q, p);
  EXPECT_EQ(heap.count(), 0u);
  a.deallocate(q, 12);
}

TEST(recycling_allocator, steady_state_is_heap_free) {
  rill::recycling_allocator<double> a;
  // Warm-up for the sizes used below.
  for (std::size_t n : {1u, 16u, 100u, 1000u, 2000u}) a.deallocate(a.allocate(n), n);
  rill_test::heap_scope heap;
  for (int round = 0; round < 100; ++round) {
    for (std::size_t n : {1u, 16u, 100u, 1000u, 2000u}) {
      double* p = a.allocate(n);
      p[n - 1] = 1.0;
      a.deallocate(p, n);
    }
  }
  EXPECT_EQ(heap.count(), 0u);
}

TEST(recycling_allocator, rebound_allocator_shares_the_cache) {
  rill::recycling_allocator<char> chars;
  char* p = chars.allocate(48);
  chars.deallocate(p, 48);
  rill::recycling_allocator<long> longs(chars);  // rebind by conversion
  long* q = longs.allocate(6);                   // 48 bytes again
  EXPECT_EQ(static_cast<void*>(q), static_cast<void*>(p));
  // Memory from one instance may be freed through another (they are equal).
  rill::recycling_allocator<long> other;
  other.deallocate(q, 6);
}

TEST(recycling_allocator, from_void_and_back) {
  rill::recycling_allocator<void> v;
  rill::recycling_allocator<int> i(v);
  rill::recycling_allocator<void> back(i);
  int* p = i.allocate(1);
  *p = 7;
  EXPECT_EQ(*p, 7);
  i.deallocate(p, 1);
  EXPECT_TRUE(back == v);
}

TEST(recycling_allocator, all_instances_compare_equal) {
  rill::recycling_allocator<int> a;
  rill::recycling_allocator<int> b;
  rill::recycling_allocator<double> c;
  rill::recycling_allocator<void> d;
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a != b);
  EXPECT_TRUE(a == c);
  EXPECT_TRUE(c == a);
  EXPECT_TRUE(a == d);
  EXPECT_TRUE(d == a);
  EXPECT_FALSE(d != c);
}

TEST(recycling_allocator, large_and_over_aligned_requests) {
  rill::recycling_allocator<int> ints;
  // Larger than the biggest class: served by the heap, still usable.
  constexpr std::size_t big = 10000;  // 40 000 bytes
  int* p = ints.allocate(big);
  for (std::size_t k = 0; k < big; ++k) p[k] = static_cast<int>(k);
  EXPECT_EQ(p[big - 1], static_cast<int>(big - 1));
  ints.deallocate(p, big);

  rill::recycling_allocator<cache_line> lines;
  for (std::size_t n : {1u, 3u, 300u}) {
    cache_line* l = lines.allocate(n);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(l) % alignof(cache_line), 0u) << n;
    l[n - 1].bytes[63] = 1;
    lines.deallocate(l, n);
  }
}

TEST(recycling_allocator, too_large_a_count_throws) {
  rill::recycling_allocator<int> a;
  const std::size_t n = static_cast<std::size_t>(-1) / sizeof(int) + 1;
  EXPECT_THROW((void)a.allocate(n), std::bad_array_new_length);
}

TEST(recycling_allocator, vector_of_int) {
  std::vector<int, rill::recycling_allocator<int>> v;
  for (int i = 0; i < 5000; ++i) v.push_back(i);  // grows through every class and beyond
  ASSERT_EQ(v.size(), 5000u);
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(v[static_cast<std::size_t>(i)], i);
  std::vector<int, rill::recycling_allocator<int>> copy(v);
  EXPECT_EQ(copy, v);
  v.clear();
  v.shrink_to_fit();
  EXPECT_EQ(copy.back(), 4999);

  // A small vector built again and again reuses the same blocks.
  for (int i = 0; i < 3; ++i) {
    std::vector<int, rill::recycling_allocator<int>> w(100, i);
  }
  rill_test::heap_scope heap;
  for (int i = 0; i < 100; ++i) {
    std::vector<int, rill::recycling_allocator<int>> w(100, i);
    EXPECT_EQ(w[99], i);
  }
  EXPECT_EQ(heap.count(), 0u);
}

}  // namespace
