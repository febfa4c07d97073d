// rill/any_completion_handler.hpp - a type-erased completion handler, as
// Asio's (1.25 and later).
//
//   void async_thing(rill::any_completion_handler<void(std::error_code)> h);
//
// lets an asynchronous operation be implemented in a .cpp file. The erased
// handler keeps the wrapped handler's associations: its allocator (through
// any_completion_handler_allocator), its executor (as an any_io_executor) and
// its cancellation slot. So an operation started with an
// any_completion_handler still takes its memory from the original handler's
// allocator, runs the handler on the handler's executor, and can be
// cancelled through the handler's slot.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/associated_allocator.hpp>
#include <rill/associated_cancellation_slot.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/cancellation_signal.hpp>
#include <rill/detail/handler_alloc.hpp>

namespace rill {

template <typename... Signatures>
class any_completion_handler;

template <typename T, typename... Signatures>
class any_completion_handler_allocator;

namespace detail {

// What every erased handler is seen as; the function table knows the rest.
class any_completion_handler_impl_base {};

template <std::size_t Align>
struct alignas(Align) any_completion_handler_block {
  unsigned char bytes[Align];
};

// The largest alignment an any_completion_handler_allocator serves.
inline constexpr std::size_t any_completion_handler_max_align = 4096;

// Holds the wrapped handler in memory from the handler's own associated
// allocator (the recycling cache for std::allocator), and serves other
// memory requests (the operation's) from that allocator too.
template <typename Handler>
class any_completion_handler_impl final : public any_completion_handler_impl_base {
  using handler_allocator_t = associated_allocator_t<Handler>;

 public:
  template <typename H>
  explicit any_completion_handler_impl(H&& handler) : handler_(std::forward<H>(handler)) {}

  template <typename H>
  static any_completion_handler_impl* create(H&& handler) {
    const handler_allocator_t alloc = get_associated_allocator(handler);
    return allocate_operation<any_completion_handler_impl>(alloc, std::forward<H>(handler));
  }

  // Destroys the handler without invoking it, returning the memory.
  void destroy() noexcept {
    const handler_allocator_t alloc = get_associated_allocator(handler_);
    deallocate_operation(alloc, this);
  }

  // Frees the memory before the upcall, so that the handler may start its
  // next operation in the same memory.
  template <typename... Args>
  void call(Args&&... args) {
    const handler_allocator_t alloc = get_associated_allocator(handler_);
    Handler handler = take_handler();
    deallocate_operation(alloc, this);
    std::move(handler)(std::forward<Args>(args)...);
  }

  [[nodiscard]] void* allocate(std::size_t size, std::size_t align) const {
    return with_alignment<alignof(std::max_align_t)>(align, [&]<std::size_t A>() -> void* {
      auto alloc = block_allocator<A>();
      return std::to_address(
          std::allocator_traits<decltype(alloc)>::allocate(alloc, blocks<A>(size)));
    });
  }

  void deallocate(void* p, std::size_t size, std::size_t align) const noexcept {
    with_alignment<alignof(std::max_align_t)>(align, [&]<std::size_t A>() -> void* {
      auto alloc = block_allocator<A>();
      std::allocator_traits<decltype(alloc)>::deallocate(
          alloc, static_cast<any_completion_handler_block<A>*>(p), blocks<A>(size));
      return nullptr;
    });
  }

  [[nodiscard]] any_io_executor executor(const any_io_executor& candidate) const noexcept {
    return get_associated_executor(handler_, candidate);
  }

  [[nodiscard]] cancellation_slot slot() const noexcept {
    return handler_cancellation_slot(handler_);
  }

 private:
  Handler take_handler() {
    if constexpr (std::is_nothrow_move_constructible_v<Handler>) {
      return Handler(std::move(handler_));
    } else {
      try {
        return Handler(std::move(handler_));
      } catch (...) {
        destroy();
        throw;
      }
    }
  }

