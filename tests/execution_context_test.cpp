// The service model of execution_context, with services declared exactly as
// Asio's documentation declares them.
#include <rill/execution_context.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <rill/io_context.hpp>
#include <rill/post.hpp>

namespace {

using namespace std::chrono_literals;

// What the services did, in order. One log per test, reached through a
// global because services are constructed by the library from the context
// alone.
struct event_log {
  std::mutex mutex;
  std::vector<std::string> events;
  void add(std::string e) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(e));
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex);
    return std::exchange(events, {});
  }
};

event_log g_log;

std::string fork_name(rill::execution_context::fork_event e) {
  switch (e) {
    case rill::execution_context::fork_prepare:
      return "prepare";
    case rill::execution_context::fork_parent:
      return "parent";
    case rill::execution_context::fork_child:
      return "child";
  }
  return "?";
}

// Runs f on another thread and waits for it, boundedly. A call that does
// not return in time is deadlocked; the thread cannot be reclaimed, so the
// test binary is stopped there rather than hanging until the ctest timeout.
template <typename F>
void expect_returns_within(F f, std::chrono::seconds timeout, const char* what) {
  std::packaged_task<void()> task(std::move(f));
  std::future<void> done = task.get_future();
  std::thread runner(std::move(task));
  if (done.wait_for(timeout) != std::future_status::ready) {
    std::fprintf(stderr, "FATAL: %s did not return within %llds (deadlock)\n", what,
                 static_cast<long long>(timeout.count()));
    std::abort();
  }
  runner.join();
  done.get();  // rethrows what f threw
}

// A user service written as the Asio documentation shows: derives from
// execution_context::service, has a static id, a private shutdown().
class logging_service : public rill::execution_context::service {
 public:
  static rill::execution_context::id id;

  explicit logging_service(rill::execution_context& ctx) : rill::execution_context::service(ctx) {
    g_log.add("A constructed");
    constructed.fetch_add(1);
  }
  ~logging_service() override { g_log.add("A destroyed"); }

  int shutdowns = 0;
  static inline std::atomic<int> constructed{0};

 private:
  void shutdown() override {
    ++shutdowns;
    g_log.add("A shutdown");
  }
  void notify_fork(rill::execution_context::fork_event e) override {
    g_log.add("A " + fork_name(e));
  }
};
rill::execution_context::id logging_service::id;

// A second one, constructed with an extra argument by make_service.
class second_service : public rill::execution_context::service {
 public:
  static rill::execution_context::id id;

  explicit second_service(rill::execution_context& ctx, int value = 0)
      : rill::execution_context::service(ctx), value_(value) {
    g_log.add("B constructed " + std::to_string(value));
  }
  ~second_service() override { g_log.add("B destroyed " + std::to_string(value_)); }

  [[nodiscard]] int value() const noexcept { return value_; }

 private:
  void shutdown() override { g_log.add("B shutdown"); }
  void notify_fork(rill::execution_context::fork_event e) override {
    g_log.add("B " + fork_name(e));
  }
  int value_;
};
rill::execution_context::id second_service::id;

// A service whose constructor asks for another service.
class dependent_service : public rill::execution_context::service {
 public:
  static rill::execution_context::id id;

  explicit dependent_service(rill::execution_context& ctx)
      : rill::execution_context::service(ctx), base_(rill::use_service<logging_service>(ctx)) {
    g_log.add("C constructed");
  }
  ~dependent_service() override { g_log.add("C destroyed"); }

  logging_service& base() noexcept { return base_; }

 private:
  void shutdown() override {
    // Services are shut down newest first, and none is destroyed before
    // all have been shut down: the older service is still usable here.
    g_log.add("C shutdown, A shut down " + std::to_string(base_.shutdowns) + " times");
  }
  logging_service& base_;
};
rill::execution_context::id dependent_service::id;

// A service whose fork notification asks the context about other services.
class fork_aware_service : public rill::execution_context::service {
 public:
  static rill::execution_context::id id;

  explicit fork_aware_service(rill::execution_context& ctx)
      : rill::execution_context::service(ctx) {}

 private:
  void shutdown() override {}
  void notify_fork(rill::execution_context::fork_event e) override {
    const bool has = rill::has_service<logging_service>(context());
    rill::use_service<second_service>(context());
    g_log.add("D " + fork_name(e) + (has ? " sees A" : " misses A"));
  }
};
rill::execution_context::id fork_aware_service::id;

// A service whose constructor throws, while armed.
class failing_service : public rill::execution_context::service {
 public:
  static rill::execution_context::id id;
  static inline bool armed = true;

  explicit failing_service(rill::execution_context& ctx) : rill::execution_context::service(ctx) {
    if (armed) throw std::runtime_error("failing_service");
  }

