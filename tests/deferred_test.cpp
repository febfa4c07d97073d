// deferred: Asio's deferred_1..7 examples (with millisecond timers and the
// output captured), values, conditionals, sequences, pipes, copies, several
// signatures, the traits, the experimental names, and the allocation
// contract for chained operations.
#include <rill/deferred.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/bind_executor.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/error.hpp>
#include <rill/experimental/append.hpp>
#include <rill/experimental/deferred.hpp>
#include <rill/io_context.hpp>
#include <rill/steady_timer.hpp>

#include "support/counting_allocator.hpp"
#include "support/handler_memory.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;

const std::string success = std::error_code().message();
const std::string aborted = std::error_code(rill::error::operation_aborted).message();

// --- Asio's examples, asio -> rill, seconds -> milliseconds, cout -> out ---

TEST(deferred, example_1_launch_with_a_handler) {
  using rill::experimental::deferred;
  std::ostringstream out;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);

  auto deferred_op = timer.async_wait(deferred);
  // Nothing is started until the operation is given a token.
  EXPECT_EQ(ctx.poll(), 0u);
  ctx.restart();

  std::move(deferred_op)(
      [&](std::error_code ec) { out << "timer wait finished: " << ec.message() << "\n"; });

  ctx.run();
  EXPECT_EQ(out.str(), "timer wait finished: " + success + "\n");
}

TEST(deferred, example_2_deferred_function_chains_a_second_wait) {
  using rill::experimental::deferred;
  std::ostringstream out;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);

  auto deferred_op = timer.async_wait(deferred([&](std::error_code ec) {
    out << "first timer wait finished: " << ec.message() << "\n";
    timer.expires_after(1ms);
    return timer.async_wait(deferred);
  }));

  std::move(deferred_op)(
      [&](std::error_code ec) { out << "second timer wait finished: " << ec.message() << "\n"; });

  ctx.run();
  EXPECT_EQ(out.str(), "first timer wait finished: " + success +
                           "\nsecond timer wait finished: " + success + "\n");
}

template <typename CompletionToken>
auto async_wait_twice_3(rill::steady_timer& timer, std::ostream& out, CompletionToken&& token) {
  using rill::experimental::deferred;
  return timer.async_wait(deferred([&](std::error_code ec) {
    out << "first timer wait finished: " << ec.message() << "\n";
    timer.expires_after(1ms);
    return timer.async_wait(deferred);
  }))(std::forward<CompletionToken>(token));
}

TEST(deferred, example_3_composed_operation_with_a_handler) {
  std::ostringstream out;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);

  async_wait_twice_3(timer, out, [&](std::error_code ec) {
    out << "second timer wait finished: " << ec.message() << "\n";
  });

  ctx.run();
  EXPECT_EQ(out.str(), "first timer wait finished: " + success +
                           "\nsecond timer wait finished: " + success + "\n");
}

template <typename CompletionToken>
auto async_wait_twice_4(rill::steady_timer& timer, std::ostream& out, CompletionToken&& token) {
  using rill::experimental::deferred;
  return timer.async_wait(deferred([&](std::error_code ec) {
    out << "first timer wait finished: " << ec.message() << "\n";
    timer.expires_after(1ms);
    return timer.async_wait(deferred);
  }))(deferred([&](std::error_code ec) {
    out << "second timer wait finished: " << ec.message() << "\n";
    return deferred.values(42);
  }))(std::forward<CompletionToken>(token));
}

TEST(deferred, example_4_values_end_the_chain) {
  std::ostringstream out;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);

  async_wait_twice_4(timer, out, [&](int result) { out << "result is " << result << "\n"; });

  ctx.run();
  EXPECT_EQ(out.str(), "first timer wait finished: " + success +
                           "\nsecond timer wait finished: " + success + "\nresult is 42\n");
}