  // Memory of the requested alignment comes from the handler's allocator
  // rebound to a block of that alignment, as allocators promise alignment
  // only for their value type.
  template <std::size_t A>
  [[nodiscard]] auto block_allocator() const noexcept {
    using rebound = typename std::allocator_traits<operation_allocator_t<handler_allocator_t>>::
        template rebind_alloc<any_completion_handler_block<A>>;
    return rebound(operation_allocator(get_associated_allocator(handler_)));
  }

  template <std::size_t A>
  static std::size_t blocks(std::size_t size) noexcept {
    return (size + A - 1) / A;
  }

  template <std::size_t A, typename F>
  static void* with_alignment(std::size_t align, F&& f) {
    if constexpr (A > any_completion_handler_max_align) {
      throw std::bad_alloc();
    } else {
      if (align <= A) return f.template operator()<A>();
      return with_alignment<A * 2>(align, std::forward<F>(f));
    }
  }

  Handler handler_;
};

// One call entry per completion signature; overload resolution on the
// arguments picks the signature, as for the wrapped handler itself.
template <typename... Args>
struct any_completion_handler_call_fn {
  void (*call_)(any_completion_handler_impl_base*, Args...);

  void call(any_completion_handler_impl_base* impl, Args... args) const {
    call_(impl, std::forward<Args>(args)...);
  }

  template <typename Handler>
  static void call_impl(any_completion_handler_impl_base* impl, Args... args) {
    static_cast<any_completion_handler_impl<Handler>*>(impl)->call(std::forward<Args>(args)...);
  }
};

template <typename Signature>
struct any_completion_handler_call_fn_for;
template <typename R, typename... Args>
struct any_completion_handler_call_fn_for<R(Args...)> {
  using type = any_completion_handler_call_fn<Args...>;
};
template <typename R, typename... Args>
struct any_completion_handler_call_fn_for<R(Args...) &&> {
  using type = any_completion_handler_call_fn<Args...>;
};
template <typename R, typename... Args>
struct any_completion_handler_call_fn_for<R(Args...) noexcept> {
  using type = any_completion_handler_call_fn<Args...>;
};
template <typename R, typename... Args>
struct any_completion_handler_call_fn_for<R(Args...)&& noexcept> {
  using type = any_completion_handler_call_fn<Args...>;
};

template <typename Signature>
using any_completion_handler_call_fn_t =
    typename any_completion_handler_call_fn_for<Signature>::type;

// The operations on one wrapped handler type: one table per handler type
// and signature list, in static storage.
template <typename... Signatures>
struct any_completion_handler_fn_table : any_completion_handler_call_fn_t<Signatures>... {
  using any_completion_handler_call_fn_t<Signatures>::call...;

  void (*destroy_)(any_completion_handler_impl_base*) noexcept;
  void* (*allocate_)(const any_completion_handler_impl_base*, std::size_t, std::size_t);
  void (*deallocate_)(const any_completion_handler_impl_base*, void*, std::size_t,
                      std::size_t) noexcept;
  any_io_executor (*executor_)(const any_completion_handler_impl_base*,
                               const any_io_executor&) noexcept;
  cancellation_slot (*slot_)(const any_completion_handler_impl_base*) noexcept;
};

template <typename Handler, typename... Signatures>
inline constexpr any_completion_handler_fn_table<Signatures...> any_completion_handler_fn_table_for{
    {&any_completion_handler_call_fn_t<Signatures>::template call_impl<Handler>}...,
    [](any_completion_handler_impl_base* impl) noexcept {
      static_cast<any_completion_handler_impl<Handler>*>(impl)->destroy();
    },
    [](const any_completion_handler_impl_base* impl, std::size_t size, std::size_t align) -> void* {
      return static_cast<const any_completion_handler_impl<Handler>*>(impl)->allocate(size, align);
    },
    [](const any_completion_handler_impl_base* impl, void* p, std::size_t size,
       std::size_t align) noexcept {
      static_cast<const any_completion_handler_impl<Handler>*>(impl)->deallocate(p, size, align);
    },
    [](const any_completion_handler_impl_base* impl,
       const any_io_executor& candidate) noexcept -> any_io_executor {
      return static_cast<const any_completion_handler_impl<Handler>*>(impl)->executor(candidate);
    },
    [](const any_completion_handler_impl_base* impl) noexcept -> cancellation_slot {
      return static_cast<const any_completion_handler_impl<Handler>*>(impl)->slot();
    }};

}  // namespace detail

// The allocator associated with an any_completion_handler: every request
// goes to the wrapped handler's associated allocator. It refers to the
// erased handler's storage, so it may be used while that handler (or the
// operation holding it) lives, which is how operations use allocators.
template <typename T, typename... Signatures>
class any_completion_handler_allocator {
 public:
  using value_type = T;

