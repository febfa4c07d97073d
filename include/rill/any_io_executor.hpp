// rill/any_io_executor.hpp - a type-erased executor, the default executor of
// I/O objects and coroutines, as Asio's any_io_executor.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include <rill/detail/executor_function.hpp>
#include <rill/execution_context.hpp>
#include <rill/io_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/system_context.hpp>

namespace rill {

namespace detail {
// What any_io_executor accepts. Deliberately shallower than
// execution::executor (no copy or equality checks), which would make the
// converting constructor's constraint depend on itself.
template <typename E>
concept executes_functions = requires(const E& e, invocable_archetype f) {
  e.execute(f);
};
}  // namespace detail

// Holds any executor (an io_context's, a strand, a thread pool's, a user's).
// Small executors live inside the object; larger ones on the heap.
//
// When the wrapped executor is a plain io_context executor, post, dispatch,
// defer and execute go straight to that context with the caller's function
// object and allocator — no type erasure of the function on the hot path.
// Other executors receive the function object wrapped in an
// executor_function whose storage comes from the caller's allocator.
class any_io_executor {
 public:
  any_io_executor() noexcept = default;
  any_io_executor(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)

  template <typename Executor>
  requires(!std::is_same_v<std::decay_t<Executor>, any_io_executor> &&
           !std::is_base_of_v<any_io_executor, std::decay_t<Executor>> &&
           detail::executes_functions<std::decay_t<Executor>>)
      any_io_executor(Executor ex) {  // NOLINT(google-explicit-constructor)
    emplace(std::move(ex));
  }

  any_io_executor(const any_io_executor& other) { copy_from(other); }
  any_io_executor(any_io_executor&& other) noexcept { move_from(other); }

  any_io_executor& operator=(const any_io_executor& other) {
    if (this != &other) {
      any_io_executor tmp(other);
      *this = std::move(tmp);
    }
    return *this;
  }
  any_io_executor& operator=(any_io_executor&& other) noexcept {
    if (this != &other) {
      reset();
      move_from(other);
    }
    return *this;
  }
  any_io_executor& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }

  ~any_io_executor() { reset(); }

  explicit operator bool() const noexcept { return vtable_ != nullptr; }

  [[nodiscard]] const std::type_info& target_type() const noexcept {
    return vtable_ != nullptr ? vtable_->type() : typeid(void);
  }

  template <typename Executor>
  [[nodiscard]] Executor* target() noexcept {
    return target_type() == typeid(Executor) ? static_cast<Executor*>(object()) : nullptr;
  }
  template <typename Executor>
  [[nodiscard]] const Executor* target() const noexcept {
    return target_type() == typeid(Executor) ? static_cast<const Executor*>(object()) : nullptr;
  }

  // The wrapped executor's execution context.
  [[nodiscard]] execution_context& context() const noexcept { return vtable_->context(object()); }

  void on_work_started() const noexcept { vtable_->work_started(object()); }
  void on_work_finished() const noexcept { vtable_->work_finished(object()); }

  template <typename Function>
  void execute(Function&& f) const {
    if (native_ != nullptr) {
      if (native_never_) {
        native_post(std::forward<Function>(f), std::allocator<void>());
      } else {
        native_->get_executor().dispatch(std::forward<Function>(f), std::allocator<void>());
      }
      return;
    }
    vtable_->execute(object(),
                     detail::executor_function(std::forward<Function>(f), std::allocator<void>()));
  }

  template <typename Function, typename Alloc>
  void post(Function&& f, const Alloc& a) const {
    if (native_ != nullptr) {
      native_post(std::forward<Function>(f), a);
      return;
    }
    vtable_->post(object(), detail::executor_function(std::forward<Function>(f), a));
  }

  template <typename Function, typename Alloc>
  void dispatch(Function&& f, const Alloc& a) const {
    if (native_ != nullptr) {
      native_->get_executor().dispatch(std::forward<Function>(f), a);
      return;
    }
    vtable_->dispatch(object(), detail::executor_function(std::forward<Function>(f), a));
  }

  template <typename Function, typename Alloc>
  void defer(Function&& f, const Alloc& a) const {
    if (native_ != nullptr) {
      native_->get_executor().defer(std::forward<Function>(f), a);
      return;
    }
    vtable_->defer(object(), detail::executor_function(std::forward<Function>(f), a));
  }

  friend bool operator==(const any_io_executor& a, const any_io_executor& b) noexcept {
    if (a.vtable_ == nullptr || b.vtable_ == nullptr) return a.vtable_ == b.vtable_;
    return a.target_type() == b.target_type() && a.vtable_->equal(a.object(), b.object());
  }
  friend bool operator==(const any_io_executor& a, std::nullptr_t) noexcept { return !a; }

  // rill internal: the io_context when the target is a plain (untracked,
  // default-allocator) io_context executor, so that I/O objects can invoke
  // handlers directly instead of dispatching through the erasure.
  [[nodiscard]] io_context* rill_native_context() const noexcept { return native_; }

 private:
  struct vtable_t {
    const std::type_info& (*type)() noexcept;
    void (*copy)(void* dst, const void* src);
    void (*move)(void* dst, void* src) noexcept;
    void (*destroy)(void* obj) noexcept;
    bool (*equal)(const void* a, const void* b) noexcept;
    execution_context& (*context)(const void* obj) noexcept;
    void (*work_started)(const void* obj) noexcept;
    void (*work_finished)(const void* obj) noexcept;
    void (*execute)(const void* obj, detail::executor_function&& f);
    void (*post)(const void* obj, detail::executor_function&& f);
    void (*dispatch)(const void* obj, detail::executor_function&& f);
    void (*defer)(const void* obj, detail::executor_function&& f);
  };

