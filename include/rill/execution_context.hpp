// rill/execution_context.hpp - a place where function objects run, owning a
// set of services.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace rill {

// The tag of the constructors that take an allocator, as in Asio.
using std::allocator_arg;
using std::allocator_arg_t;

class execution_context;

template <typename Service>
Service& use_service(execution_context& e);
template <typename Service, typename... Args>
Service& make_service(execution_context& e, Args&&... args);
template <typename Service>
void add_service(execution_context& e, Service* svc);
template <typename Service>
bool has_service(execution_context& e);

// Thrown by add_service / make_service when the service is already there.
class service_already_exists : public std::logic_error {
 public:
  service_already_exists() : std::logic_error("Service already exists.") {}
};

// Thrown by add_service when the service belongs to another context.
class invalid_service_owner : public std::logic_error {
 public:
  invalid_service_owner() : std::logic_error("Invalid service owner.") {}
};

namespace detail {
class service_registry;
struct context_memory;

// The allocator a context was constructed with, type-erased. It allocates
// itself from that allocator too, and destroy() gives that memory back.
class context_allocator_base {
 public:
  virtual void* allocate(std::size_t size, std::size_t align) = 0;
  virtual void deallocate(void* p, std::size_t size, std::size_t align) noexcept = 0;
  virtual void destroy() noexcept = 0;

 protected:
  context_allocator_base() = default;
  ~context_allocator_base() = default;
  context_allocator_base(const context_allocator_base&) = delete;
  context_allocator_base& operator=(const context_allocator_base&) = delete;
};

template <typename Allocator>
class context_allocator_impl;
}  // namespace detail

// The base of io_context and thread pools, with Asio's service model: a
// context owns one instance of each service type, created on first use and
// shut down (in reverse order of creation) when the context is destroyed.
//
// As in Asio 1.35, a context constructed with allocator_arg and an allocator
// takes the memory of its own state from that allocator instead of the
// global heap: the allocator's own holder, the service registry, every
// service (scheduler, reactor, timer, socket, descriptor, signal and
// resolver services, and user services made by use_service/make_service),
// the reactor's per-descriptor states, the timer queues' heaps and the
// signal sets' registrations. What still uses the global heap: services a
// user adds with add_service (made with new), the resolver's worker thread
// and host/service strings, strands' implementations, the process-wide
// signal pipe bookkeeping, and the memory of operations themselves, which
// comes from each handler's associated allocator (or the recycling cache).
class execution_context {
 public:
  class id;
  class service;
  // An allocator over the context's memory (its allocator, or the heap).
  template <typename T>
  class allocator;

  enum fork_event { fork_prepare, fork_parent, fork_child };

  execution_context();
  template <typename Allocator>
  execution_context(allocator_arg_t /*tag*/, const Allocator& a);
  execution_context(const execution_context&) = delete;
  execution_context& operator=(const execution_context&) = delete;
  // Shuts down and destroys every service.
  ~execution_context();

  // Tells every service about a fork (in reverse order for fork_prepare).
  void notify_fork(fork_event event);

 protected:
  // Calls shutdown() on each service, newest first. Idempotent.
  void shutdown();
  // Destroys each service, newest first. Idempotent.
  void destroy();

 private:
  template <typename Service>
  friend Service& use_service(execution_context& e);
  template <typename Service, typename... Args>
  friend Service& make_service(execution_context& e, Args&&... args);
  template <typename Service>
  friend void add_service(execution_context& e, Service* svc);
  template <typename Service>
  friend bool has_service(execution_context& e);
  friend struct detail::context_memory;

  // Takes ownership of a (null: the global heap).
  explicit execution_context(detail::context_allocator_base* a);

  // Memory for the context's own objects.
  void* allocate_memory(std::size_t size, std::size_t align);
  void deallocate_memory(void* p, std::size_t size, std::size_t align) noexcept;

  detail::context_allocator_base* allocator_ = nullptr;
  detail::service_registry* registry_ = nullptr;
};

// A service's identity: the address of the service type's static id member.
class execution_context::id {
 public:
  id() = default;
  id(const id&) = delete;
  id& operator=(const id&) = delete;
};

class execution_context::service {
 public:
  service(const service&) = delete;
  service& operator=(const service&) = delete;

  execution_context& context() noexcept { return owner_; }

 protected:
  explicit service(execution_context& owner) : owner_(owner) {}
  virtual ~service() = default;

 private:
  friend class detail::service_registry;

  // Destroys every handler the service holds, without invoking it.
  virtual void shutdown() = 0;
  virtual void notify_fork(execution_context::fork_event /*event*/) {}

  execution_context& owner_;
  const void* key_ = nullptr;
  service* next_ = nullptr;
  // How to destroy it: null for a service made with new (add_service),
  // else the function that returns it to the context's memory.
  void (*destroy_)(service*) noexcept = nullptr;
};