 private:
  void shutdown() override {}
};
rill::execution_context::id failing_service::id;

class execution_context_test : public ::testing::Test {
 protected:
  void SetUp() override {
    g_log.take();
    logging_service::constructed = 0;
  }
  void TearDown() override { g_log.take(); }
};

TEST_F(execution_context_test, use_service_creates_once_and_returns_the_same_instance) {
  rill::execution_context ctx;
  EXPECT_FALSE(rill::has_service<logging_service>(ctx));
  logging_service& a = rill::use_service<logging_service>(ctx);
  EXPECT_TRUE(rill::has_service<logging_service>(ctx));
  logging_service& again = rill::use_service<logging_service>(ctx);
  EXPECT_EQ(&a, &again);
  EXPECT_EQ(&a.context(), &ctx);
  EXPECT_EQ(logging_service::constructed.load(), 1);
  EXPECT_EQ(g_log.take(), (std::vector<std::string>{"A constructed"}));
}

TEST_F(execution_context_test, each_context_has_its_own_instance) {
  rill::execution_context one;
  rill::execution_context two;
  logging_service& a1 = rill::use_service<logging_service>(one);
  EXPECT_FALSE(rill::has_service<logging_service>(two));
  logging_service& a2 = rill::use_service<logging_service>(two);
  EXPECT_NE(&a1, &a2);
  EXPECT_EQ(&a2.context(), &two);
}

TEST_F(execution_context_test, make_service_passes_arguments_and_throws_on_a_second_call) {
  rill::execution_context ctx;
  second_service& b = rill::make_service<second_service>(ctx, 7);
  EXPECT_EQ(b.value(), 7);
  EXPECT_TRUE(rill::has_service<second_service>(ctx));
  EXPECT_THROW(rill::make_service<second_service>(ctx, 8), rill::service_already_exists);
  // The rejected instance was destroyed; the first one stays.
  EXPECT_EQ(&rill::use_service<second_service>(ctx), &b);
  EXPECT_EQ(rill::use_service<second_service>(ctx).value(), 7);
  EXPECT_EQ(g_log.take(),
            (std::vector<std::string>{"B constructed 7", "B constructed 8", "B destroyed 8"}));
}

TEST_F(execution_context_test, make_service_after_use_service_throws) {
  rill::execution_context ctx;
  rill::use_service<second_service>(ctx);
  EXPECT_THROW(rill::make_service<second_service>(ctx, 1), rill::service_already_exists);
  // A service_already_exists is a logic_error, as in Asio.
  EXPECT_THROW(rill::make_service<second_service>(ctx, 2), std::logic_error);
}

TEST_F(execution_context_test, add_service_takes_ownership) {
  std::vector<std::string> events;
  {
    rill::execution_context ctx;
    auto* b = new second_service(ctx, 3);
    rill::add_service(ctx, b);
    EXPECT_TRUE(rill::has_service<second_service>(ctx));
    EXPECT_EQ(&rill::use_service<second_service>(ctx), b);
    // A second instance of the same service is refused; the caller keeps it.
    auto duplicate = std::make_unique<second_service>(ctx, 4);
    EXPECT_THROW(rill::add_service(ctx, duplicate.get()), rill::service_already_exists);
    duplicate.reset();
    events = g_log.take();
  }
  EXPECT_EQ(events,
            (std::vector<std::string>{"B constructed 3", "B constructed 4", "B destroyed 4"}));
  // The context destroyed the one it owned.
  EXPECT_EQ(g_log.take(), (std::vector<std::string>{"B shutdown", "B destroyed 3"}));
}

TEST_F(execution_context_test, add_service_created_for_another_context_throws_invalid_owner) {
  rill::execution_context ctx;
  rill::execution_context other;
  auto foreign = std::make_unique<second_service>(other, 5);
  EXPECT_THROW(rill::add_service(ctx, foreign.get()), rill::invalid_service_owner);
  EXPECT_THROW(rill::add_service(ctx, foreign.get()), std::logic_error);
  EXPECT_FALSE(rill::has_service<second_service>(ctx));
  EXPECT_FALSE(rill::has_service<second_service>(other));  // not added there either
  foreign.reset();                                         // still ours to delete
  EXPECT_EQ(g_log.take(), (std::vector<std::string>{"B constructed 5", "B destroyed 5"}));
}

TEST_F(execution_context_test, has_service_does_not_create) {
  rill::execution_context ctx;
  EXPECT_FALSE(rill::has_service<logging_service>(ctx));
  EXPECT_FALSE(rill::has_service<logging_service>(ctx));
  EXPECT_EQ(logging_service::constructed.load(), 0);
  EXPECT_TRUE(g_log.take().empty());
}

