// tests/support/user_executor.hpp - a user's execution context whose
// executors know only execute() and properties (no post/dispatch/defer, no
// on_work_started), like the contexts of Asio's executor examples
// (priority_scheduler, fork_join).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>

#include <rill/execution.hpp>
#include <rill/execution_context.hpp>

namespace rill_test {

// A queue of function objects, run by poll() on the calling thread.
// Executors may count outstanding work (outstanding_work.tracked), may
// refuse to run inline (blocking.never), and allocate each queued function
// through their allocator (execution::allocator(a)); the memory is freed
// before the function runs.
class user_context : public rill::execution_context {
 public:
  template <bool Never, bool Tracked, typename Allocator>
  class basic_executor;
  using executor_type = basic_executor<false, false, std::allocator<void>>;

  user_context() = default;
  ~user_context() {
    shutdown();
    destroy();
    std::lock_guard lock(mutex_);
    while (node* n = pop_locked()) n->destroy(n);
  }

  executor_type get_executor() noexcept;

  // Runs the queued functions (also those they queue); returns how many.
  std::size_t poll() {
    running_scope scope(this);
    std::size_t n = 0;
    for (;;) {
      node* next = nullptr;
      {
        std::lock_guard lock(mutex_);
        next = pop_locked();
      }
      if (next == nullptr) return n;
      next->run(next);
      ++n;
    }
  }

  // Statistics, for the tests.
  [[nodiscard]] int outstanding_work() const {
    std::lock_guard lock(mutex_);
    return work_;
  }
  [[nodiscard]] std::size_t queued() const {
    std::lock_guard lock(mutex_);
    return size_;
  }
  [[nodiscard]] int inline_runs() const {
    std::lock_guard lock(mutex_);
    return inline_runs_;
  }
  [[nodiscard]] bool running_in_this_thread() const noexcept {
    for (const running_scope* s = top_; s != nullptr; s = s->outer) {
      if (s->ctx == this) return true;
    }
    return false;
  }

 private:
  struct node {
    node* next = nullptr;
    void (*run)(node*) = nullptr;
    void (*destroy)(node*) = nullptr;
  };

  template <typename Function, typename Allocator>
  struct function_node : node {
    using alloc_type =
        typename std::allocator_traits<Allocator>::template rebind_alloc<function_node>;
    function_node(Function f, const Allocator& a) : function(std::move(f)), allocator(a) {
      run = [](node* n) {
        auto* self = static_cast<function_node*>(n);
        Function tmp(std::move(self->function));
        free(self);
        tmp();
      };
      destroy = [](node* n) { free(static_cast<function_node*>(n)); };
    }
    static void free(function_node* self) {
      alloc_type a(self->allocator);
      std::allocator_traits<alloc_type>::destroy(a, self);
      std::allocator_traits<alloc_type>::deallocate(a, self, 1);
    }
    Function function;
    Allocator allocator;
  };

  struct running_scope {
    explicit running_scope(const user_context* c) noexcept : ctx(c), outer(top_) { top_ = this; }
    ~running_scope() { top_ = outer; }
    running_scope(const running_scope&) = delete;
    running_scope& operator=(const running_scope&) = delete;
    const user_context* ctx;
    running_scope* outer;
  };

  template <typename Function, typename Allocator>
  void enqueue(Function f, const Allocator& a) {
    using node_type = function_node<Function, Allocator>;
    typename node_type::alloc_type na(a);
    node_type* n = std::allocator_traits<typename node_type::alloc_type>::allocate(na, 1);
    ::new (static_cast<void*>(n)) node_type(std::move(f), a);
    std::lock_guard lock(mutex_);
    if (tail_ == nullptr) {
      head_ = tail_ = n;
    } else {
      tail_->next = n;
      tail_ = n;
    }
    ++size_;
  }

  node* pop_locked() {
    node* n = head_;
    if (n != nullptr) {
      head_ = n->next;
      if (head_ == nullptr) tail_ = nullptr;
      --size_;
    }
    return n;
  }

