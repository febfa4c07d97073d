// Choosing the back end: the io_context option, RILL_BACKEND, and the
// fallback when io_uring is unavailable (simulated with
// RILL_IO_URING_DISABLE, which makes the ring's set-up fail).
#include <rill/backend.hpp>

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>
#include <system_error>

#include <rill/io_context.hpp>
#include <rill/steady_timer.hpp>

namespace {

// Sets (or unsets, value null) an environment variable for one scope.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~scoped_env() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

bool io_uring_works() {
  scoped_env knob("RILL_IO_URING_DISABLE", nullptr);
  rill::io_context ioc(rill::backend::io_uring);
  testing::internal::CaptureStderr();
  const rill::backend b = rill::backend_of(ioc);
  testing::internal::GetCapturedStderr();
  return b == rill::backend::io_uring;
}

TEST(backend, names) {
  EXPECT_STREQ(rill::to_string(rill::backend::automatic), "automatic");
  EXPECT_STREQ(rill::to_string(rill::backend::epoll), "epoll");
  EXPECT_STREQ(rill::to_string(rill::backend::io_uring), "io_uring");
  EXPECT_STREQ(rill::to_string(rill::backend::io_uring_required), "io_uring_required");
}

TEST(backend, explicit_epoll) {
  scoped_env env("RILL_BACKEND", "io_uring");  // the explicit choice wins
  rill::io_context ioc(rill::backend::epoll);
  EXPECT_EQ(rill::backend_of(ioc), rill::backend::epoll);
}

TEST(backend, explicit_io_uring) {
  if (!io_uring_works()) GTEST_SKIP() << "io_uring unavailable here";
  scoped_env env("RILL_BACKEND", "epoll");  // the explicit choice wins
  rill::io_context ioc(rill::backend::io_uring, 1);
  EXPECT_EQ(rill::backend_of(ioc), rill::backend::io_uring);
}

TEST(backend, automatic_prefers_io_uring) {
  if (!io_uring_works()) GTEST_SKIP() << "io_uring unavailable here";
  scoped_env env("RILL_BACKEND", nullptr);
  rill::io_context ioc;
  EXPECT_EQ(rill::backend_of(ioc), rill::backend::io_uring);
}

TEST(backend, environment_selects_for_automatic_contexts) {
  {
    scoped_env env("RILL_BACKEND", "epoll");
    rill::io_context ioc;
    EXPECT_EQ(rill::backend_of(ioc), rill::backend::epoll);
  }
  if (!io_uring_works()) GTEST_SKIP() << "io_uring unavailable here";
  {
    scoped_env env("RILL_BACKEND", "io_uring");
    rill::io_context ioc;
    EXPECT_EQ(rill::backend_of(ioc), rill::backend::io_uring);
  }
}

TEST(backend, unknown_environment_value_is_reported_and_ignored) {
  scoped_env env("RILL_BACKEND", "kqueue");
  scoped_env knob("RILL_IO_URING_DISABLE", "1");
  rill::io_context ioc;
  testing::internal::CaptureStderr();
  EXPECT_EQ(rill::backend_of(ioc), rill::backend::epoll);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "rill: unknown RILL_BACKEND value 'kqueue'; using automatic\n");
}

TEST(backend, requested_but_unavailable_falls_back_with_one_line) {
  scoped_env knob("RILL_IO_URING_DISABLE", "1");
  rill::io_context ioc(rill::backend::io_uring);
  testing::internal::CaptureStderr();
  rill::steady_timer timer(ioc);  // the first timer chooses
  const std::string said = testing::internal::GetCapturedStderr();
  EXPECT_EQ(said, "rill: io_uring unavailable (disabled by RILL_IO_URING_DISABLE); using epoll\n");
  EXPECT_EQ(rill::backend_of(ioc), rill::backend::epoll);
  // And the context works.
  int runs = 0;
  timer.expires_after(std::chrono::milliseconds(1));
  timer.async_wait([&](const std::error_code& ec) { runs += ec ? 100 : 1; });
  EXPECT_EQ(ioc.run_for(std::chrono::seconds(20)), 1u);
  EXPECT_EQ(runs, 1);
}

TEST(backend, requested_through_the_environment_falls_back_too) {
  scoped_env env("RILL_BACKEND", "io_uring");
  scoped_env knob("RILL_IO_URING_DISABLE", "1");
  rill::io_context ioc;
  testing::internal::CaptureStderr();
  EXPECT_EQ(rill::backend_of(ioc), rill::backend::epoll);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "rill: io_uring unavailable (disabled by RILL_IO_URING_DISABLE); using epoll\n");
}

TEST(backend, automatic_falls_back_silently) {
  scoped_env env("RILL_BACKEND", nullptr);
  scoped_env knob("RILL_IO_URING_DISABLE", "1");
  rill::io_context ioc;
  testing::internal::CaptureStderr();
  EXPECT_EQ(rill::backend_of(ioc), rill::backend::epoll);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(backend, required_but_unavailable_throws) {
  scoped_env knob("RILL_IO_URING_DISABLE", "1");
  rill::io_context ioc(rill::backend::io_uring_required);
  try {
    rill::steady_timer timer(ioc);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::function_not_supported);
    EXPECT_NE(std::string(e.what()).find("io_uring required but unavailable"), std::string::npos)
        << e.what();
  }
  // The failed choice left nothing behind: the next attempt fails the same way.
  EXPECT_THROW(rill::backend_of(ioc), std::system_error);
}

TEST(backend, required_through_the_environment_throws) {
  scoped_env env("RILL_BACKEND", "io_uring_required");
  scoped_env knob("RILL_IO_URING_DISABLE", "1");
  rill::io_context ioc;
  EXPECT_THROW(rill::backend_of(ioc), std::system_error);
}

TEST(backend, a_context_that_only_posts_never_chooses) {
  // Nothing to observe but that constructing with an option costs nothing
  // and the context runs handlers.
  rill::io_context ioc(rill::backend::io_uring_required);
  int runs = 0;
  rill::io_context::executor_type ex = ioc.get_executor();
  ex.post([&] { ++runs; }, std::allocator<void>());
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(runs, 1);
}

}  // namespace
