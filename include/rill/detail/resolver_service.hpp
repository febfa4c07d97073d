// rill/detail/resolver_service.hpp - name resolution off the event loop.
#pragma once

#include <netdb.h>

#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/detail/handler_alloc.hpp>
#include <rill/detail/handler_work.hpp>
#include <rill/detail/op_queue.hpp>
#include <rill/detail/operation.hpp>
#include <rill/detail/scheduler.hpp>
#include <rill/error.hpp>
#include <rill/execution_context.hpp>
#include <rill/ip/basic_resolver_results.hpp>
#include <rill/ip/resolver_base.hpp>

namespace rill::detail {

// getaddrinfo/getnameinfo with errors translated as Asio does.
std::error_code translate_addrinfo_error(int error);
std::error_code do_getaddrinfo(const std::string& host, const std::string& service, int family,
                               int socktype, int protocol, int flags, addrinfo** result);
std::error_code do_getnameinfo(const void* addr, std::size_t addrlen, bool datagram,
                               std::string& host, std::string& service);

// A resolve in flight: performed (blocking getaddrinfo) on the service's
// worker thread, then completed on the I/O object's context.
class resolve_op : public operation {
 public:
  using perform_func_type = void (*)(resolve_op* op);
  void perform() { perform_func_(this); }

  std::error_code ec_;

 protected:
  resolve_op(perform_func_type perform_func, func_type complete_func) noexcept
      : operation(complete_func), perform_func_(perform_func) {}

 private:
  perform_func_type perform_func_;
};

// One per execution context: a worker thread (started on first use) runs
// the blocking lookups one at a time, so the event loop never blocks.
class resolver_service_base {
 public:
  // Cancellation: each resolver holds a token; cancel() replaces it, and
  // operations holding the old one complete with operation_aborted.
  using cancel_token = std::shared_ptr<int>;
  struct implementation_type {
    cancel_token token = std::make_shared<int>(0);
  };

  explicit resolver_service_base(execution_context& ctx);
  ~resolver_service_base();
  resolver_service_base(const resolver_service_base&) = delete;
  resolver_service_base& operator=(const resolver_service_base&) = delete;

  void construct(implementation_type& impl) { impl.token = std::make_shared<int>(0); }
  void destroy(implementation_type& impl) { impl.token.reset(); }
  void cancel(implementation_type& impl) { impl.token = std::make_shared<int>(0); }
  void move_construct(implementation_type& impl, implementation_type& other) {
    impl.token = std::move(other.token);
    other.token = std::make_shared<int>(0);
  }

 protected:
  // Counts op as work and hands it to the worker thread.
  void start_resolve_op(resolve_op* op);
  void base_shutdown();

  scheduler& scheduler_;

 private:
  void worker_loop();

  std::mutex mutex_;
  std::condition_variable wakeup_;
  op_queue<resolve_op> queue_;
  std::thread worker_;
  bool stopping_ = false;
};

// Converts getaddrinfo's list into results of Protocol.
template <typename Protocol>
ip::basic_resolver_results<Protocol> make_resolver_results(const addrinfo* info,
                                                           const std::string& host,
                                                           const std::string& service) {
  using results_type = ip::basic_resolver_results<Protocol>;
  results_type results;
  const std::string* name = &host;
  std::string canonical;
  for (const addrinfo* ai = info; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    typename Protocol::endpoint ep;
    if (ai->ai_addrlen > ep.capacity()) continue;
    if (ai == info && ai->ai_canonname != nullptr) {
      canonical = ai->ai_canonname;
      name = &canonical;
    }
    std::memcpy(ep.data(), ai->ai_addr, ai->ai_addrlen);
    ep.resize(ai->ai_addrlen);
    results.push_back(typename results_type::value_type(ep, *name, service));
  }
  return results;
}

template <typename Protocol, typename Handler, typename IoExecutor>
class resolve_query_op final : public resolve_op {
 public:
  using results_type = ip::basic_resolver_results<Protocol>;

  template <typename H>
  resolve_query_op(H&& handler, const IoExecutor& io_ex,
                   const resolver_service_base::cancel_token& token, int family, std::string host,
                   std::string service, int flags)
      : resolve_op(&resolve_query_op::do_perform, &resolve_query_op::do_complete),
        token_(token),
        family_(family),
        host_(std::move(host)),
        service_(std::move(service)),
        flags_(flags),
        handler_(std::forward<H>(handler)),
        work_(handler_, io_ex) {}

  static void do_perform(resolve_op* base) {
    auto* op = static_cast<resolve_query_op*>(base);
    if (op->token_.expired()) {
      op->ec_ = rill::error::operation_aborted;
      return;
    }
    const Protocol protocol = family_protocol(op->family_);
    addrinfo* info = nullptr;
    op->ec_ = do_getaddrinfo(op->host_, op->service_, op->family_, protocol.type(),
                             protocol.protocol(), op->flags_, &info);
    if (!op->ec_) {
      op->results_ = make_resolver_results<Protocol>(info, op->host_, op->service_);
      ::freeaddrinfo(info);
    }
    if (op->token_.expired()) op->ec_ = rill::error::operation_aborted;
  }