template <typename T>
class execution_context::allocator {
 public:
  using value_type = T;

  explicit constexpr allocator(execution_context& e) noexcept : context_(&e) {}
  template <typename U>
  constexpr allocator(const allocator<U>& other) noexcept : context_(other.context_) {}

  [[nodiscard]] T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(context_->allocate_memory(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    context_->deallocate_memory(p, n * sizeof(T), alignof(T));
  }

  template <typename U>
  constexpr bool operator==(const allocator<U>& other) const noexcept {
    return context_ == other.context_;
  }

 private:
  template <typename>
  friend class allocator;
  execution_context* context_;
};

namespace detail {

// A service base that supplies the static id member, as Asio's does.
template <typename Type>
class execution_context_service_base : public execution_context::service {
 public:
  static inline execution_context::id id;

 protected:
  explicit execution_context_service_base(execution_context& e) : execution_context::service(e) {}
};

// One address per type: the key of services identified by a nested
// key_type instead of an id member (Asio allows both).
template <typename Key>
inline constexpr char service_type_key = 0;

template <typename Service>
const void* service_key() noexcept {
  if constexpr (requires { Service::id; }) {
    return &Service::id;
  } else {
    return &service_type_key<typename Service::key_type>;
  }
}

// The memory of a context's own objects, for the library's internals.
struct context_memory {
  static void* allocate(execution_context& e, std::size_t size, std::size_t align) {
    return e.allocate_memory(size, align);
  }
  static void deallocate(execution_context& e, void* p, std::size_t size,
                         std::size_t align) noexcept {
    e.deallocate_memory(p, size, align);
  }
};

// Like execution_context::allocator, but without a context (a default
// constructed one) it uses the global heap: for containers that belong to
// a context but are also used on their own (a timer queue in its tests).
template <typename T>
class context_allocator {
 public:
  using value_type = T;

  constexpr context_allocator() noexcept = default;
  explicit constexpr context_allocator(execution_context& e) noexcept : context_(&e) {}
  template <typename U>
  constexpr context_allocator(const context_allocator<U>& other) noexcept
      : context_(other.context_) {}

  [[nodiscard]] T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    if (context_ == nullptr) return std::allocator<T>().allocate(n);
    return static_cast<T*>(context_memory::allocate(*context_, n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (context_ == nullptr) {
      std::allocator<T>().deallocate(p, n);
    } else {
      context_memory::deallocate(*context_, p, n * sizeof(T), alignof(T));
    }
  }

  template <typename U>
  constexpr bool operator==(const context_allocator<U>& other) const noexcept {
    return context_ == other.context_;
  }

 private:
  template <typename>
  friend class context_allocator;
  execution_context* context_ = nullptr;
};

// Allocates and constructs a T in e's memory, and destroys and frees it.
template <typename T, typename... Args>
T* new_context_object(execution_context& e, Args&&... args) {
  void* p = context_memory::allocate(e, sizeof(T), alignof(T));
  try {
    return ::new (p) T(std::forward<Args>(args)...);
  } catch (...) {
    context_memory::deallocate(e, p, sizeof(T), alignof(T));
    throw;
  }
}
template <typename T>
void delete_context_object(execution_context& e, T* object) noexcept {
  object->~T();
  context_memory::deallocate(e, object, sizeof(T), alignof(T));
}

// An aligned unit of allocation, so that any allocator (rebound to it)
// returns memory aligned for any object of the context.
template <std::size_t Align>
struct alignas(Align) aligned_unit {
  unsigned char bytes[Align];
};

template <typename Allocator>
class context_allocator_impl final : public context_allocator_base {
  template <typename T>
  using rebound = typename std::allocator_traits<Allocator>::template rebind_alloc<T>;

 public:
  // Allocates the eraser itself from a.
  static context_allocator_impl* create(const Allocator& a) {
    rebound<context_allocator_impl> self_alloc(a);
    using traits = std::allocator_traits<rebound<context_allocator_impl>>;
    context_allocator_impl* p = std::to_address(traits::allocate(self_alloc, 1));
    try {
      return ::new (static_cast<void*>(p)) context_allocator_impl(a);
    } catch (...) {
      traits::deallocate(self_alloc, p, 1);
      throw;
    }
  }

  void* allocate(std::size_t size, std::size_t align) override {
    if (align <= alignof(std::max_align_t)) return allocate_units<alignof(std::max_align_t)>(size);
    if (align <= 64) return allocate_units<64>(size);
    if (align <= 4096) return allocate_units<4096>(size);
    throw std::bad_alloc();
  }

  void deallocate(void* p, std::size_t size, std::size_t align) noexcept override {
    if (align <= alignof(std::max_align_t)) {
      deallocate_units<alignof(std::max_align_t)>(p, size);
    } else if (align <= 64) {
      deallocate_units<64>(p, size);
    } else {
      deallocate_units<4096>(p, size);
    }
  }

