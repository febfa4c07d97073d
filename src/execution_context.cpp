#include <rill/execution_context.hpp>

#include <cstddef>
#include <vector>

namespace rill {

namespace detail {

service_registry::~service_registry() { destroy_services(); }

execution_context::service* service_registry::find(const void* key) const noexcept {
  for (execution_context::service* s = first_; s != nullptr; s = s->next_) {
    if (s->key_ == key) return s;
  }
  return nullptr;
}

void service_registry::link(execution_context::service* svc, const void* key) noexcept {
  svc->key_ = key;
  svc->next_ = first_;
  first_ = svc;
}

void service_registry::shutdown_services() {
  for (execution_context::service* s = first_; s != nullptr; s = s->next_) s->shutdown();
}

void service_registry::destroy_services() {
  while (first_ != nullptr) {
    execution_context::service* s = first_;
    first_ = s->next_;
    delete s;
  }
}

void service_registry::notify_fork(execution_context::fork_event event) {
  // Copy the list under the lock, then call the services without it, as
  // Asio does: a service may call back into the registry (use_service,
  // has_service) from notify_fork. Services live until the context is
  // destroyed, so the copied pointers stay valid.
  std::vector<execution_context::service*> services;
  {
    std::lock_guard lock(mutex_);
    for (execution_context::service* s = first_; s != nullptr; s = s->next_) {
      services.push_back(s);
    }
  }
  // Prepare newest first; parent and child oldest first, as Asio does.
  if (event == execution_context::fork_prepare) {
    for (execution_context::service* s : services) s->notify_fork(event);
    return;
  }
  for (std::size_t i = services.size(); i > 0; --i) services[i - 1]->notify_fork(event);
}

}  // namespace detail

execution_context::execution_context()
    : registry_(std::make_unique<detail::service_registry>(*this)) {}

execution_context::~execution_context() {
  shutdown();
  destroy();
}

void execution_context::notify_fork(fork_event event) { registry_->notify_fork(event); }

void execution_context::shutdown() { registry_->shutdown_services(); }

void execution_context::destroy() { registry_->destroy_services(); }

}  // namespace rill
