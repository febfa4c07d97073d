// thread_pool: exact counts of handlers posted from several threads, join(),
// wait(), stop(), attach(), dispatch inside the pool, the allocation
// contract, destruction with handlers queued, and async_compose on a pool.
// These run under ThreadSanitizer: results are read after join() or under a
// lock.
#include <rill/thread_pool.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/compose.hpp>
#include <rill/defer.hpp>
#include <rill/dispatch.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/io_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/post.hpp>
#include <rill/steady_timer.hpp>

#include "support/counting_allocator.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::check_log;
using rill_test::checking_allocator;
using rill_test::counting_allocator;

using pool_executor = rill::thread_pool::executor_type;
static_assert(rill::is_executor<pool_executor>::value);
static_assert(rill::execution::executor<pool_executor>);
static_assert(
    std::is_same_v<decltype(std::declval<pool_executor>().context()), rill::thread_pool&>);
static_assert(std::is_same_v<rill::thread_pool::scheduler_type, pool_executor>);
// One implementation of the executor surface for both contexts.
static_assert(std::is_same_v<pool_executor, rill::detail::basic_scheduler_executor<
                                                rill::thread_pool, std::allocator<void>, 0>>);

// A one-shot gate a handler can wait on, bounded so a broken test fails
// instead of hanging.
class gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool wait() {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, 20s, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(thread_pool, handlers_posted_from_several_threads_all_run_before_join_returns) {
  rill::thread_pool pool(2);
  std::atomic<int> count{0};
  constexpr int posters = 4;
  constexpr int per_poster = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < posters; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < per_poster; ++i) {
        rill::post(pool, [&] { count.fetch_add(1, std::memory_order_relaxed); });
      }
    });
  }
  for (std::thread& t : threads) t.join();
  pool.join();
  EXPECT_EQ(count.load(), posters * per_poster);
  pool.join();  // idempotent
}

TEST(thread_pool, wait_runs_out_the_work_including_handlers_posted_by_handlers) {
  rill::thread_pool pool(3);
  std::atomic<int> count{0};
  for (int i = 0; i < 100; ++i) {
    rill::post(pool.get_executor(), [&, ex = pool.get_executor()] {
      count.fetch_add(1);
      rill::post(ex, [&] { count.fetch_add(1); });
      rill::defer(ex, [&] { count.fetch_add(1); });
    });
  }
  pool.wait();
  EXPECT_EQ(count.load(), 300);
}

TEST(thread_pool, default_constructed_pool_runs_handlers) {
  rill::thread_pool pool;
  std::atomic<int> count{0};
  for (int i = 0; i < 10; ++i) rill::post(pool.executor(), [&] { count.fetch_add(1); });
  pool.join();
  EXPECT_EQ(count.load(), 10);
}

TEST(thread_pool, stop_leaves_queued_handlers_unrun_and_destruction_frees_them) {
  allocation_log log;
  std::atomic<int> count{0};
  {
    rill::thread_pool pool(1);
    gate started;
    gate release;
    rill::post(pool, [&] {
      started.open();
      release.wait();
    });
    ASSERT_TRUE(started.wait());
    for (int i = 0; i < 5; ++i) {
      rill::post(pool, rill::bind_allocator(counting_allocator<char>(log), [&] { ++count; }));
    }
    EXPECT_EQ(log.live(), 5);
    pool.stop();
    release.open();
    pool.join();
    EXPECT_EQ(count.load(), 0);
    EXPECT_EQ(log.live(), 5);  // still queued
  }
  EXPECT_EQ(count.load(), 0);
  EXPECT_EQ(log.allocations.load(), 5);
  EXPECT_EQ(log.live(), 0);  // destroyed without being invoked, memory returned
}

