// rill::async_compose: results, the self object's executor and allocator,
// work on the I/O executors, the allocation contract over many steps, and
// destruction with a step pending. Steps are timer waits, posts, and reads
// and writes on loopback sockets.
#include <rill/compose.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/bind_executor.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_state.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/tcp.hpp>
#include <rill/post.hpp>
#include <rill/read.hpp>
#include <rill/steady_timer.hpp>
#include <rill/write.hpp>

#include "support/counting_allocator.hpp"
#include "support/heap_counter.hpp"
#include "support/io_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using rill_test::allocation_log;
using rill_test::counting_allocator;
using rill_test::drained;

struct result {
  int calls = 0;
  rill::error_code ec;
  int steps = -1;
};

auto record(result& r) {
  return [&r](const rill::error_code& ec, int steps) {
    ++r.calls;
    r.ec = ec;
    r.steps = steps;
  };
}

struct no_observer {
  template <typename Self>
  void operator()(Self& /*self*/) const {}
};

// Counts the live copies of an implementation, to see that a destroyed
// operation destroys its implementation too.
struct instance_counter {
  explicit instance_counter(int& live) : live_(&live) { ++*live_; }
  instance_counter(const instance_counter& other) : live_(other.live_) { ++*live_; }
  instance_counter& operator=(const instance_counter&) = delete;
  ~instance_counter() { --*live_; }
  int* live_;
};

// Waits on a timer `target` times, then completes with the number of waits.
// observe(self) runs at the start and on every resumption.
template <typename Observer>
struct timer_steps {
  rill::steady_timer& timer;
  int target;
  Observer observe;
  int steps = 0;
  bool started = false;

  template <typename Self>
  void operator()(Self& self, rill::error_code ec = {}) {
    observe(self);
    if (started) {
      if (ec) return self.complete(ec, steps);
      ++steps;
    }
    started = true;
    if (steps == target) return self.complete(ec, steps);
    timer.expires_after(0ms);
    timer.async_wait(std::move(self));
  }
};

template <typename Token, typename Observer = no_observer, typename... Extra>
decltype(auto) async_timer_steps(rill::steady_timer& timer, int target, Token&& token,
                                 Observer observe = {}, Extra&&... extra) {
  return rill::async_compose<Token, void(rill::error_code, int)>(
      timer_steps<Observer>{timer, target, std::move(observe)}, token, timer,
      std::forward<Extra>(extra)...);
}

// ---------------------------------------------------------------------------
// Results

TEST(async_compose, runs_each_step_and_completes_with_the_result) {
  rill::io_context ioc;
  rill::steady_timer timer(ioc);
  result r;
  async_timer_steps(timer, 5, record(r));
  EXPECT_EQ(r.calls, 0);  // the first step is pending, nothing completed inline
  EXPECT_EQ(ioc.run(), 5u);
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.steps, 5);
  EXPECT_TRUE(drained(ioc));
}

TEST(async_compose, complete_inside_the_initiating_function_invokes_the_handler_at_once) {
  // As in Asio: complete() calls the handler directly, wherever it is called.
  rill::io_context ioc;
  rill::steady_timer timer(ioc);
  result r;
  async_timer_steps(timer, 0, record(r));
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.steps, 0);
  // The work on the timer's executor was given up before the upcall.
  EXPECT_TRUE(drained(ioc));
}

TEST(async_compose, an_intermediate_error_reaches_the_handler) {
  rill::io_context ioc;
  rill::steady_timer timer(ioc);
  result r;
  async_timer_steps(timer, 3, record(r));
  EXPECT_EQ(timer.cancel(), 1u);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.ec, rill::error::operation_aborted);
  EXPECT_EQ(r.steps, 0);
}

TEST(async_compose, complete_converts_its_arguments_to_the_signature) {
  rill::io_context ioc;
  std::size_t got = 0;
  auto handler = [&](rill::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    got = n;
  };
  rill::async_compose<decltype(handler), void(rill::error_code, std::size_t)>(
      [](auto& self) { self.complete({}, 42); }, handler, ioc);
  EXPECT_EQ(got, 42u);
}

