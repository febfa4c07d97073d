// rill/any_io_executor.hpp - a type-erased executor, the default executor of
// I/O objects and coroutines, as Asio's any_io_executor.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include <rill/detail/any_executor_base.hpp>
#include <rill/detail/executor_function.hpp>
#include <rill/detail/executor_submit.hpp>
#include <rill/execution/blocking.hpp>
#include <rill/execution/context_as.hpp>
#include <rill/execution/outstanding_work.hpp>
#include <rill/execution/prefer_only.hpp>
#include <rill/execution/relationship.hpp>
#include <rill/execution_context.hpp>
#include <rill/io_context.hpp>
#include <rill/is_executor.hpp>
// A system_executor converts to any_io_executor only where system_context
// is complete.
#include <rill/system_context.hpp>

namespace rill {

class any_io_executor;

namespace detail {
// Asio's property list for any_io_executor.
template <typename Derived>
using any_io_executor_base =
    basic_any_executor<Derived, execution::context_as_t<execution_context&>,
                       execution::blocking_t::never_t,
                       execution::prefer_only<execution::blocking_t::possibly_t>,
                       execution::prefer_only<execution::outstanding_work_t::tracked_t>,
                       execution::prefer_only<execution::outstanding_work_t::untracked_t>,
                       execution::prefer_only<execution::relationship_t::fork_t>,
                       execution::prefer_only<execution::relationship_t::continuation_t>>;
}  // namespace detail

// Holds any executor (an io_context's, a strand, a thread pool's, a user's)
// that supports Asio's any_io_executor properties: query(context),
// require(blocking.never), and prefer(blocking.possibly,
// outstanding_work.tracked/untracked, relationship.fork/continuation).
// Small executors live inside the object; larger ones are shared.
//
// Beyond Asio's, it keeps the Networking TS members (context(),
// on_work_started, post, dispatch, defer), through which rill's own
// operations submit handlers with their allocator. When the wrapped
// executor is a plain io_context executor, post, dispatch, defer and
// execute go straight to that context with the caller's function object
// and allocator — no type erasure of the function on the hot path. Other
// executors receive the function object wrapped in an executor_function
// whose storage comes from the caller's allocator.
class any_io_executor : public detail::any_io_executor_base<any_io_executor> {
  using base_type = detail::any_io_executor_base<any_io_executor>;

 public:
  any_io_executor() noexcept = default;
  any_io_executor(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)

  template <typename Executor>
  requires std::is_constructible_v<base_type, Executor> &&
      (!std::is_same_v<std::remove_cvref_t<Executor>, any_io_executor>)
          any_io_executor(Executor ex)  // NOLINT(google-explicit-constructor)
      : base_type(std::move(ex)) {
    if constexpr (is_plain_io_context_executor<Executor>::value) {
      if constexpr (!Executor::rill_tracked && !Executor::rill_continuation) {
        native_ = &target_ref<Executor>(object()).context();
        native_never_ = Executor::rill_blocking_never;
      }
    }
  }

  any_io_executor(const any_io_executor& other) noexcept = default;
  any_io_executor(any_io_executor&& other) noexcept
      : base_type(std::move(other)),
        native_(std::exchange(other.native_, nullptr)),
        native_never_(other.native_never_) {}
  any_io_executor& operator=(const any_io_executor& other) noexcept = default;
  any_io_executor& operator=(any_io_executor&& other) noexcept {
    if (this != &other) {
      base_type::operator=(std::move(other));
      native_ = std::exchange(other.native_, nullptr);
      native_never_ = other.native_never_;
    }
    return *this;
  }
  any_io_executor& operator=(std::nullptr_t) noexcept {
    reset();
    native_ = nullptr;
    return *this;
  }
  ~any_io_executor() = default;

  void swap(any_io_executor& other) noexcept {
    any_io_executor tmp(std::move(other));
    other = std::move(*this);
    *this = std::move(tmp);
  }
  friend void swap(any_io_executor& a, any_io_executor& b) noexcept { a.swap(b); }

