// rill/execution_context.hpp - a place where function objects run, owning a
// set of services.
#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace rill {

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
}  // namespace detail

// The base of io_context and thread pools, with Asio's service model: a
// context owns one instance of each service type, created on first use and
// shut down (in reverse order of creation) when the context is destroyed.
class execution_context {
 public:
  class id;
  class service;

  enum fork_event { fork_prepare, fork_parent, fork_child };

  execution_context();
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

  std::unique_ptr<detail::service_registry> registry_;
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

template <typename Service>
const void* service_key() noexcept {
  return &Service::id;
}

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

  template <typename Service, typename Factory>
  Service& use(Factory&& factory) {
    const void* key = service_key<Service>();
    {
      std::lock_guard lock(mutex_);
      if (execution_context::service* s = find(key)) return static_cast<Service&>(*s);
    }
    std::unique_ptr<Service> created(factory(owner_));
    std::lock_guard lock(mutex_);
    if (execution_context::service* s = find(key)) return static_cast<Service&>(*s);
    link(created.get(), key);
    return *created.release();
  }

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

  execution_context& owner_;
  std::mutex mutex_;
  execution_context::service* first_ = nullptr;  // newest first
};

}  // namespace detail

// Returns the context's Service, creating it with Service(e) if needed.
template <typename Service>
Service& use_service(execution_context& e) {
  static_assert(std::is_base_of_v<execution_context::service, Service>);
  return e.registry_->template use<Service>(
      [](execution_context& owner) { return new Service(owner); });
}

// Creates the context's Service with Service(e, args...); throws
// service_already_exists if it is already there.
template <typename Service, typename... Args>
Service& make_service(execution_context& e, Args&&... args) {
  std::unique_ptr<Service> svc(new Service(e, std::forward<Args>(args)...));
  e.registry_->add(svc.get());
  return *svc.release();
}

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