TEST(async_compose, several_completion_signatures_give_several_complete_overloads) {
  rill::io_context ioc;
  int arity = -1;
  auto handler = [&](auto&&... args) { arity = static_cast<int>(sizeof...(args)); };
  auto start = [&](bool two) {
    rill::async_compose<decltype(handler), void(rill::error_code), void(rill::error_code, int)>(
        [two](auto& self) {
          if (two) {
            self.complete(rill::error_code(), 7);
          } else {
            self.complete(rill::error_code());
          }
        },
        handler, ioc);
  };
  start(false);
  EXPECT_EQ(arity, 1);
  start(true);
  EXPECT_EQ(arity, 2);
}

TEST(async_compose, a_move_only_implementation_and_no_io_objects) {
  // With no I/O object the default executor is the system executor.
  rill::io_context ioc;
  int value = 0;
  auto impl = [p = std::make_unique<int>(5)](auto& self) {
    static_assert(std::is_same_v<decltype(self.get_executor()), rill::system_executor>);
    self.complete(*p);
  };
  auto handler = [&](int v) { value = v; };
  rill::async_compose<decltype(handler), void(int)>(std::move(impl), handler);
  EXPECT_EQ(value, 5);
}

// ---------------------------------------------------------------------------
// The executor: the handler's, by default the first I/O object's

TEST(async_compose, self_executor_defaults_to_the_first_io_object_executor) {
  rill::io_context ioc;
  rill::io_context other;
  rill::steady_timer timer(ioc);
  int checks = 0;
  auto observe = [&](auto& self) {
    // The timer's executor type (any_io_executor, as in Asio), wrapping ioc's.
    static_assert(std::is_same_v<decltype(self.get_executor()), rill::steady_timer::executor_type>);
    static_assert(std::is_same_v<decltype(self.get_allocator()), std::allocator<void>>);
    EXPECT_TRUE(self.get_executor() == rill::steady_timer::executor_type(ioc.get_executor()));
    ++checks;
  };
  result r;
  // The second executor only counts work; the head is the timer's.
  async_timer_steps(timer, 3, record(r), observe, other.get_executor());
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(checks, 4);
  EXPECT_EQ(r.steps, 3);
}

TEST(async_compose, bind_executor_moves_every_step_and_the_handler_to_that_executor) {
  rill::io_context ioc;
  rill::io_context handler_ctx;
  rill::steady_timer timer(ioc);
  int resumes = 0;
  int resumes_on_handler_ctx = 0;
  auto observe = [&](auto& self) {
    EXPECT_TRUE(self.get_executor() == handler_ctx.get_executor());
    ++resumes;
    if (handler_ctx.get_executor().running_in_this_thread() &&
        !ioc.get_executor().running_in_this_thread()) {
      ++resumes_on_handler_ctx;
    }
  };
  result r;
  bool handler_on_its_executor = false;
  async_timer_steps(timer, 4,
                    rill::bind_executor(handler_ctx.get_executor(),
                                        [&](const rill::error_code& ec, int steps) {
                                          handler_on_its_executor =
                                              handler_ctx.get_executor().running_in_this_thread();
                                          record(r)(ec, steps);
                                        }),
                    observe);
  EXPECT_EQ(resumes, 1);  // the start, inside the initiating function
  const auto deadline = std::chrono::steady_clock::now() + rill_test::io_bound;
  while (r.calls == 0 && std::chrono::steady_clock::now() < deadline) {
    ioc.restart();
    ioc.poll();
    handler_ctx.restart();
    handler_ctx.poll();
  }
  ASSERT_EQ(r.calls, 1);
  EXPECT_EQ(r.steps, 4);
  EXPECT_EQ(resumes, 5);
  EXPECT_EQ(resumes_on_handler_ctx, 4);
  EXPECT_TRUE(handler_on_its_executor);
  EXPECT_TRUE(drained(ioc));
  EXPECT_TRUE(drained(handler_ctx));
}

