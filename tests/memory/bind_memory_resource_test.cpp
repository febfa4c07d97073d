// bind_memory_resource: operations take their memory from a
// std::pmr::memory_resource through std::pmr::polymorphic_allocator.
#include <rill/memory/bind_memory_resource.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <future>
#include <memory_resource>
#include <system_error>
#include <tuple>
#include <type_traits>

#include <rill/as_tuple.hpp>
#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/bind_executor.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>
#include <rill/use_future.hpp>

#include "support/heap_counter.hpp"

namespace {

// Counts what it is asked for and passes it on upstream.
class counting_resource : public std::pmr::memory_resource {
 public:
  explicit counting_resource(std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : upstream_(upstream) {}

  int allocations = 0;
  int deallocations = 0;
  std::size_t last_alignment = 0;
  [[nodiscard]] int live() const noexcept { return allocations - deallocations; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    ++allocations;
    last_alignment = alignment;
    return upstream_->allocate(bytes, alignment);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    ++deallocations;
    upstream_->deallocate(p, bytes, alignment);
  }
  [[nodiscard]] bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }

  std::pmr::memory_resource* upstream_;
};

struct plain_handler {
  void operator()() const {}
};

TEST(bind_memory_resource, associated_allocator_is_polymorphic_over_the_resource) {
  counting_resource resource;
  auto bound = rill::bind_memory_resource(&resource, plain_handler{});
  static_assert(std::is_same_v<rill::associated_allocator_t<decltype(bound)>,
                               std::pmr::polymorphic_allocator<>>);
  EXPECT_EQ(rill::get_associated_allocator(bound).resource(), &resource);
}

TEST(bind_memory_resource, executor_passes_through) {
  rill::io_context ioc;
  counting_resource resource;
  auto bound = rill::bind_memory_resource(&resource,
                                          rill::bind_executor(ioc.get_executor(), plain_handler{}));
  EXPECT_TRUE(rill::get_associated_executor(bound) == ioc.get_executor());
}

TEST(bind_memory_resource, post_allocates_from_resource_and_frees_before_invoking) {
  rill::io_context ioc;
  counting_resource resource;
  int live_inside = -1;
  rill::post(ioc, rill::bind_memory_resource(&resource, [&] { live_inside = resource.live(); }));
  EXPECT_EQ(resource.allocations, 1);
  EXPECT_EQ(resource.live(), 1);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_EQ(live_inside, 0);
  EXPECT_EQ(resource.live(), 0);
}

TEST(bind_memory_resource, timer_wait_and_destroyed_context) {
  counting_resource resource;
  bool invoked = false;
  {
    rill::io_context ioc;
    rill::steady_timer timer(ioc);
    timer.expires_after(std::chrono::seconds(0));
    int live_inside = -1;
    timer.async_wait(rill::bind_memory_resource(
        &resource, [&](std::error_code) { live_inside = resource.live(); }));
    EXPECT_EQ(resource.live(), 1);
    EXPECT_EQ(ioc.run(), 1u);
    EXPECT_EQ(live_inside, 0);
    // Destroyed with a wait pending: freed, not invoked.
    timer.expires_after(std::chrono::hours(1));
    timer.async_wait(
        rill::bind_memory_resource(&resource, [&](std::error_code) { invoked = true; }));
    EXPECT_EQ(resource.live(), 1);
  }
  EXPECT_FALSE(invoked);
  EXPECT_EQ(resource.live(), 0);
  EXPECT_EQ(resource.allocations, 2);
}

TEST(bind_memory_resource, over_aligned_operation_gets_its_alignment) {
  struct alignas(64) aligned_handler {
    bool* ran;
    void operator()() const { *ran = true; }
  };
  rill::io_context ioc;
  counting_resource resource;
  bool ran = false;
  rill::post(ioc, rill::bind_memory_resource(&resource, aligned_handler{&ran}));
  EXPECT_GE(resource.last_alignment, 64u);
  EXPECT_EQ(ioc.poll(), 1u);
  EXPECT_TRUE(ran);
  EXPECT_EQ(resource.live(), 0);
}

TEST(bind_memory_resource, works_as_token_adapter) {
  rill::io_context ioc;
  counting_resource resource;
  rill::steady_timer timer(ioc);
  timer.expires_after(std::chrono::seconds(0));
  std::error_code got = rill::error::operation_aborted;
  timer.async_wait(rill::bind_memory_resource(
      &resource, rill::as_tuple([&](std::tuple<std::error_code> t) { got = std::get<0>(t); })));
  EXPECT_EQ(resource.live(), 1);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_FALSE(got);
  EXPECT_EQ(resource.live(), 0);

  ioc.restart();
  timer.expires_after(std::chrono::seconds(0));
  std::future<void> f = timer.async_wait(rill::bind_memory_resource(&resource, rill::use_future));
  EXPECT_EQ(resource.allocations, 2);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_NO_THROW(f.get());
  EXPECT_EQ(resource.live(), 0);
}

// A chain of posts over an unsynchronized pool: the pool reuses its block,
// so the chain makes no global heap allocation once warm.
struct pool_chain {
  rill::io_context* ioc;
  std::pmr::memory_resource* pool;
  int* left;
  void operator()() {
    if (--*left > 0) rill::post(*ioc, rill::bind_memory_resource(pool, *this));
  }
};

TEST(bind_memory_resource, pool_chain_is_heap_free_when_warm) {
  rill::io_context ioc;
  std::pmr::unsynchronized_pool_resource pool;
  int left = 5;
  rill::post(ioc, rill::bind_memory_resource(&pool, pool_chain{&ioc, &pool, &left}));
  ioc.run();
  ioc.restart();
  left = 1000;
  rill_test::heap_scope heap;
  rill::post(ioc, rill::bind_memory_resource(&pool, pool_chain{&ioc, &pool, &left}));
  EXPECT_EQ(ioc.run(), 1000u);
  EXPECT_EQ(heap.count(), 0u);
}

TEST(bind_memory_resource, monotonic_buffer_serves_a_bounded_burst) {
  rill::io_context ioc;
  std::array<std::byte, 16 * 1024> buffer{};
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size(),
                                            std::pmr::null_memory_resource());
  int runs = 0;
  rill_test::heap_scope heap;
  for (int i = 0; i < 50; ++i) {
    rill::post(ioc, rill::bind_memory_resource(&arena, [&runs] { ++runs; }));
  }
  EXPECT_EQ(ioc.poll(), 50u);
  EXPECT_EQ(runs, 50);
  EXPECT_EQ(heap.count(), 0u);
}

TEST(bind_memory_resource, exhausted_resource_makes_post_throw) {
  rill::io_context ioc;
  bool ran = false;
  EXPECT_THROW(rill::post(ioc, rill::bind_memory_resource(std::pmr::null_memory_resource(),
                                                          [&] { ran = true; })),
               std::bad_alloc);
  EXPECT_EQ(ioc.poll(), 0u);
  EXPECT_FALSE(ran);
}

}  // namespace
