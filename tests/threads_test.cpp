// Several threads running one io_context: every handler runs exactly once,
// one handler's allocator is never called concurrently, and nothing leaks.
// The per-chain state is deliberately not atomic: the scheduler's hand-off
// must order one handler of a chain before the next (ThreadSanitizer checks).
#include <rill/io_context.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <rill/bind_allocator.hpp>
#include <rill/defer.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/post.hpp>

#include "support/counting_allocator.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::check_log;
using rill_test::checking_allocator;

// Long enough for any sane run; the tests normally finish in well under a second.
constexpr auto run_bound = 45s;

enum class resubmit { post, defer, alternate };

struct chain_state {
  check_log log;
  int runs = 0;       // touched only by the chain's handlers
  int remaining = 0;  // idem
  resubmit how = resubmit::post;
};

// One handler of a chain: counts itself and submits its successor, with
// memory from the chain's own checking allocator.
struct link {
  rill::io_context* ioc;
  chain_state* chain;

  void operator()() const {
    ++chain->runs;
    if (--chain->remaining == 0) return;
    auto next = rill::bind_allocator(checking_allocator<char>(chain->log), *this);
    const bool use_defer = chain->how == resubmit::defer ||
                           (chain->how == resubmit::alternate && chain->runs % 2 == 0);
    if (use_defer) {
      rill::defer(*ioc, std::move(next));
    } else {
      rill::post(*ioc, std::move(next));
    }
  }
};

// Runs ioc on n threads (bounded by run_bound), returning the total of the
// handler counts that run_for reported.
std::size_t run_on_threads(rill::io_context& ioc, int n) {
  std::atomic<std::size_t> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&] { total.fetch_add(ioc.run_for(run_bound)); });
  }
  for (auto& t : threads) t.join();
  return total.load();
}

TEST(threads, two_threads_many_chains_with_their_own_allocators) {
  constexpr int chains = 64;
  constexpr int per_chain = 2000;
  rill::io_context ioc;
  std::vector<std::unique_ptr<chain_state>> states;
  for (int i = 0; i < chains; ++i) {
    auto s = std::make_unique<chain_state>();
    s->remaining = per_chain;
    s->how = static_cast<resubmit>(i % 3);
    rill::post(ioc, rill::bind_allocator(checking_allocator<char>(s->log), link{&ioc, s.get()}));
    states.push_back(std::move(s));
  }
  const std::size_t ran = run_on_threads(ioc, 2);
  EXPECT_EQ(ran, static_cast<std::size_t>(chains) * per_chain);
  EXPECT_TRUE(ioc.stopped());
  for (int i = 0; i < chains; ++i) {
    const chain_state& s = *states[static_cast<std::size_t>(i)];
    EXPECT_EQ(s.runs, per_chain) << "chain " << i;
    EXPECT_EQ(s.log.concurrent_calls.load(), 0) << "chain " << i;
    EXPECT_EQ(s.log.allocations.load(), per_chain) << "chain " << i;
    EXPECT_EQ(s.log.live(), 0) << "chain " << i;
  }
}

TEST(threads, more_threads_than_cores) {
  constexpr int chains = 16;
  constexpr int per_chain = 500;
  rill::io_context ioc;
  std::vector<std::unique_ptr<chain_state>> states;
  for (int i = 0; i < chains; ++i) {
    auto s = std::make_unique<chain_state>();
    s->remaining = per_chain;
    s->how = resubmit::alternate;
    rill::post(ioc, rill::bind_allocator(checking_allocator<char>(s->log), link{&ioc, s.get()}));
    states.push_back(std::move(s));
  }
  EXPECT_EQ(run_on_threads(ioc, 4), static_cast<std::size_t>(chains) * per_chain);
  for (const auto& s : states) {
    EXPECT_EQ(s->runs, per_chain);
    EXPECT_EQ(s->log.concurrent_calls.load(), 0);
    EXPECT_EQ(s->log.live(), 0);
  }
}

// A chain whose every other handler is submitted by a thread that does not
// run the context: the handler hands the turn over, the foreign thread
// posts the next one. Meanwhile other chains keep both runner threads busy.
struct relay {
  std::mutex mutex;
  std::condition_variable cv;
  bool foreign_turn = false;
  bool finished = false;
  check_log log;
  int runs = 0;
  int remaining = 0;
  int posted_inside = 0;
  int posted_outside = 0;
};

struct relay_link {
  rill::io_context* ioc;
  relay* r;
  rill::executor_work_guard<rill::io_context::executor_type>* guard;

  void operator()() const {
    ++r->runs;
    if (--r->remaining == 0) {
      {
        std::lock_guard lock(r->mutex);
        r->finished = true;
      }
      r->cv.notify_all();
      guard->reset();  // only this handler and the test (after join) touch it
      return;
    }
    if (r->runs % 2 == 1) {
      ++r->posted_inside;
      rill::post(*ioc, rill::bind_allocator(checking_allocator<char>(r->log), *this));
    } else {
      {
        std::lock_guard lock(r->mutex);
        r->foreign_turn = true;
      }
      r->cv.notify_all();
    }
  }
};