TEST(async_compose, keeps_work_on_every_io_executor_while_pending) {
  rill::io_context ioc;
  rill::io_context other;
  rill::steady_timer timer(ioc);
  timer.expires_after(1h);
  result r;
  async_timer_steps(timer, 2, record(r), no_observer{}, other.get_executor());
  // other has nothing to run but must not run out of work.
  EXPECT_EQ(other.poll(), 0u);
  EXPECT_FALSE(other.stopped());
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(r.steps, 2);
  EXPECT_TRUE(drained(other));
}

// ---------------------------------------------------------------------------
// The allocation contract

TEST(async_compose, a_thousand_steps_allocate_through_the_handler_allocator_one_at_a_time) {
  rill::io_context ioc;
  rill::steady_timer timer(ioc);
  {  // warm up the timer queue
    result warm;
    async_timer_steps(timer, 2, record(warm));
    ioc.run();
  }
  allocation_log log;
  int max_live = 0;
  int live_at_resume = 0;
  int resumes = 0;
  auto observe = [&](auto& self) {
    static_assert(std::is_same_v<decltype(self.get_allocator()), counting_allocator<char>>);
    ++resumes;
    max_live = std::max(max_live, log.live());
    live_at_resume = std::max(live_at_resume, log.live());
  };
  result r;
  int live_in_handler = -1;
  rill_test::heap_scope heap;
  async_timer_steps(timer, 1000,
                    rill::bind_allocator(counting_allocator<char>(log),
                                         [&](const rill::error_code& ec, int steps) {
                                           record(r)(ec, steps);
                                           live_in_handler = log.live();
                                         }),
                    observe);
  EXPECT_EQ(log.live(), 1);  // the first wait is pending
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1000u);
  EXPECT_EQ(r.steps, 1000);
  EXPECT_EQ(resumes, 1001);
  EXPECT_EQ(log.allocations.load(), 1000);  // one per wait, all through the handler's allocator
  EXPECT_EQ(live_at_resume, 0);             // each wait freed its memory before resuming self
  EXPECT_EQ(max_live, 0);
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
  EXPECT_EQ(heap.count(), static_cast<std::uint64_t>(log.allocations.load()));
}

TEST(async_compose, default_allocators_make_steps_free_of_heap_allocation) {
  rill::io_context ioc;
  rill::steady_timer timer(ioc);
  result warm;
  async_timer_steps(timer, 4, record(warm));
  ioc.run();
  result r;
  rill_test::heap_scope heap;
  async_timer_steps(timer, 1000, record(r));
  ioc.restart();
  EXPECT_EQ(ioc.run(), 1000u);
  EXPECT_EQ(r.steps, 1000);
  EXPECT_EQ(heap.count(), 0u);
}

// Posts itself `target` times through its own executor, as Asio's examples
// do to avoid completing inside the initiating function.
struct post_steps {
  int target;
  int steps = 0;
  template <typename Self>
  void operator()(Self& self) {
    if (steps == target) return self.complete(steps);
    ++steps;
    rill::post(std::move(self));
  }
};

TEST(async_compose, posting_self_uses_the_handler_allocator_and_the_io_executor) {
  rill::io_context ioc;
  allocation_log log;
  int value = 0;
  int live_in_handler = -1;
  auto handler = rill::bind_allocator(counting_allocator<char>(log), [&](int v) {
    value = v;
    live_in_handler = log.live();
  });
  rill::async_compose<decltype(handler), void(int)>(post_steps{10}, handler, ioc);
  EXPECT_EQ(value, 0);
  EXPECT_EQ(ioc.run(), 10u);  // posted through self's executor: ioc's
  EXPECT_EQ(value, 10);
  EXPECT_EQ(log.allocations.load(), 10);
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
}

