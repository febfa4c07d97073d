#include <rill/detail/strand_executor_service.hpp>

namespace rill::detail {

strand_executor_service::strand_executor_service(execution_context& ctx)
    : execution_context_service_base<strand_executor_service>(ctx) {}

// Strand objects may outlive their context (destroyed after it, never
// concurrently with it): their states forget the service, so that their
// last release does not touch it.
strand_executor_service::~strand_executor_service() {
  std::lock_guard lock(mutex_);
  for (strand_impl* impl = first_; impl != nullptr;) {
    strand_impl* next = impl->next_;
    impl->service_ = nullptr;
    impl->prev_ = impl->next_ = nullptr;
    impl = next;
  }
  first_ = nullptr;
}

strand_impl* strand_executor_service::create_implementation() {
  auto* impl = new strand_impl(this);
  std::lock_guard lock(mutex_);
  impl->next_ = first_;
  if (first_ != nullptr) first_->prev_ = impl;
  first_ = impl;
  return impl;
}

void strand_executor_service::shutdown() {
  // Destroyed after both locks are released: a function's destructor may
  // submit to a strand or drop the last reference to one.
  op_queue<operation> ops;
  std::lock_guard lock(mutex_);
  for (strand_impl* impl = first_; impl != nullptr; impl = impl->next_) {
    std::lock_guard impl_lock(impl->mutex_);
    impl->shutdown_ = true;
    ops.push(impl->waiting_);
    // No thread runs the context any more, so nobody holds the batch.
    ops.push(impl->ready_);
  }
}

void strand_executor_service::unlink(strand_impl* impl) noexcept {
  std::lock_guard lock(mutex_);
  if (impl->prev_ != nullptr) {
    impl->prev_->next_ = impl->next_;
  } else {
    first_ = impl->next_;
  }
  if (impl->next_ != nullptr) impl->next_->prev_ = impl->prev_;
}

void strand_impl::destroy() noexcept {
  if (service_ != nullptr) service_->unlink(this);
  // Functions still queued (a strand whose invoker was dropped) are
  // destroyed without being invoked by the queues' destructors.
  delete this;
}

}  // namespace rill::detail
