// tests/support/probe.hpp - a completion handler that records what it got and
// what its own counting allocator had live when it ran.
#pragma once

#include <cstddef>
#include <system_error>
#include <type_traits>

#include <gtest/gtest.h>

#include <rill/bind_allocator.hpp>

#include "support/counting_allocator.hpp"

namespace rill_test {

// One asynchronous operation's observations. The handler made by handler()
// takes its memory from log, so after it ran the test can check the
// contract: one allocation while pending, none live inside the handler
// (freed before the upcall), none at the end.
struct probe {
  allocation_log log;
  int runs = 0;
  int live_inside = -1;
  std::error_code ec;
  std::size_t bytes = 0;

  [[nodiscard]] bool done() const noexcept { return runs > 0; }

  // For completion signatures void(error_code) and void(error_code, size_t).
  auto handler() {
    return rill::bind_allocator(
        counting_allocator<char>(log), [this](const std::error_code& e, auto... rest) {
          static_assert(sizeof...(rest) <= 1);
          ++runs;
          ec = e;
          live_inside = log.live();
          if constexpr (sizeof...(rest) == 1) {
            static_assert((std::is_same_v<decltype(rest), std::size_t> && ...));
            bytes = (rest, ...);
          }
        });
  }
};

// The contract after the handler ran: it ran once, its operation made one
// allocation, which was freed before the upcall.
inline ::testing::AssertionResult freed_before_invoke(const probe& p) {
  if (p.runs != 1) return ::testing::AssertionFailure() << "handler ran " << p.runs << " times";
  if (p.log.allocations.load() != 1) {
    return ::testing::AssertionFailure() << p.log.allocations.load() << " allocations";
  }
  if (p.live_inside != 0) {
    return ::testing::AssertionFailure() << p.live_inside << " live inside the handler";
  }
  if (p.log.live() != 0) return ::testing::AssertionFailure() << p.log.live() << " live at the end";
  return ::testing::AssertionSuccess();
}

// While the operation is pending: one allocation, live, handler not run.
inline ::testing::AssertionResult pending(const probe& p) {
  if (p.runs != 0) return ::testing::AssertionFailure() << "handler already ran";
  if (p.log.allocations.load() != 1 || p.log.live() != 1) {
    return ::testing::AssertionFailure()
           << p.log.allocations.load() << " allocations, " << p.log.live() << " live";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace rill_test