TEST(async_compose, destroying_the_context_with_a_step_pending_frees_without_invoking) {
  allocation_log log;
  int live_impls = 0;
  int calls = 0;
  rill::io_context other;
  {
    rill_test::shutdown_context ioc;
    rill::steady_timer timer(ioc);
    auto observe = [counter = instance_counter(live_impls)](auto& /*self*/) {};
    async_timer_steps(timer, 3,
                      rill::bind_allocator(counting_allocator<char>(log),
                                           [&](const rill::error_code&, int) { ++calls; }),
                      observe, other.get_executor());
    EXPECT_EQ(live_impls, 2);  // the observer above and the one in the pending operation
    EXPECT_EQ(log.live(), 1);
    ioc.shutdown();  // destroys the pending wait, and with it the operation
    EXPECT_EQ(live_impls, 1);
    EXPECT_EQ(log.live(), 0);
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(live_impls, 0);
  EXPECT_EQ(log.allocations.load(), 1);
  EXPECT_TRUE(drained(other));  // the work on the other executor was given up
}

TEST(async_compose, destroying_context_and_timer_together_frees_without_invoking) {
  allocation_log log;
  int calls = 0;
  {
    rill::io_context ioc;
    rill::steady_timer timer(ioc);
    timer.expires_after(1h);
    async_timer_steps(timer, 3,
                      rill::bind_allocator(counting_allocator<char>(log),
                                           [&](const rill::error_code&, int) { ++calls; }));
    EXPECT_EQ(log.live(), 1);
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(log.live(), 0);
}

// ---------------------------------------------------------------------------
// Cancellation

// One long wait; records what the cancellation state says when it resumes.
struct cancellable_wait {
  rill::steady_timer& timer;
  rill::cancellation_type& seen;
  bool allow_partial = false;
  bool started = false;

  template <typename Self>
  void operator()(Self& self, rill::error_code ec = {}) {
    if (!started) {
      started = true;
      if (allow_partial) self.reset_cancellation_state(rill::enable_partial_cancellation());
      timer.expires_after(1h);
      return timer.async_wait(std::move(self));
    }
    seen = self.get_cancellation_state().cancelled();
    self.complete(ec);
  }
};

struct cancel_fixture {
  rill::io_context ioc;
  rill::steady_timer timer{ioc};
  rill::cancellation_signal signal;
  rill::cancellation_type seen = rill::cancellation_type::all;
  int calls = 0;
  rill::error_code ec;

  void start(bool allow_partial) {
    auto handler = rill::bind_cancellation_slot(signal.slot(), [this](rill::error_code e) {
      ++calls;
      ec = e;
    });
    rill::async_compose<decltype(handler), void(rill::error_code)>(
        cancellable_wait{timer, seen, allow_partial}, handler, timer);
  }
};

TEST(async_compose, terminal_cancellation_reaches_the_pending_step_and_the_state) {
  cancel_fixture f;
  f.start(false);
  EXPECT_EQ(f.ioc.poll(), 0u);
  f.signal.emit(rill::cancellation_type::terminal);
  EXPECT_EQ(f.ioc.run(), 1u);
  EXPECT_EQ(f.calls, 1);
  EXPECT_EQ(f.ec, rill::error::operation_aborted);
  EXPECT_EQ(f.seen, rill::cancellation_type::terminal);
}

TEST(async_compose, partial_cancellation_is_filtered_out_by_default) {
  cancel_fixture f;
  f.start(false);
  f.signal.emit(rill::cancellation_type::partial);
  EXPECT_EQ(f.ioc.poll(), 0u);
  EXPECT_EQ(f.calls, 0);  // the wait did not hear of it
  EXPECT_EQ(f.timer.cancel(), 1u);
  EXPECT_EQ(f.ioc.run(), 1u);
  EXPECT_EQ(f.ec, rill::error::operation_aborted);
  EXPECT_EQ(f.seen, rill::cancellation_type::none);
}

TEST(async_compose, reset_cancellation_state_lets_partial_cancellation_through) {
  cancel_fixture f;
  f.start(true);
  f.signal.emit(rill::cancellation_type::partial);
  EXPECT_EQ(f.ioc.run(), 1u);
  EXPECT_EQ(f.calls, 1);
  EXPECT_EQ(f.ec, rill::error::operation_aborted);
  EXPECT_EQ(f.seen, rill::cancellation_type::partial);
}

TEST(async_compose, a_handler_without_a_slot_has_an_empty_cancellation_state) {
  rill::io_context ioc;
  rill::cancellation_type seen = rill::cancellation_type::all;
  auto handler = [] {};
  rill::async_compose<decltype(handler), void()>(
      [&](auto& self) {
        self.reset_cancellation_state();
        seen = self.get_cancellation_state().cancelled();
        EXPECT_FALSE(self.get_cancellation_state().slot().is_connected());
        self.complete();
      },
      handler, ioc);
  EXPECT_EQ(seen, rill::cancellation_type::none);
}

// ---------------------------------------------------------------------------
// Sockets

// Sends each of `count` messages and reads its echo, then completes with the
// bytes echoed. Intermediate operations are themselves composed (async_write,
// async_read), so their steps go through self's associations too.
struct echo_client {
  rill::ip::tcp::socket& socket;
  std::string message;
  int count;
  std::string reply = std::string();
  std::size_t total = 0;
  int sent = 0;
  enum { starting, writing, reading } state = starting;

  template <typename Self>
  void operator()(Self& self, rill::error_code ec = {}, std::size_t n = 0) {
    if (ec) return self.complete(ec, total);
    switch (state) {
      case starting:
        break;
      case writing:
        state = reading;
        reply.assign(message.size(), '\0');
        return rill::async_read(socket, rill::buffer(reply), std::move(self));
      case reading:
        if (reply != message) return self.complete(rill::error::invalid_argument, total);
        total += n;
        break;
    }
    if (sent == count) return self.complete(ec, total);
    ++sent;
    state = writing;
    rill::async_write(socket, rill::buffer(message), std::move(self));
  }
};

// Echoes what it reads until end of stream.
struct echo_server {
  rill::ip::tcp::socket& socket;
  std::unique_ptr<char[]> data = std::make_unique<char[]>(256);
  bool reading = true;

  template <typename Self>
  void operator()(Self& self, rill::error_code ec = {}, std::size_t n = 0) {
    if (ec) return self.complete(ec == rill::error::eof ? rill::error_code() : ec);
    if (reading) {
      if (n > 0) {
        reading = false;
        return rill::async_write(socket, rill::buffer(data.get(), n), std::move(self));
      }
    }
    reading = true;
    socket.async_read_some(rill::buffer(data.get(), 256), std::move(self));
  }
};

TEST(async_compose, echo_over_loopback_sockets_with_a_counting_allocator) {
  rill::io_context ioc;
  rill_test::tcp_pair pair = rill_test::make_tcp_pair(ioc);
  rill::ip::tcp::socket& client = pair.client;
  rill::ip::tcp::socket& server = pair.server;
  rill::error_code server_ec = rill::error::operation_aborted;
  auto server_done = [&](rill::error_code ec) { server_ec = ec; };
  rill::async_compose<decltype(server_done), void(rill::error_code)>(echo_server{server},
                                                                     server_done, server);
  allocation_log log;
  int calls = 0;
  rill::error_code client_ec;
  std::size_t total = 0;
  int live_in_handler = -1;
  auto client_done =
      rill::bind_allocator(counting_allocator<char>(log), [&](rill::error_code ec, std::size_t n) {
        ++calls;
        client_ec = ec;
        total = n;
        live_in_handler = log.live();
        client.shutdown(rill::ip::tcp::socket::shutdown_send);
      });
  const std::string message = "hello, composed world";
  rill::async_compose<decltype(client_done), void(rill::error_code, std::size_t)>(
      echo_client{client, message, 20}, client_done, client);
  rill_test::watchdog dog(ioc);
  ioc.run();
  EXPECT_FALSE(dog.dismiss());
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(client_ec);
  EXPECT_EQ(total, message.size() * 20);
  EXPECT_FALSE(server_ec);
  // At least a write and a read per message, all through the client
  // handler's allocator, none left when the handler ran.
  EXPECT_GE(log.allocations.load(), 40);
  EXPECT_EQ(live_in_handler, 0);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