  // The wrapped executor's execution context.
  [[nodiscard]] execution_context& context() const {
    return query(execution::context_as<execution_context&>);
  }

  void on_work_started() const noexcept { io_table().work_started(object()); }
  void on_work_finished() const noexcept { io_table().work_finished(object()); }

  template <typename Function>
  void execute(Function&& f) const {
    if (native_ != nullptr) {
      if (native_never_) {
        native_->get_executor().post(std::forward<Function>(f), std::allocator<void>());
      } else {
        native_->get_executor().dispatch(std::forward<Function>(f), std::allocator<void>());
      }
      return;
    }
    base_type::execute(std::forward<Function>(f));
  }

  template <typename Function, typename Alloc>
  void post(Function&& f, const Alloc& a) const {
    if (native_ != nullptr) {
      native_->get_executor().post(std::forward<Function>(f), a);
      return;
    }
    checked_io_table().post(object(), detail::executor_function(std::forward<Function>(f), a));
  }

  template <typename Function, typename Alloc>
  void dispatch(Function&& f, const Alloc& a) const {
    if (native_ != nullptr) {
      native_->get_executor().dispatch(std::forward<Function>(f), a);
      return;
    }
    checked_io_table().dispatch(object(), detail::executor_function(std::forward<Function>(f), a));
  }

  template <typename Function, typename Alloc>
  void defer(Function&& f, const Alloc& a) const {
    if (native_ != nullptr) {
      native_->get_executor().defer(std::forward<Function>(f), a);
      return;
    }
    checked_io_table().defer(object(), detail::executor_function(std::forward<Function>(f), a));
  }

  // rill internal: the io_context when the target is a plain (untracked,
  // default-allocator) io_context executor, so that I/O objects can invoke
  // handlers directly instead of dispatching through the erasure.
  [[nodiscard]] io_context* rill_native_context() const noexcept { return native_; }

  // The function table: the property functions plus the TS members.
  struct io_fns_type : fns_type {
    void (*work_started)(const void* obj) noexcept;
    void (*work_finished)(const void* obj) noexcept;
    void (*post)(const void* obj, detail::executor_function&& f);
    void (*dispatch)(const void* obj, detail::executor_function&& f);
    void (*defer)(const void* obj, detail::executor_function&& f);
  };

  template <typename Executor>
  static const fns_type* table_for() noexcept {
    return &io_table_for<Executor>;
  }

 private:
  template <typename T>
  struct is_plain_io_context_executor : std::false_type {};
  template <unsigned int Bits>
  struct is_plain_io_context_executor<io_context::basic_executor_type<std::allocator<void>, Bits>>
      : std::true_type {};

  template <detail::submit_kind Kind, typename Executor>
  static void submit(const void* obj, detail::executor_function&& f) {
    // The function object's memory already comes from the caller's
    // allocator; the wrapper itself is small and recycled.
    detail::executor_submit<Kind>(target_ref<Executor>(obj), std::move(f), std::allocator<void>());
  }

  template <typename Executor>
  static constexpr io_fns_type io_table_for{
      default_table<Executor>,
      // Work counting: TS executors count it; for execute-only executors
      // the I/O objects keep prefer(ex, outstanding_work.tracked) instead.
      [](const void* obj) noexcept {
        if constexpr (requires(const Executor& e) { e.on_work_started(); }) {
          target_ref<Executor>(obj).on_work_started();
        }
      },
      [](const void* obj) noexcept {
        if constexpr (requires(const Executor& e) { e.on_work_finished(); }) {
          target_ref<Executor>(obj).on_work_finished();
        }
      },
      &submit<detail::submit_kind::post, Executor>,
      &submit<detail::submit_kind::dispatch, Executor>,
      &submit<detail::submit_kind::defer, Executor>,
  };

  [[nodiscard]] const io_fns_type& io_table() const noexcept {
    return static_cast<const io_fns_type&>(*fns_);
  }
  [[nodiscard]] const io_fns_type& checked_io_table() const {
    return static_cast<const io_fns_type&>(checked_fns());
  }

  io_context* native_ = nullptr;
  bool native_never_ = false;
};

}  // namespace rill