  void work_started() {
    std::lock_guard lock(mutex_);
    ++work_;
  }
  void work_finished() {
    std::lock_guard lock(mutex_);
    --work_;
  }
  void count_inline_run() {
    std::lock_guard lock(mutex_);
    ++inline_runs_;
  }

  static inline thread_local running_scope* top_ = nullptr;

  mutable std::mutex mutex_;
  node* head_ = nullptr;
  node* tail_ = nullptr;
  std::size_t size_ = 0;
  int work_ = 0;
  int inline_runs_ = 0;
};

template <bool Never, bool Tracked, typename Allocator>
class user_context::basic_executor {
 public:
  basic_executor(user_context& ctx, const Allocator& a) noexcept : ctx_(&ctx), allocator_(a) {
    if constexpr (Tracked) ctx_->work_started();
  }
  basic_executor(const basic_executor& other) noexcept
      : basic_executor(*other.ctx_, other.allocator_) {}
  basic_executor& operator=(const basic_executor& other) noexcept {
    basic_executor tmp(other);
    std::swap(ctx_, tmp.ctx_);
    std::swap(allocator_, tmp.allocator_);
    return *this;
  }
  ~basic_executor() {
    if constexpr (Tracked) ctx_->work_finished();
  }

  [[nodiscard]] user_context& query(rill::execution::context_t /*p*/) const noexcept {
    return *ctx_;
  }
  static constexpr rill::execution::blocking_t query(rill::execution::blocking_t /*p*/) noexcept {
    if constexpr (Never) {
      return rill::execution::blocking.never;
    } else {
      return rill::execution::blocking.possibly;
    }
  }
  static constexpr rill::execution::outstanding_work_t query(
      rill::execution::outstanding_work_t /*p*/) noexcept {
    if constexpr (Tracked) {
      return rill::execution::outstanding_work.tracked;
    } else {
      return rill::execution::outstanding_work.untracked;
    }
  }
  [[nodiscard]] Allocator query(rill::execution::allocator_t<void> /*p*/) const noexcept {
    return allocator_;
  }

  [[nodiscard]] basic_executor<true, Tracked, Allocator> require(
      rill::execution::blocking_t::never_t /*p*/) const noexcept {
    return {*ctx_, allocator_};
  }
  [[nodiscard]] basic_executor<false, Tracked, Allocator> require(
      rill::execution::blocking_t::possibly_t /*p*/) const noexcept {
    return {*ctx_, allocator_};
  }
  [[nodiscard]] basic_executor<Never, true, Allocator> require(
      rill::execution::outstanding_work_t::tracked_t /*p*/) const noexcept {
    return {*ctx_, allocator_};
  }
  [[nodiscard]] basic_executor<Never, false, Allocator> require(
      rill::execution::outstanding_work_t::untracked_t /*p*/) const noexcept {
    return {*ctx_, allocator_};
  }
  template <typename OtherAllocator>
  [[nodiscard]] basic_executor<Never, Tracked, OtherAllocator> require(
      rill::execution::allocator_t<OtherAllocator> a) const noexcept {
    return {*ctx_, a.value()};
  }

  template <typename Function>
  void execute(Function&& f) const {
    if constexpr (!Never) {
      if (ctx_->running_in_this_thread()) {
        ctx_->count_inline_run();
        std::decay_t<Function> tmp(std::forward<Function>(f));
        tmp();
        return;
      }
    }
    ctx_->enqueue(std::decay_t<Function>(std::forward<Function>(f)), allocator_);
  }

  friend bool operator==(const basic_executor& a, const basic_executor& b) noexcept {
    return a.ctx_ == b.ctx_ && a.allocator_ == b.allocator_;
  }

 private:
  user_context* ctx_;
  Allocator allocator_;
};

inline user_context::executor_type user_context::get_executor() noexcept {
  return executor_type(*this, std::allocator<void>());
}

}  // namespace rill_test