TEST(threads, chain_alternating_inside_and_foreign_posts) {
  constexpr int relay_length = 2000;
  constexpr int chains = 8;
  constexpr int per_chain = 2000;
  rill::io_context ioc;
  // Keeps run() going while the turn is with the foreign thread.
  auto guard = rill::make_work_guard(ioc);
  relay r;
  r.remaining = relay_length;
  relay_link first{&ioc, &r, &guard};

  std::vector<std::unique_ptr<chain_state>> states;
  for (int i = 0; i < chains; ++i) {
    auto s = std::make_unique<chain_state>();
    s->remaining = per_chain;
    s->how = static_cast<resubmit>(i % 3);
    rill::post(ioc, rill::bind_allocator(checking_allocator<char>(s->log), link{&ioc, s.get()}));
    states.push_back(std::move(s));
  }

  bool foreign_ok = true;
  std::thread foreign([&] {
    rill::post(ioc, rill::bind_allocator(checking_allocator<char>(r.log), first));
    std::unique_lock lock(r.mutex);
    for (;;) {
      if (!r.cv.wait_for(lock, 20s, [&] { return r.foreign_turn || r.finished; })) {
        foreign_ok = false;
        break;
      }
      if (r.finished) break;
      r.foreign_turn = false;
      ++r.posted_outside;
      lock.unlock();
      rill::post(ioc, rill::bind_allocator(checking_allocator<char>(r.log), first));
      lock.lock();
    }
  });

  const std::size_t ran = run_on_threads(ioc, 2);
  if (!foreign_ok) ioc.stop();
  foreign.join();
  if (!foreign_ok) guard.reset();

  EXPECT_TRUE(foreign_ok);
  EXPECT_EQ(ran, static_cast<std::size_t>(relay_length + chains * per_chain));
  EXPECT_EQ(r.runs, relay_length);
  // The first post came from the foreign thread, then the turns alternate.
  EXPECT_EQ(r.posted_outside + 1 + r.posted_inside, relay_length);
  EXPECT_EQ(r.posted_inside, relay_length / 2);
  EXPECT_EQ(r.log.concurrent_calls.load(), 0);
  EXPECT_EQ(r.log.allocations.load(), relay_length);
  EXPECT_EQ(r.log.live(), 0);
  for (const auto& s : states) {
    EXPECT_EQ(s->runs, per_chain);
    EXPECT_EQ(s->log.concurrent_calls.load(), 0);
    EXPECT_EQ(s->log.live(), 0);
  }
}

TEST(threads, foreign_threads_post_while_two_threads_run) {
  constexpr int posters = 3;
  constexpr int per_poster = 3000;
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  std::vector<std::unique_ptr<check_log>> logs;
  for (int p = 0; p < posters; ++p) logs.push_back(std::make_unique<check_log>());
  std::atomic<int> runs{0};
  std::atomic<int> posters_done{0};

  std::vector<std::thread> runners;
  std::atomic<std::size_t> ran{0};
  for (int t = 0; t < 2; ++t) {
    runners.emplace_back([&] { ran.fetch_add(ioc.run_for(run_bound)); });
  }
  std::vector<std::thread> threads;
  for (int p = 0; p < posters; ++p) {
    threads.emplace_back([&, p] {
      // Each poster's handlers share one allocator. Several of them are
      // queued at once, so calls for different handlers may overlap (that is
      // allowed); only counts and leaks are checked here.
      check_log& log = *logs[static_cast<std::size_t>(p)];
      for (int i = 0; i < per_poster; ++i) {
        rill::post(ioc, rill::bind_allocator(checking_allocator<char>(log), [&runs] {
                     runs.fetch_add(1, std::memory_order_relaxed);
                   }));
      }
      if (posters_done.fetch_add(1) + 1 == posters) {
        rill::post(ioc, [&guard] { guard.reset(); });
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& t : runners) t.join();
  EXPECT_EQ(runs.load(), posters * per_poster);
  EXPECT_EQ(ran.load(), static_cast<std::size_t>(posters * per_poster + 1));
  for (const auto& log : logs) {
    EXPECT_EQ(log->allocations.load(), per_poster);
    EXPECT_EQ(log->live(), 0);
  }
}

TEST(threads, stop_from_another_thread_returns_every_runner) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  std::atomic<int> started{0};
  std::atomic<int> returned{0};
  std::vector<std::thread> runners;
  for (int t = 0; t < 4; ++t) {
    runners.emplace_back([&] {
      rill::post(ioc, [&] { ++started; });
      ioc.run_for(run_bound);
      ++returned;
    });
  }
  while (started.load() < 4) std::this_thread::yield();
  std::thread stopper([&] { ioc.stop(); });
  stopper.join();
  for (auto& t : runners) t.join();
  EXPECT_EQ(returned.load(), 4);
  EXPECT_TRUE(ioc.stopped());
}

TEST(threads, a_work_guard_reset_on_another_thread_lets_run_return) {
  rill::io_context ioc;
  auto guard = rill::make_work_guard(ioc);
  std::atomic<bool> running{false};
  std::atomic<std::size_t> ran{0};
  std::vector<std::thread> runners;
  for (int t = 0; t < 3; ++t) {
    runners.emplace_back([&] {
      running = true;
      ran += ioc.run_for(run_bound);
    });
  }
  while (!running.load()) std::this_thread::yield();
  // Work posted from this (foreign) thread runs on the runners; the guard
  // keeps them waiting afterwards until it is reset, from yet another thread.
  std::atomic<int> handled{0};
  for (int i = 0; i < 1000; ++i) rill::post(ioc, [&] { ++handled; });
  while (handled.load() < 1000) std::this_thread::yield();
  EXPECT_FALSE(ioc.stopped());
  std::thread resetter([&] { guard.reset(); });
  resetter.join();
  for (auto& t : runners) t.join();
  EXPECT_EQ(ran.load(), 1000U);
  EXPECT_TRUE(ioc.stopped());
}

}  // namespace