template <typename CompletionToken>
auto async_wait_twice_5(rill::steady_timer& timer, std::ostream& out, CompletionToken&& token) {
  using rill::experimental::deferred;
  return timer.async_wait(deferred([&](std::error_code ec) {
    out << "first timer wait finished: " << ec.message() << "\n";
    timer.expires_after(1ms);
    return deferred.when(!ec).then(timer.async_wait(deferred)).otherwise(deferred.values(ec));
  }))(deferred([&](std::error_code ec) {
    out << "second timer wait finished: " << ec.message() << "\n";
    return deferred.when(!ec).then(deferred.values(42)).otherwise(deferred.values(0));
  }))(std::forward<CompletionToken>(token));
}

TEST(deferred, example_5_conditional_success_path) {
  std::ostringstream out;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);

  async_wait_twice_5(timer, out, [&](int result) { out << "result is " << result << "\n"; });

  ctx.run();
  EXPECT_EQ(out.str(), "first timer wait finished: " + success +
                           "\nsecond timer wait finished: " + success + "\nresult is 42\n");
}

TEST(deferred, example_5_conditional_error_path) {
  std::ostringstream out;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1h);

  async_wait_twice_5(timer, out, [&](int result) { out << "result is " << result << "\n"; });
  // The example's commented-out line: the error skips the second wait.
  timer.cancel();

  ctx.run();
  EXPECT_EQ(out.str(), "first timer wait finished: " + aborted +
                           "\nsecond timer wait finished: " + aborted + "\nresult is 0\n");
}

template <typename CompletionToken>
auto async_wait_twice_6(rill::steady_timer& timer, std::ostream& out, CompletionToken&& token) {
  using rill::experimental::append;
  using rill::experimental::deferred;
  return deferred.values(&timer)(deferred([](rill::steady_timer* t) {
    t->expires_after(1ms);
    return t->async_wait(append(deferred, t));
  }))(deferred([&out](std::error_code ec, rill::steady_timer* t) {
    out << "first timer wait finished: " << ec.message() << "\n";
    t->expires_after(1ms);
    return deferred.when(!ec).then(t->async_wait(deferred)).otherwise(deferred.values(ec));
  }))(deferred([&out](std::error_code ec) {
    out << "second timer wait finished: " << ec.message() << "\n";
    return deferred.when(!ec).then(deferred.values(42)).otherwise(deferred.values(0));
  }))(std::forward<CompletionToken>(token));
}

TEST(deferred, example_6_values_start_the_chain) {
  std::ostringstream out;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);

  async_wait_twice_6(timer, out, [&](int result) { out << "result is " << result << "\n"; });

  ctx.run();
  EXPECT_EQ(out.str(), "first timer wait finished: " + success +
                           "\nsecond timer wait finished: " + success + "\nresult is 42\n");
}

template <typename CompletionToken>
auto async_wait_twice_7(rill::steady_timer& timer, std::ostream& out, CompletionToken&& token) {
  using rill::experimental::append;
  using rill::experimental::deferred;
  return deferred.values(&timer) | deferred([](rill::steady_timer* t) {
           t->expires_after(1ms);
           return t->async_wait(append(deferred, t));
         }) |
         deferred([&out](std::error_code ec, rill::steady_timer* t) {
           out << "first timer wait finished: " << ec.message() << "\n";
           t->expires_after(1ms);
           return deferred.when(!ec).then(t->async_wait(deferred)).otherwise(deferred.values(ec));
         }) |
         deferred([&out](std::error_code ec) {
           out << "second timer wait finished: " << ec.message() << "\n";
           return deferred.when(!ec).then(deferred.values(42)).otherwise(deferred.values(0));
         }) |
         std::forward<CompletionToken>(token);
}

TEST(deferred, example_7_pipes) {
  std::ostringstream out;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);

  async_wait_twice_7(timer, out, [&](int result) { out << "result is " << result << "\n"; });

  ctx.run();
  EXPECT_EQ(out.str(), "first timer wait finished: " + success +
                           "\nsecond timer wait finished: " + success + "\nresult is 42\n");
}

// --- Types and traits ---