  void destroy() noexcept override {
    rebound<context_allocator_impl> self_alloc(allocator_);
    this->~context_allocator_impl();
    std::allocator_traits<rebound<context_allocator_impl>>::deallocate(self_alloc, this, 1);
  }

 private:
  explicit context_allocator_impl(const Allocator& a) : allocator_(a) {}
  ~context_allocator_impl() = default;

  template <std::size_t Align>
  void* allocate_units(std::size_t size) {
    rebound<aligned_unit<Align>> a(allocator_);
    const std::size_t n = (size + Align - 1) / Align;
    return std::to_address(std::allocator_traits<decltype(a)>::allocate(a, n == 0 ? 1 : n));
  }
  template <std::size_t Align>
  void deallocate_units(void* p, std::size_t size) noexcept {
    rebound<aligned_unit<Align>> a(allocator_);
    const std::size_t n = (size + Align - 1) / Align;
    std::allocator_traits<decltype(a)>::deallocate(a, static_cast<aligned_unit<Align>*>(p),
                                                   n == 0 ? 1 : n);
  }

  [[no_unique_address]] Allocator allocator_;
};

// The list of services of one context. Creation drops the lock while the
// service's constructor runs, because a constructor may itself ask for
// another service.
class service_registry {
 public:
  explicit service_registry(execution_context& owner) : owner_(owner) {}
  service_registry(const service_registry&) = delete;
  service_registry& operator=(const service_registry&) = delete;
  ~service_registry();

  void shutdown_services();
  void destroy_services();
  void notify_fork(execution_context::fork_event event);

  template <typename Service>
  Service& use() {
    const void* key = service_key<Service>();
    {
      std::lock_guard lock(mutex_);
      if (execution_context::service* s = find(key)) return static_cast<Service&>(*s);
    }
    // Created without the lock: a constructor may itself ask for another
    // service.
    Service* created = create<Service>();
    execution_context::service* existing = nullptr;
    {
      std::lock_guard lock(mutex_);
      existing = find(key);
      if (existing == nullptr) {
        link(created, key);
        return *created;
      }
    }
    // Another thread made it first.
    destroy(created);
    return static_cast<Service&>(*existing);
  }

  // Creates a Service in the context's memory; destroy() returns it there.
  template <typename Service, typename... Args>
  Service* create(Args&&... args) {
    Service* svc = new_context_object<Service>(owner_, owner_, std::forward<Args>(args)...);
    svc->destroy_ = &destroy_created<Service>;
    return svc;
  }

  // Destroys a service that is not (or no longer) in the list.
  static void destroy(execution_context::service* svc) noexcept;

  template <typename Service>
  void add(Service* svc) {
    if (&svc->context() != &owner_) throw invalid_service_owner();
    std::lock_guard lock(mutex_);
    const void* key = service_key<Service>();
    if (find(key) != nullptr) throw service_already_exists();
    link(svc, key);
  }

  template <typename Service>
  bool has() {
    std::lock_guard lock(mutex_);
    return find(service_key<Service>()) != nullptr;
  }

 private:
  execution_context::service* find(const void* key) const noexcept;
  void link(execution_context::service* svc, const void* key) noexcept;

  template <typename Service>
  static void destroy_created(execution_context::service* svc) noexcept {
    execution_context& owner = svc->context();
    void* memory = static_cast<Service*>(svc);
    // Through the base, whose destructor is virtual (and which the registry
    // may call even if Service's own is protected).
    svc->~service();
    context_memory::deallocate(owner, memory, sizeof(Service), alignof(Service));
  }

  execution_context& owner_;
  std::mutex mutex_;
  execution_context::service* first_ = nullptr;  // newest first
};

}  // namespace detail

// Returns the context's Service, creating it with Service(e) if needed.
template <typename Service>
Service& use_service(execution_context& e) {
  static_assert(std::is_base_of_v<execution_context::service, Service>);
  return e.registry_->template use<Service>();
}

// Creates the context's Service with Service(e, args...); throws
// service_already_exists if it is already there.
template <typename Service, typename... Args>
Service& make_service(execution_context& e, Args&&... args) {
  Service* svc = e.registry_->template create<Service>(std::forward<Args>(args)...);
  try {
    e.registry_->add(svc);
  } catch (...) {
    detail::service_registry::destroy(svc);
    throw;
  }
  return *svc;
}

template <typename Allocator>
execution_context::execution_context(allocator_arg_t /*tag*/, const Allocator& a)
    : execution_context(detail::context_allocator_impl<Allocator>::create(a)) {}

// Adds svc, which must have been created for e; e takes ownership.
template <typename Service>
void add_service(execution_context& e, Service* svc) {
  e.registry_->add(svc);
}

template <typename Service>
bool has_service(execution_context& e) {
  return e.registry_->template has<Service>();
}

}  // namespace rill
