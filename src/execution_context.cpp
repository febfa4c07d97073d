#include <rill/execution_context.hpp>

#include <cstddef>
#include <new>
#include <vector>

#include <rill/detail/memory_counters.hpp>

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

void service_registry::destroy(execution_context::service* svc) noexcept {
  if (svc->destroy_ != nullptr) {
    svc->destroy_(svc);
  } else {
    delete svc;
  }
}

void service_registry::destroy_services() {
  while (first_ != nullptr) {
    execution_context::service* s = first_;
    first_ = s->next_;
    destroy(s);
  }
}

void service_registry::notify_fork(execution_context::fork_event event) {
  // Copy the list under the lock, then call the services without it, as
  // Asio does: a service may call back into the registry (use_service,
  // has_service) from notify_fork. Services live until the context is
  // destroyed, so the copied pointers stay valid.
  std::vector<execution_context::service*,
              execution_context::allocator<execution_context::service*>>
      services{execution_context::allocator<execution_context::service*>(owner_)};
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

execution_context::execution_context() : execution_context(nullptr) {}

execution_context::execution_context(detail::context_allocator_base* a) : allocator_(a) {
  // The thread that makes a context usually destroys it, freeing the
  // operations still pending: its memory counters must be registered.
  detail::memory_counters::ensure_registered();
  try {
    registry_ = detail::new_context_object<detail::service_registry>(*this, *this);
  } catch (...) {
    if (allocator_ != nullptr) allocator_->destroy();
    throw;
  }
}

execution_context::~execution_context() {
  detail::memory_counters::ensure_registered();
  shutdown();
  destroy();
  detail::delete_context_object(*this, registry_);
  if (allocator_ != nullptr) allocator_->destroy();
}

void* execution_context::allocate_memory(std::size_t size, std::size_t align) {
  if (allocator_ != nullptr) return allocator_->allocate(size, align);
  if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
    return ::operator new (size, std::align_val_t{align});
  }
  return ::operator new(size);
}

void execution_context::deallocate_memory(void* p, std::size_t size, std::size_t align) noexcept {
  if (allocator_ != nullptr) {
    allocator_->deallocate(p, size, align);
  } else if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
    ::operator delete (p, std::align_val_t{align});
  } else {
    ::operator delete(p);
  }
}

void execution_context::notify_fork(fork_event event) { registry_->notify_fork(event); }

void execution_context::shutdown() { registry_->shutdown_services(); }

void execution_context::destroy() { registry_->destroy_services(); }

}  // namespace rill