TEST_F(execution_context_test, shutdown_once_newest_first_then_destroyed) {
  {
    rill::io_context ctx;  // its scheduler is the oldest service
    rill::use_service<logging_service>(ctx);
    rill::make_service<second_service>(ctx, 1);
    EXPECT_EQ(g_log.take(), (std::vector<std::string>{"A constructed", "B constructed 1"}));
  }
  EXPECT_EQ(g_log.take(),
            (std::vector<std::string>{"B shutdown", "A shutdown", "B destroyed 1", "A destroyed"}));
}

TEST_F(execution_context_test, service_constructor_may_use_another_service) {
  std::unique_ptr<rill::execution_context> ctx = std::make_unique<rill::execution_context>();
  dependent_service* c = nullptr;
  expect_returns_within([&] { c = &rill::use_service<dependent_service>(*ctx); }, 10s,
                        "use_service from a service constructor");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(rill::has_service<logging_service>(*ctx));
  EXPECT_EQ(&c->base(), &rill::use_service<logging_service>(*ctx));
  EXPECT_EQ(logging_service::constructed.load(), 1);
  EXPECT_EQ(g_log.take(), (std::vector<std::string>{"A constructed", "C constructed"}));
  ctx.reset();
  // A was created (and linked) first, so C is the newer: C is shut down
  // first, A is still alive and not yet shut down when it is.
  EXPECT_EQ(g_log.take(), (std::vector<std::string>{"C shutdown, A shut down 0 times", "A shutdown",
                                                    "C destroyed", "A destroyed"}));
}

TEST_F(execution_context_test, throwing_service_constructor_leaves_no_service) {
  rill::execution_context ctx;
  failing_service::armed = true;
  EXPECT_THROW(rill::use_service<failing_service>(ctx), std::runtime_error);
  EXPECT_FALSE(rill::has_service<failing_service>(ctx));
  EXPECT_THROW(rill::make_service<failing_service>(ctx), std::runtime_error);
  EXPECT_FALSE(rill::has_service<failing_service>(ctx));
  failing_service::armed = false;
  failing_service& f = rill::use_service<failing_service>(ctx);
  EXPECT_EQ(&f, &rill::use_service<failing_service>(ctx));
}

TEST_F(execution_context_test, concurrent_use_service_yields_one_instance) {
  rill::execution_context ctx;
  std::atomic<bool> go{false};
  logging_service* seen[4] = {};
  std::vector<std::thread> threads;
  for (auto& slot : seen) {
    threads.emplace_back([&ctx, &go, &slot] {
      while (!go.load()) std::this_thread::yield();
      slot = &rill::use_service<logging_service>(ctx);
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  for (logging_service* s : seen) EXPECT_EQ(s, seen[0]);
  EXPECT_EQ(seen[0], &rill::use_service<logging_service>(ctx));
  // Constructors may have raced, but every losing instance was destroyed.
  const int constructed = logging_service::constructed.load();
  EXPECT_GE(constructed, 1);
  int destroyed = 0;
  for (const std::string& e : g_log.take()) destroyed += e == "A destroyed" ? 1 : 0;
  EXPECT_EQ(destroyed, constructed - 1);
}

TEST_F(execution_context_test, notify_fork_reaches_services_in_asio_order) {
  rill::io_context ctx;
  rill::use_service<logging_service>(ctx);
  rill::use_service<second_service>(ctx);
  g_log.take();
  ctx.notify_fork(rill::execution_context::fork_prepare);
  EXPECT_EQ(g_log.take(), (std::vector<std::string>{"B prepare", "A prepare"}));
  ctx.notify_fork(rill::execution_context::fork_parent);
  EXPECT_EQ(g_log.take(), (std::vector<std::string>{"A parent", "B parent"}));
  ctx.notify_fork(rill::execution_context::fork_child);
  EXPECT_EQ(g_log.take(), (std::vector<std::string>{"A child", "B child"}));
  // The io_context keeps working after the notifications.
  int runs = 0;
  rill::post(ctx, [&runs] { ++runs; });
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_EQ(runs, 1);
}

TEST_F(execution_context_test, service_may_use_the_registry_from_notify_fork) {
  // As in Asio, the registry must not hold its lock while it calls into the
  // services: a service may ask for (and even create) other services there.
  rill::execution_context ctx;
  rill::use_service<logging_service>(ctx);
  rill::use_service<fork_aware_service>(ctx);
  g_log.take();
  expect_returns_within([&] { ctx.notify_fork(rill::execution_context::fork_prepare); }, 10s,
                        "notify_fork calling has_service/use_service");
  const std::vector<std::string> events = g_log.take();
  EXPECT_EQ(events, (std::vector<std::string>{"B constructed 0", "D prepare sees A", "A prepare"}));
  EXPECT_TRUE(rill::has_service<second_service>(ctx));
}

}  // namespace