// A minimal initiating function with two completion signatures.
struct two_signature_initiation {
  template <typename Handler>
  void operator()(Handler&& handler, int which) const {
    if (which == 0) {
      std::forward<Handler>(handler)(7);
    } else {
      std::forward<Handler>(handler)(std::string("seven"));
    }
  }
};

template <typename Token>
decltype(auto) async_either(int which, Token&& token) {
  return rill::async_initiate<Token, void(int), void(std::string)>(two_signature_initiation{},
                                                                   token, which);
}

TEST(deferred, types_traits_and_completion_signatures) {
  rill::io_context ctx;
  rill::steady_timer timer(ctx);

  auto op = timer.async_wait(rill::deferred);
  using op_t = decltype(op);
  static_assert(rill::is_deferred<op_t>::value);
  static_assert(std::is_same_v<op_t::completion_signature, void(std::error_code)>);
  static_assert(std::is_same_v<rill::completion_signature_of_t<op_t>, void(std::error_code)>);

  auto values = rill::deferred.values(1, std::string("x"));
  static_assert(std::is_same_v<decltype(values), rill::deferred_values<int, std::string>>);
  static_assert(
      std::is_same_v<rill::completion_signature_of_t<decltype(values)>, void(int, std::string)>);

  auto seq =
      timer.async_wait(rill::deferred([](std::error_code) { return rill::deferred.values(1.5); }));
  static_assert(rill::is_deferred<decltype(seq)>::value);
  static_assert(std::is_same_v<rill::completion_signature_of_t<decltype(seq)>, void(double)>);

  static_assert(rill::is_deferred<rill::deferred_noop>::value);
  static_assert(rill::is_deferred<decltype(rill::deferred.when(true))>::value);
  static_assert(rill::is_deferred<decltype(rill::deferred([] {}))>::value);
  static_assert(!rill::is_deferred<int>::value);
  static_assert(!rill::is_deferred<rill::deferred_t>::value);

  // deferred(x) passes deferred objects through unchanged.
  static_assert(std::is_same_v<decltype(rill::deferred(std::move(values))), decltype(values)>);

  // One definition, two names.
  static_assert(std::is_same_v<rill::experimental::deferred_t, rill::deferred_t>);
  static_assert(
      std::is_same_v<rill::experimental::deferred_values<int>, rill::deferred_values<int>>);

  // Several signatures are listed, as in Asio 1.25.
  auto either = async_either(0, rill::deferred);
  static_assert(
      std::is_same_v<decltype(either), rill::deferred_async_operation<
                                           rill::deferred_signatures<void(int), void(std::string)>,
                                           two_signature_initiation, int>>);
  (void)op;
  (void)seq;
}

TEST(deferred, values_complete_inside_the_launch) {
  int got = 0;
  std::string text;
  rill::deferred.values(5, std::string("five"))([&](int v, std::string s) {
    got = v;
    text = std::move(s);
  });
  EXPECT_EQ(got, 5);
  EXPECT_EQ(text, "five");
}

TEST(deferred, an_lvalue_operation_launches_a_copy_each_time) {
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);
  auto op = timer.async_wait(rill::deferred);
  int runs = 0;
  op([&](std::error_code ec) {
    EXPECT_FALSE(ec);
    ++runs;
  });
  op([&](std::error_code ec) {
    EXPECT_FALSE(ec);
    ++runs;
  });
  EXPECT_EQ(ctx.run(), 2u);
  EXPECT_EQ(runs, 2);

  auto values = rill::deferred.values(std::string("again"));
  std::string a;
  std::string b;
  values([&](std::string s) { a = std::move(s); });
  values([&](std::string s) { b = std::move(s); });
  EXPECT_EQ(a, "again");
  EXPECT_EQ(b, "again");
}

TEST(deferred, move_only_arguments_and_values) {
  int got = 0;
  rill::deferred.values(std::make_unique<int>(9))([&](std::unique_ptr<int> p) { got = *p; });
  EXPECT_EQ(got, 9);

  auto seq = rill::deferred.values(std::make_unique<int>(3)) |
             rill::deferred([](std::unique_ptr<int> p) { return rill::deferred.values(*p * 2); });
  std::move(seq)([&](int v) { got = v; });
  EXPECT_EQ(got, 6);
}