TEST(thread_pool, destructor_stops_and_joins_without_waiting_for_queued_handlers) {
  allocation_log log;
  std::atomic<int> count{0};
  gate started;
  gate release;
  std::thread opener;
  {
    rill::thread_pool pool(1);
    rill::post(pool, [&] {
      started.open();
      release.wait();
    });
    for (int i = 0; i < 5; ++i) {
      rill::post(pool, rill::bind_allocator(counting_allocator<char>(log), [&] { ++count; }));
    }
    ASSERT_TRUE(started.wait());
    // The blocked handler returns a little after the destructor has begun
    // (stop, then join); what is still queued then is destroyed, not run.
    opener = std::thread([&] {
      std::this_thread::sleep_for(20ms);
      release.open();
    });
  }
  opener.join();
  EXPECT_LE(count.load(), 5);
  EXPECT_EQ(log.allocations.load(), 5);
  EXPECT_EQ(log.live(), 0);  // run or destroyed, every block was returned
}

TEST(thread_pool, attach_runs_handlers_on_an_extra_thread_until_join) {
  rill::thread_pool pool(0);  // no threads of its own: only attached ones run handlers
  std::atomic<int> count{0};
  std::mutex mutex;
  std::vector<std::thread::id> ran_on;
  for (int i = 0; i < 50; ++i) {
    rill::post(pool, [&] {
      std::lock_guard lock(mutex);
      ran_on.push_back(std::this_thread::get_id());
      ++count;
    });
  }
  std::thread::id attached_id;
  std::thread attached([&] {
    attached_id = std::this_thread::get_id();
    pool.attach();
  });
  pool.join();  // gives up the pool's work: attach() returns once the queue is empty
  attached.join();
  EXPECT_EQ(count.load(), 50);
  ASSERT_EQ(ran_on.size(), 50u);
  for (const std::thread::id& id : ran_on) EXPECT_EQ(id, attached_id);
}

TEST(thread_pool, stop_makes_attached_threads_return) {
  rill::thread_pool pool(1);
  std::atomic<int> count{0};
  std::thread attached([&] { pool.attach(); });
  for (int i = 0; i < 200; ++i) rill::post(pool, [&] { ++count; });
  pool.stop();
  attached.join();  // stop() makes attached threads return too
  pool.join();
  EXPECT_LE(count.load(), 200);
}

TEST(thread_pool, dispatch_runs_inline_inside_the_pool_and_post_never_does) {
  rill::thread_pool pool(1);  // one thread: a posted handler cannot overtake its poster
  bool inside = false;
  bool dispatched_inline = false;
  bool posted_inline = true;
  rill::post(pool, [&] {
    inside = pool.get_executor().running_in_this_thread();
    bool ran = false;
    rill::dispatch(pool, [&] { ran = true; });
    dispatched_inline = ran;
    auto posted = std::make_shared<bool>(false);
    rill::post(pool, [posted] { *posted = true; });
    posted_inline = *posted;
  });
  const bool outside = pool.get_executor().running_in_this_thread();
  pool.join();
  EXPECT_FALSE(outside);
  EXPECT_TRUE(inside);
  EXPECT_TRUE(dispatched_inline);
  EXPECT_FALSE(posted_inline);
}

// One step of a chain of posts: records the allocator's live count when it
// runs, then posts the next step through the same allocator.
template <typename Log, template <typename> class Allocator>
struct chain_step {
  pool_executor ex;
  Log* log;
  std::atomic<int>* steps;
  std::atomic<int>* max_live_in_handler;
  void operator()() {
    const int live = log->live();
    int prev = max_live_in_handler->load();
    while (live > prev && !max_live_in_handler->compare_exchange_weak(prev, live)) {
    }
    if (steps->fetch_add(1) + 1 < 100) {
      rill::post(ex, rill::bind_allocator(Allocator<char>(*log), *this));
    }
  }
};