  static constexpr std::size_t buffer_size = 4 * sizeof(void*);

  template <typename Executor>
  static constexpr bool stored_inline = sizeof(Executor) <= buffer_size &&
                                        alignof(Executor) <= alignof(std::max_align_t) &&
                                        std::is_nothrow_move_constructible_v<Executor>;

  template <typename Executor>
  static Executor& as(void* obj) noexcept {
    if constexpr (stored_inline<Executor>) {
      return *std::launder(static_cast<Executor*>(obj));
    } else {
      return **static_cast<Executor**>(obj);
    }
  }
  template <typename Executor>
  static const Executor& as(const void* obj) noexcept {
    return as<Executor>(const_cast<void*>(obj));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  }

  template <typename T>
  struct is_plain_io_context_executor : std::false_type {};
  template <unsigned int Bits>
  struct is_plain_io_context_executor<io_context::basic_executor_type<std::allocator<void>, Bits>>
      : std::true_type {};

  template <typename Executor>
  static void submit(const Executor& ex, detail::executor_function&& f, int kind) {
    if constexpr (rill::is_executor<Executor>::value) {
      std::allocator<void> a;
      if (kind == 0) {
        ex.post(std::move(f), a);
      } else if (kind == 1) {
        ex.dispatch(std::move(f), a);
      } else if (kind == 2) {
        ex.defer(std::move(f), a);
      } else {
        ex.execute(std::move(f));
      }
    } else {
      ex.execute(std::move(f));
    }
  }

  template <typename Executor>
  static const vtable_t* vtable_for() noexcept {
    static constexpr vtable_t table{
        []() noexcept -> const std::type_info& { return typeid(Executor); },
        [](void* dst, const void* src) {
          if constexpr (stored_inline<Executor>) {
            ::new (dst) Executor(as<Executor>(src));
          } else {
            *static_cast<Executor**>(dst) = new Executor(as<Executor>(src));
          }
        },
        [](void* dst, void* src) noexcept {
          if constexpr (stored_inline<Executor>) {
            ::new (dst) Executor(std::move(as<Executor>(src)));
            as<Executor>(src).~Executor();
          } else {
            *static_cast<Executor**>(dst) = *static_cast<Executor**>(src);
          }
        },
        [](void* obj) noexcept {
          if constexpr (stored_inline<Executor>) {
            as<Executor>(obj).~Executor();
          } else {
            delete *static_cast<Executor**>(obj);
          }
        },
        [](const void* a, const void* b) noexcept { return as<Executor>(a) == as<Executor>(b); },
        [](const void* obj) noexcept -> execution_context& { return as<Executor>(obj).context(); },
        [](const void* obj) noexcept {
          if constexpr (requires(const Executor& e) { e.on_work_started(); }) {
            as<Executor>(obj).on_work_started();
          }
        },
        [](const void* obj) noexcept {
          if constexpr (requires(const Executor& e) { e.on_work_finished(); }) {
            as<Executor>(obj).on_work_finished();
          }
        },
        [](const void* obj, detail::executor_function&& f) {
          submit<Executor>(as<Executor>(obj), std::move(f), 3);
        },
        [](const void* obj, detail::executor_function&& f) {
          submit<Executor>(as<Executor>(obj), std::move(f), 0);
        },
        [](const void* obj, detail::executor_function&& f) {
          submit<Executor>(as<Executor>(obj), std::move(f), 1);
        },
        [](const void* obj, detail::executor_function&& f) {
          submit<Executor>(as<Executor>(obj), std::move(f), 2);
        },
    };
    return &table;
  }

  template <typename Executor>
  void emplace(Executor ex) {
    if constexpr (stored_inline<Executor>) {
      ::new (static_cast<void*>(buffer_)) Executor(std::move(ex));
    } else {
      *reinterpret_cast<Executor**>(buffer_) = new Executor(std::move(ex));
    }
    vtable_ = vtable_for<Executor>();
    if constexpr (is_plain_io_context_executor<Executor>::value) {
      if constexpr (!Executor::rill_tracked && !Executor::rill_continuation) {
        native_ = &as<Executor>(buffer_).context();
        native_never_ = Executor::rill_blocking_never;
      }
    }
  }

  template <typename Function, typename Alloc>
  void native_post(Function&& f, const Alloc& a) const {
    native_->get_executor().post(std::forward<Function>(f), a);
  }

  [[nodiscard]] void* object() const noexcept {
    return const_cast<unsigned char*>(buffer_);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  }

  void copy_from(const any_io_executor& other) {
    if (other.vtable_ != nullptr) {
      other.vtable_->copy(buffer_, other.buffer_);
      vtable_ = other.vtable_;
      native_ = other.native_;
      native_never_ = other.native_never_;
    }
  }

  void move_from(any_io_executor& other) noexcept {
    if (other.vtable_ != nullptr) {
      other.vtable_->move(buffer_, other.buffer_);
      vtable_ = std::exchange(other.vtable_, nullptr);
      native_ = std::exchange(other.native_, nullptr);
      native_never_ = other.native_never_;
    }
  }

  void reset() noexcept {
    if (vtable_ != nullptr) {
      vtable_->destroy(buffer_);
      vtable_ = nullptr;
      native_ = nullptr;
    }
  }

  const vtable_t* vtable_ = nullptr;
  io_context* native_ = nullptr;
  bool native_never_ = false;
  alignas(std::max_align_t) unsigned char buffer_[buffer_size]{};
};

}  // namespace rill
