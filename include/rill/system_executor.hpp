// rill/system_executor.hpp - the executor that runs anywhere.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

#include <rill/detail/executor_op.hpp>
#include <rill/execution/allocator.hpp>
#include <rill/execution/blocking.hpp>
#include <rill/execution/context.hpp>
#include <rill/execution/mapping.hpp>
#include <rill/execution/occupancy.hpp>
#include <rill/execution/relationship.hpp>

namespace rill {

class system_context;

namespace detail {
// The system context's pool (src/system_context.cpp): queue op there, the
// context itself, its number of threads.
void system_post(operation* op, bool is_continuation);
system_context& system_context_instance() noexcept;
std::size_t system_context_thread_count() noexcept;
}  // namespace detail

// The executor of the process-wide system_context, as Asio's: with
// blocking.possibly (system_executor) or blocking.always, execute runs the
// function object at once in the calling thread; with blocking.never it
// runs on the system context's thread pool, in memory from the executor's
// allocator. dispatch runs inline, post and defer on the pool. Executors of
// one type with equal allocators compare equal.
template <typename Blocking, typename Relationship, typename Allocator>
class basic_system_executor {
 public:
  basic_system_executor() noexcept = default;

  [[nodiscard]] constexpr basic_system_executor<execution::blocking_t::possibly_t, Relationship,
                                                Allocator>
  require(execution::blocking_t::possibly_t /*p*/) const {
    return {allocator_};
  }
  [[nodiscard]] constexpr basic_system_executor<execution::blocking_t::always_t, Relationship,
                                                Allocator>
  require(execution::blocking_t::always_t /*p*/) const {
    return {allocator_};
  }
  [[nodiscard]] constexpr basic_system_executor<execution::blocking_t::never_t, Relationship,
                                                Allocator>
  require(execution::blocking_t::never_t /*p*/) const {
    return {allocator_};
  }
  [[nodiscard]] constexpr basic_system_executor<Blocking, execution::relationship_t::fork_t,
                                                Allocator>
  require(execution::relationship_t::fork_t /*p*/) const {
    return {allocator_};
  }
  [[nodiscard]] constexpr basic_system_executor<Blocking, execution::relationship_t::continuation_t,
                                                Allocator>
  require(execution::relationship_t::continuation_t /*p*/) const {
    return {allocator_};
  }
  template <typename OtherAllocator>
  [[nodiscard]] constexpr basic_system_executor<Blocking, Relationship, OtherAllocator> require(
      execution::allocator_t<OtherAllocator> a) const {
    return {a.value()};
  }
  [[nodiscard]] constexpr basic_system_executor<Blocking, Relationship, std::allocator<void>>
  require(execution::allocator_t<void> /*p*/) const {
    return {std::allocator<void>()};
  }

  static constexpr execution::mapping_t query(execution::mapping_t /*p*/) noexcept {
    return execution::mapping.thread;
  }
  static system_context& query(execution::context_t /*p*/) noexcept {
    return detail::system_context_instance();
  }
  static constexpr execution::blocking_t query(execution::blocking_t /*p*/) noexcept {
    return Blocking();
  }
  static constexpr execution::relationship_t query(execution::relationship_t /*p*/) noexcept {
    return Relationship();
  }
  template <typename OtherAllocator>
  [[nodiscard]] constexpr Allocator query(
      execution::allocator_t<OtherAllocator> /*p*/) const noexcept {
    return allocator_;
  }
  [[nodiscard]] constexpr Allocator query(execution::allocator_t<void> /*p*/) const noexcept {
    return allocator_;
  }
  [[nodiscard]] std::size_t query(execution::occupancy_t /*p*/) const noexcept {
    return detail::system_context_thread_count();
  }

  template <typename Function>
  void execute(Function&& f) const {
    if constexpr (std::is_same_v<Blocking, execution::blocking_t::never_t>) {
      detail::system_post(detail::make_executor_op(std::forward<Function>(f), allocator_),
                          std::is_same_v<Relationship, execution::relationship_t::continuation_t>);
    } else {
      // As in Asio: nothing could catch an exception thrown here on the
      // caller's behalf.
      std::decay_t<Function> tmp(std::forward<Function>(f));
      try {
        std::move(tmp)();
      } catch (...) {
        std::terminate();
      }
    }
  }

  // The Networking TS interface.
  [[nodiscard]] system_context& context() const noexcept {
    return detail::system_context_instance();
  }

  // The system context never runs out of work; these are no-ops.
  void on_work_started() const noexcept {}
  void on_work_finished() const noexcept {}

  template <typename Function, typename OtherAllocator>
  void dispatch(Function&& f, const OtherAllocator& /*a*/) const {
    std::decay_t<Function> tmp(std::forward<Function>(f));
    std::move(tmp)();
  }

  template <typename Function, typename OtherAllocator>
  void post(Function&& f, const OtherAllocator& a) const {
    detail::system_post(detail::make_executor_op(std::forward<Function>(f), a), false);
  }

  template <typename Function, typename OtherAllocator>
  void defer(Function&& f, const OtherAllocator& a) const {
    detail::system_post(detail::make_executor_op(std::forward<Function>(f), a), true);
  }

  friend constexpr bool operator==(const basic_system_executor& a,
                                   const basic_system_executor& b) noexcept {
    return a.allocator_ == b.allocator_;
  }

 private:
  template <typename, typename, typename>
  friend class basic_system_executor;

  constexpr basic_system_executor(const Allocator& a) : allocator_(a) {}  // NOLINT

  [[no_unique_address]] Allocator allocator_{};
};

// The default associated executor of a handler, as in Asio.
using system_executor =
    basic_system_executor<execution::blocking_t::possibly_t, execution::relationship_t::fork_t,
                          std::allocator<void>>;

}  // namespace rill

// As in Asio, including system_executor.hpp makes system_context complete
// (query(ex, execution::context) returns a system_context&). At the end, so
// that either header may be included first.
#include <rill/system_context.hpp>
