#include <rill/detail/resolver_service.hpp>

#include <cerrno>

namespace rill::detail {

std::error_code translate_addrinfo_error(int error) {
  switch (error) {
    case 0:
      return {};
    case EAI_AGAIN:
      return rill::error::host_not_found_try_again;
    case EAI_BADFLAGS:
      return rill::error::invalid_argument;
    case EAI_FAIL:
      return rill::error::no_recovery;
    case EAI_FAMILY:
      return rill::error::address_family_not_supported;
    case EAI_MEMORY:
      return rill::error::no_memory;
    case EAI_NONAME:
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
      return rill::error::host_not_found;
    case EAI_SERVICE:
      return rill::error::service_not_found;
    case EAI_SOCKTYPE:
      return rill::error::socket_type_not_supported;
    case EAI_SYSTEM:
      return {errno, std::system_category()};
    default:
      return rill::error::host_not_found;
  }
}

std::error_code do_getaddrinfo(const std::string& host, const std::string& service, int family,
                               int socktype, int protocol, int flags, addrinfo** result) {
  if (host.empty() && service.empty()) return rill::error::host_not_found;
  addrinfo hints{};
  hints.ai_flags = flags;
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  hints.ai_protocol = protocol;
  const int r = ::getaddrinfo(host.empty() ? nullptr : host.c_str(),
                              service.empty() ? nullptr : service.c_str(), &hints, result);
  return translate_addrinfo_error(r);
}

std::error_code do_getnameinfo(const void* addr, std::size_t addrlen, bool datagram,
                               std::string& host, std::string& service) {
  char host_buf[NI_MAXHOST];
  char service_buf[NI_MAXSERV];
  const int flags = datagram ? NI_DGRAM : 0;
  int r = ::getnameinfo(static_cast<const sockaddr*>(addr), static_cast<socklen_t>(addrlen),
                        host_buf, sizeof(host_buf), service_buf, sizeof(service_buf), flags);
  if (r == EAI_NONAME || r == EAI_SERVICE) {
    // An unnamed port: report it as a number, as Asio does.
    r = ::getnameinfo(static_cast<const sockaddr*>(addr), static_cast<socklen_t>(addrlen), host_buf,
                      sizeof(host_buf), service_buf, sizeof(service_buf), flags | NI_NUMERICSERV);
  }
  if (r != 0) return translate_addrinfo_error(r);
  host = host_buf;
  service = service_buf;
  return {};
}

resolver_service_base::resolver_service_base(execution_context& ctx)
    : scheduler_(use_service<scheduler>(ctx)) {}

resolver_service_base::~resolver_service_base() { base_shutdown(); }

void resolver_service_base::start_resolve_op(resolve_op* op) {
  scheduler_.work_started_for_operation();
  std::lock_guard lock(mutex_);
  if (stopping_) {
    // The context is shutting down: the operation is abandoned, which
    // destroys it without invoking its handler.
    op->destroy();
    return;
  }
  queue_.push(op);
  if (!worker_.joinable()) {
    worker_ = std::thread([this] { worker_loop(); });
  }
  wakeup_.notify_one();
}

void resolver_service_base::worker_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wakeup_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    resolve_op* op = queue_.pop();
    lock.unlock();
    op->perform();
    // The work was counted when the resolve started.
    scheduler_.post_deferred_completion(op);
    lock.lock();
  }
}

void resolver_service_base::base_shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (worker_.joinable()) worker_.join();
  op_queue<resolve_op> abandoned;
  {
    std::lock_guard lock(mutex_);
    abandoned.push(queue_);
  }
  // op_queue's destructor destroys them without invoking.
}

}  // namespace rill::detail