  template <typename U>
  struct rebind {
    using other = any_completion_handler_allocator<U, Signatures...>;
  };

  template <typename U>
  constexpr any_completion_handler_allocator(  // NOLINT: implicit rebinding conversion
      const any_completion_handler_allocator<U, Signatures...>& a) noexcept
      : fn_table_(a.fn_table_), impl_(a.impl_) {}

  // Throws std::bad_alloc when the handler it came from was empty.
  T* allocate(std::size_t n) const {
    if (impl_ == nullptr) throw std::bad_alloc();
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(fn_table_->allocate_(impl_, sizeof(T) * n, alignof(T)));
  }

  void deallocate(T* p, std::size_t n) const noexcept {
    fn_table_->deallocate_(impl_, p, sizeof(T) * n, alignof(T));
  }

  template <typename U>
  constexpr bool operator==(
      const any_completion_handler_allocator<U, Signatures...>& other) const noexcept {
    return fn_table_ == other.fn_table_ && impl_ == other.impl_;
  }

 private:
  template <typename, typename...>
  friend class any_completion_handler_allocator;

  constexpr any_completion_handler_allocator(
      int /*private*/, const detail::any_completion_handler_fn_table<Signatures...>* fn_table,
      detail::any_completion_handler_impl_base* impl) noexcept
      : fn_table_(fn_table), impl_(impl) {}

  const detail::any_completion_handler_fn_table<Signatures...>* fn_table_;
  detail::any_completion_handler_impl_base* impl_;
};

template <typename... Signatures>
class any_completion_handler_allocator<void, Signatures...> {
 public:
  using value_type = void;

  template <typename U>
  struct rebind {
    using other = any_completion_handler_allocator<U, Signatures...>;
  };

  template <typename U>
  constexpr any_completion_handler_allocator(  // NOLINT: implicit rebinding conversion
      const any_completion_handler_allocator<U, Signatures...>& a) noexcept
      : fn_table_(a.fn_table_), impl_(a.impl_) {}

  template <typename U>
  constexpr bool operator==(
      const any_completion_handler_allocator<U, Signatures...>& other) const noexcept {
    return fn_table_ == other.fn_table_ && impl_ == other.impl_;
  }

 private:
  template <typename, typename...>
  friend class any_completion_handler_allocator;
  friend class any_completion_handler<Signatures...>;

  constexpr any_completion_handler_allocator(
      int /*private*/, const detail::any_completion_handler_fn_table<Signatures...>* fn_table,
      detail::any_completion_handler_impl_base* impl) noexcept
      : fn_table_(fn_table), impl_(impl) {}

  const detail::any_completion_handler_fn_table<Signatures...>* fn_table_;
  detail::any_completion_handler_impl_base* impl_;
};

// A move-only completion handler for Signatures holding any handler for
// them. Invoking it frees its storage and then invokes the target, once;
// destroying it uninvoked destroys the target and frees the storage. The
// storage comes from the target's associated allocator.
template <typename... Signatures>
class any_completion_handler {
  static_assert(sizeof...(Signatures) > 0, "any_completion_handler needs a signature");
  static_assert((completion_signature<Signatures> && ...),
                "any_completion_handler takes completion signatures");

