// Tests for rill/execution/execute.hpp.
#include <rill/execution/execute.hpp>

#include <gtest/gtest.h>

#include <utility>

namespace {

namespace execution = rill::execution;

struct member_executor {
  int* calls;
  template <typename F>
  void execute(F&& f) const {
    ++*calls;
    std::forward<F>(f)();
  }
};

namespace adl {
struct free_executor {
  int* calls;
};
template <typename F>
void execute(const free_executor& ex, F&& f) {
  ++*ex.calls;
  std::forward<F>(f)();
}
}  // namespace adl

static_assert(execution::can_execute_v<member_executor, void (*)()>);
static_assert(execution::can_execute_v<adl::free_executor, void (*)()>);
static_assert(!execution::can_execute_v<int, void (*)()>);

TEST(execute, calls_the_member_or_the_free_function) {
  int calls = 0;
  int ran = 0;
  execution::execute(member_executor{&calls}, [&] { ++ran; });
  execution::execute(adl::free_executor{&calls}, [&] { ++ran; });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(ran, 2);
}

TEST(execute, move_only_function_objects_are_forwarded) {
  int calls = 0;
  struct move_only {
    int* ran;
    explicit move_only(int* r) : ran(r) {}
    move_only(const move_only&) = delete;
    move_only(move_only&&) = default;
    void operator()() { ++*ran; }
  };
  int ran = 0;
  execution::execute(member_executor{&calls}, move_only(&ran));
  EXPECT_EQ(ran, 1);
}

}  // namespace