TEST(deferred, a_deferred_token_on_a_deferred_operation_defers_again) {
  auto values = rill::deferred.values(3);
  auto again = std::move(values)(rill::deferred);
  static_assert(rill::is_deferred<decltype(again)>::value);
  static_assert(std::is_same_v<rill::completion_signature_of_t<decltype(again)>, void(int)>);
  int got = 0;
  std::move(again)([&](int v) { got = v; });
  EXPECT_EQ(got, 3);

  // A sequence given deferred becomes a deferred operation, launched later.
  auto seq = rill::deferred.values(2) |
             rill::deferred([](int v) { return rill::deferred.values(v + 1); }) | rill::deferred;
  static_assert(rill::is_deferred<decltype(seq)>::value);
  std::move(seq)([&](int v) { got = v; });
  EXPECT_EQ(got, 3);
}

TEST(deferred, conditional_chooses_its_branch) {
  int got = 0;
  auto chosen = [&](bool b) {
    return rill::deferred.when(b)
        .then(rill::deferred.values(1))
        .otherwise(rill::deferred.values(2));
  };
  chosen(true)([&](int v) { got = v; });
  EXPECT_EQ(got, 1);
  chosen(false)([&](int v) { got = v; });
  EXPECT_EQ(got, 2);

  // An lvalue conditional launches a copy.
  auto cond = chosen(true);
  cond([&](int v) { got = v * 10; });
  EXPECT_EQ(got, 10);

  // A missing branch is a no-op: the handler is not called.
  bool called = false;
  rill::deferred.when(false).then(rill::deferred.values(1))([&](int) { called = true; });
  EXPECT_FALSE(called);
}

TEST(deferred, several_signatures_reach_the_handler) {
  int number = 0;
  std::string text;
  struct overloaded {
    int* number;
    std::string* text;
    void operator()(int v) const { *number = v; }
    void operator()(std::string s) const { *text = std::move(s); }
  };
  auto zero = async_either(0, rill::deferred);
  auto one = async_either(1, rill::deferred);
  std::move(zero)(overloaded{&number, &text});
  std::move(one)(overloaded{&number, &text});
  EXPECT_EQ(number, 7);
  EXPECT_EQ(text, "seven");
}

TEST(deferred, lvalue_deferred_function_token_is_copied) {
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  int calls = 0;
  auto token = rill::deferred([&](std::error_code) {
    ++calls;
    return rill::deferred.values(calls);
  });
  timer.expires_after(1ms);
  int got = 0;
  timer.async_wait(token)([&](int v) { got += v; });
  timer.async_wait(token)([&](int v) { got += v; });
  ctx.run();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(got, 3);
}

TEST(deferred, as_default_on_makes_deferred_the_default_token) {
  rill::io_context ctx;
  using timer_t = rill::deferred_t::as_default_on_t<rill::steady_timer>;
  static_assert(
      std::is_same_v<rill::default_completion_token_t<timer_t::executor_type>, rill::deferred_t>);
  timer_t timer(ctx);
  timer.expires_after(1ms);
  auto op = timer.async_wait();
  static_assert(rill::is_deferred<decltype(op)>::value);
  int runs = 0;
  std::move(op)([&](std::error_code ec) {
    EXPECT_FALSE(ec);
    ++runs;
  });
  ctx.run();
  EXPECT_EQ(runs, 1);

  rill::steady_timer plain(ctx);
  auto converted = rill::deferred.as_default_on(std::move(plain));
  static_assert(std::is_same_v<decltype(converted), timer_t>);
}

// --- The allocation contract ---