 public:
  using allocator_type = any_completion_handler_allocator<void, Signatures...>;
  using cancellation_slot_type = cancellation_slot;

  constexpr any_completion_handler() noexcept = default;
  constexpr any_completion_handler(std::nullptr_t) noexcept {}  // NOLINT: implicit, as Asio's

  // Wraps a handler for the signatures; its storage comes from the
  // handler's associated allocator, which may throw.
  template <typename H, typename Handler = std::decay_t<H>>
  requires(!std::is_same_v<Handler, any_completion_handler> &&
           completion_handler_for<Handler, Signatures...>)
      any_completion_handler(H&& h)  // NOLINT: implicit, as Asio's
      : fn_table_(&detail::any_completion_handler_fn_table_for<Handler, Signatures...>),
        impl_(detail::any_completion_handler_impl<Handler>::create(std::forward<H>(h))) {}

  any_completion_handler(any_completion_handler&& other) noexcept
      : fn_table_(std::exchange(other.fn_table_, nullptr)),
        impl_(std::exchange(other.impl_, nullptr)) {}

  any_completion_handler& operator=(any_completion_handler&& other) noexcept {
    any_completion_handler(std::move(other)).swap(*this);
    return *this;
  }

  any_completion_handler& operator=(std::nullptr_t) noexcept {
    any_completion_handler().swap(*this);
    return *this;
  }

  ~any_completion_handler() {
    if (impl_ != nullptr) fn_table_->destroy_(impl_);
  }

  constexpr explicit operator bool() const noexcept { return impl_ != nullptr; }
  constexpr bool operator!() const noexcept { return impl_ == nullptr; }

  void swap(any_completion_handler& other) noexcept {
    std::swap(fn_table_, other.fn_table_);
    std::swap(impl_, other.impl_);
  }

  // The wrapped handler's allocator, type-erased. For an empty handler it
  // can allocate nothing.
  [[nodiscard]] allocator_type get_allocator() const noexcept {
    return allocator_type(0, fn_table_, impl_);
  }

  // The wrapped handler's cancellation slot (unconnected when it has none
  // or when empty).
  [[nodiscard]] cancellation_slot_type get_cancellation_slot() const noexcept {
    return impl_ != nullptr ? fn_table_->slot_(impl_) : cancellation_slot_type();
  }

  // Invokes the wrapped handler with the arguments of one signature, after
  // freeing this object's storage. Afterwards *this is empty. Invoking an
  // empty handler throws std::bad_function_call.
  template <typename... Args>
  auto operator()(Args&&... args)
      -> decltype(std::declval<const detail::any_completion_handler_fn_table<Signatures...>&>()
                      .call(nullptr, std::forward<Args>(args)...)) {
    if (impl_ == nullptr) throw std::bad_function_call();
    detail::any_completion_handler_impl_base* impl = std::exchange(impl_, nullptr);
    return fn_table_->call(impl, std::forward<Args>(args)...);
  }

  friend constexpr bool operator==(const any_completion_handler& a, std::nullptr_t) noexcept {
    return a.impl_ == nullptr;
  }

  friend void swap(any_completion_handler& a, any_completion_handler& b) noexcept { a.swap(b); }

 private:
  template <typename, typename>
  friend struct associated_executor;

  const detail::any_completion_handler_fn_table<Signatures...>* fn_table_ = nullptr;
  detail::any_completion_handler_impl_base* impl_ = nullptr;
};

// The executor of an any_completion_handler is its target's, type-erased
// (Asio names this type any_completion_executor); a target with no executor
// of its own yields the candidate.
template <typename... Signatures, typename Candidate>
struct associated_executor<any_completion_handler<Signatures...>, Candidate> {
  using type = any_io_executor;

  static type get(const any_completion_handler<Signatures...>& handler,
                  const Candidate& candidate = Candidate()) noexcept {
    any_io_executor erased(candidate);
    if (handler.impl_ == nullptr) return erased;
    return handler.fn_table_->executor_(handler.impl_, erased);
  }
};

}  // namespace rill