TEST(thread_pool, a_chain_of_posts_uses_the_handler_allocator_one_block_at_a_time) {
  rill::thread_pool pool(2);
  allocation_log log;
  std::atomic<int> steps{0};
  std::atomic<int> max_live{0};
  using step = chain_step<allocation_log, counting_allocator>;
  rill::post(pool, rill::bind_allocator(counting_allocator<char>(log),
                                        step{pool.get_executor(), &log, &steps, &max_live}));
  // The same with an allocator that detects concurrent calls, which the
  // library must never make for one handler (one chain).
  check_log checks;
  std::atomic<int> checked_steps{0};
  std::atomic<int> checked_max_live{0};
  using checked_step = chain_step<check_log, checking_allocator>;
  rill::post(pool, rill::bind_allocator(checking_allocator<char>(checks),
                                        checked_step{pool.get_executor(), &checks, &checked_steps,
                                                     &checked_max_live}));
  pool.join();
  EXPECT_EQ(steps.load(), 100);
  EXPECT_EQ(log.allocations.load(), 100);
  EXPECT_EQ(max_live.load(), 0);  // each step's memory was freed before it ran
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(checked_steps.load(), 100);
  EXPECT_EQ(checks.concurrent_calls.load(), 0);
  EXPECT_EQ(checked_max_live.load(), 0);
  EXPECT_EQ(checks.live(), 0);
}

TEST(thread_pool, work_guard_keeps_the_pool_alive_through_join) {
  rill::thread_pool pool(1);
  auto guard = rill::make_work_guard(pool);
  std::atomic<bool> joined{false};
  std::thread joiner([&] {
    pool.join();
    joined = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(joined.load());  // the guard's work is outstanding
  std::promise<void> ran;
  rill::post(pool, [&] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(20s), std::future_status::ready);
  guard.reset();
  joiner.join();
  EXPECT_TRUE(joined.load());
}

TEST(thread_pool, executors_compare_by_pool) {
  rill::thread_pool a(1);
  rill::thread_pool b(1);
  EXPECT_TRUE(a.get_executor() == a.executor());
  EXPECT_FALSE(a.get_executor() == b.get_executor());
  EXPECT_EQ(&a.get_executor().context(), &a);
}

TEST(thread_pool, bind_executor_delivers_an_io_completion_to_the_pool) {
  rill::io_context ioc;
  rill::thread_pool pool(2);
  rill::steady_timer timer(ioc, 0ms);
  std::promise<bool> on_pool;
  timer.async_wait(rill::bind_executor(pool, [&](const rill::error_code&) {
    on_pool.set_value(pool.get_executor().running_in_this_thread());
  }));
  ioc.run();
  auto f = on_pool.get_future();
  ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
  EXPECT_TRUE(f.get());
  pool.join();
}

// A composed operation whose steps are posts to the pool: each step runs on
// a pool thread, memory comes from the handler's allocator.
struct pool_steps {
  int target;
  int steps = 0;
  std::atomic<int>* off_pool;
  template <typename Self>
  void operator()(Self& self) {
    if (!self.get_executor().running_in_this_thread() && steps > 0) off_pool->fetch_add(1);
    if (steps == target) return self.complete(steps);
    ++steps;
    rill::post(std::move(self));
  }
};

TEST(thread_pool, async_compose_runs_its_steps_on_the_pool) {
  rill::thread_pool pool(2);
  allocation_log log;
  std::atomic<int> off_pool{0};
  std::promise<int> result;
  std::atomic<int> live_in_handler{-1};
  auto handler = rill::bind_allocator(counting_allocator<char>(log), [&](int n) {
    live_in_handler = log.live();
    result.set_value(n);
  });
  rill::async_compose<decltype(handler), void(int)>(pool_steps{50, 0, &off_pool}, handler,
                                                    pool.get_executor());
  auto f = result.get_future();
  ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
  pool.join();
  EXPECT_EQ(f.get(), 50);
  EXPECT_EQ(off_pool.load(), 0);
  EXPECT_EQ(log.allocations.load(), 50);
  EXPECT_EQ(live_in_handler.load(), 0);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