  static void do_complete(void* owner, operation* base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<resolve_query_op*>(base);
    auto alloc = get_associated_allocator(op->handler_);
    handler_work<Handler, IoExecutor> work(std::move(op->work_));
    Handler handler(std::move(op->handler_));
    const std::error_code ec = op->ec_;
    results_type results = std::move(op->results_);
    deallocate_operation(alloc, op);
    if (owner != nullptr) work.complete(handler, ec, std::move(results));
  }

 private:
  static Protocol family_protocol(int family) {
    return family == AF_INET6 ? Protocol::v6() : Protocol::v4();
  }

  std::weak_ptr<int> token_;
  int family_;
  std::string host_;
  std::string service_;
  int flags_;
  results_type results_;
  Handler handler_;
  [[no_unique_address]] handler_work<Handler, IoExecutor> work_;
};

template <typename Protocol, typename Handler, typename IoExecutor>
class resolve_endpoint_op final : public resolve_op {
 public:
  using results_type = ip::basic_resolver_results<Protocol>;
  using endpoint_type = typename Protocol::endpoint;

  template <typename H>
  resolve_endpoint_op(H&& handler, const IoExecutor& io_ex,
                      const resolver_service_base::cancel_token& token, const endpoint_type& ep)
      : resolve_op(&resolve_endpoint_op::do_perform, &resolve_endpoint_op::do_complete),
        token_(token),
        endpoint_(ep),
        handler_(std::forward<H>(handler)),
        work_(handler_, io_ex) {}

  static void do_perform(resolve_op* base) {
    auto* op = static_cast<resolve_endpoint_op*>(base);
    if (op->token_.expired()) {
      op->ec_ = rill::error::operation_aborted;
      return;
    }
    std::string host;
    std::string service;
    op->ec_ = do_getnameinfo(op->endpoint_.data(), op->endpoint_.size(),
                             op->endpoint_.protocol().type() == SOCK_DGRAM, host, service);
    if (!op->ec_) op->results_ = results_type::create(op->endpoint_, host, service);
    if (op->token_.expired()) op->ec_ = rill::error::operation_aborted;
  }

  static void do_complete(void* owner, operation* base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<resolve_endpoint_op*>(base);
    auto alloc = get_associated_allocator(op->handler_);
    handler_work<Handler, IoExecutor> work(std::move(op->work_));
    Handler handler(std::move(op->handler_));
    const std::error_code ec = op->ec_;
    results_type results = std::move(op->results_);
    deallocate_operation(alloc, op);
    if (owner != nullptr) work.complete(handler, ec, std::move(results));
  }

 private:
  std::weak_ptr<int> token_;
  endpoint_type endpoint_;
  results_type results_;
  Handler handler_;
  [[no_unique_address]] handler_work<Handler, IoExecutor> work_;
};

template <typename Protocol>
class resolver_service final : public execution_context_service_base<resolver_service<Protocol>>,
                               public resolver_service_base {
 public:
  using results_type = ip::basic_resolver_results<Protocol>;
  using endpoint_type = typename Protocol::endpoint;

  explicit resolver_service(execution_context& ctx)
      : execution_context_service_base<resolver_service<Protocol>>(ctx),
        resolver_service_base(ctx) {}

  // Joins the worker; queued lookups are destroyed without completing.
  void shutdown() override { base_shutdown(); }

  results_type resolve(int family, const std::string& host, const std::string& service_name,
                       int flags, std::error_code& ec) {
    const Protocol protocol = family == AF_INET6 ? Protocol::v6() : Protocol::v4();
    addrinfo* info = nullptr;
    ec = do_getaddrinfo(host, service_name, family, protocol.type(), protocol.protocol(), flags,
                        &info);
    if (ec) return results_type();
    results_type results = make_resolver_results<Protocol>(info, host, service_name);
    ::freeaddrinfo(info);
    return results;
  }

  results_type resolve(const endpoint_type& ep, std::error_code& ec) {
    std::string host;
    std::string service_name;
    ec = do_getnameinfo(ep.data(), ep.size(), ep.protocol().type() == SOCK_DGRAM, host,
                        service_name);
    if (ec) return results_type();
    return results_type::create(ep, host, service_name);
  }

  template <typename Handler, typename IoExecutor>
  void async_resolve(implementation_type& impl, int family, std::string host,
                     std::string service_name, int flags, Handler&& handler,
                     const IoExecutor& io_ex) {
    using op_type = resolve_query_op<Protocol, std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op =
        allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex, impl.token,
                                    family, std::move(host), std::move(service_name), flags);
    start_resolve_op(op);
  }

  template <typename Handler, typename IoExecutor>
  void async_resolve(implementation_type& impl, const endpoint_type& ep, Handler&& handler,
                     const IoExecutor& io_ex) {
    using op_type = resolve_endpoint_op<Protocol, std::decay_t<Handler>, IoExecutor>;
    auto alloc = get_associated_allocator(handler);
    op_type* op =
        allocate_operation<op_type>(alloc, std::forward<Handler>(handler), io_ex, impl.token, ep);
    start_resolve_op(op);
  }
};

}  // namespace rill::detail