TEST(deferred, sequence_handler_forwards_associations) {
  rill::io_context ctx;
  allocation_log log;
  auto handler =
      rill::bind_executor(ctx, rill::bind_allocator(counting_allocator<char>(log), [](int) {}));
  auto tail = [](std::error_code) { return rill::deferred.values(1); };
  using link_t = rill::detail::deferred_sequence_handler<decltype(handler), decltype(tail)>;
  link_t link(handler, tail);
  static_assert(std::is_same_v<rill::associated_allocator_t<link_t>, counting_allocator<char>>);
  static_assert(
      std::is_same_v<rill::associated_executor_t<link_t>, rill::io_context::executor_type>);
  EXPECT_EQ(&rill::get_associated_allocator(link).log(), &log);
  EXPECT_TRUE(rill::get_associated_executor(link) == ctx.get_executor());

  // A handler with no executor of its own keeps the fallback.
  auto plain = [](int) {};
  using plain_link_t = rill::detail::deferred_sequence_handler<decltype(plain), decltype(tail)>;
  static_assert(std::is_same_v<rill::associated_executor_t<plain_link_t>, rill::system_executor>);
  static_assert(!rill::detail::has_own_executor<plain_link_t, rill::io_context::executor_type>);
}

TEST(deferred, chained_operations_allocate_through_the_final_handler) {
  allocation_log log;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);
  std::ostringstream out;
  int live_in_link = -1;
  int live_in_handler = -1;
  int result = 0;

  auto op = timer.async_wait(rill::deferred([&](std::error_code ec) {
    live_in_link = log.live();
    timer.expires_after(1ms);
    return rill::deferred.when(!ec)
        .then(timer.async_wait(rill::deferred))
        .otherwise(rill::deferred.values(ec));
  })) | rill::deferred([&](std::error_code ec) { return rill::deferred.values(ec ? 0 : 42); });

  std::move(op)(rill::bind_allocator(counting_allocator<char>(log), [&](int v) {
    live_in_handler = log.live();
    result = v;
  }));
  // Launched: the first wait's memory came from the handler's allocator.
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 1);

  ctx.run();
  EXPECT_EQ(result, 42);
  EXPECT_EQ(log.allocations.load(), 2);
  EXPECT_EQ(live_in_link, 0);
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(deferred, a_chain_reuses_one_block) {
  // One block for the whole chain: each wait frees it before the next link
  // runs, so asking for it while in use (which would throw) never happens.
  rill_test::handler_memory<> memory;
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1ms);
  std::ostringstream out;
  bool in_use_in_handler = true;
  int result = 0;

  async_wait_twice_5(timer, out,
                     rill::bind_allocator(rill_test::handler_allocator<char>(memory), [&](int v) {
                       in_use_in_handler = memory.in_use();
                       result = v;
                     }));
  EXPECT_TRUE(memory.in_use());
  ctx.run();
  EXPECT_EQ(result, 42);
  EXPECT_EQ(memory.allocations(), 2);
  EXPECT_FALSE(in_use_in_handler);
  EXPECT_FALSE(memory.in_use());
}

TEST(deferred, the_final_handlers_cancellation_slot_reaches_each_link) {
  rill::io_context ctx;
  rill::steady_timer timer(ctx);
  timer.expires_after(1h);
  std::ostringstream out;
  rill::cancellation_signal signal;
  int result = -1;

  async_wait_twice_5(timer, out,
                     rill::bind_cancellation_slot(signal.slot(), [&](int v) { result = v; }));
  EXPECT_EQ(ctx.poll(), 0u);
  // The pending first wait listens on the handler's slot.
  signal.emit(rill::cancellation_type::terminal);
  ctx.restart();
  ctx.run();
  EXPECT_EQ(result, 0);
  EXPECT_EQ(out.str(), "first timer wait finished: " + aborted +
                           "\nsecond timer wait finished: " + aborted + "\n");
}

TEST(deferred, destroying_the_context_frees_a_pending_chain_without_invoking) {
  allocation_log log;
  bool invoked = false;
  {
    rill::io_context ctx;
    rill::steady_timer timer(ctx);
    timer.expires_after(1h);
    std::ostringstream out;
    async_wait_twice_5(timer, out, rill::bind_allocator(counting_allocator<char>(log), [&](int) {
                         invoked = true;
                       }));
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_FALSE(invoked);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
