// rill/ip/basic_resolver.hpp - host and service names to endpoints.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/resolver_service.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/execution_context.hpp>
#include <rill/io_context.hpp>
#include <rill/ip/basic_resolver_results.hpp>
#include <rill/ip/resolver_base.hpp>

namespace rill::ip {

// As Asio's basic_resolver. Synchronous resolves block the calling thread
// in getaddrinfo; asynchronous ones run getaddrinfo on a worker thread of
// the context, so the event loop never blocks, and complete on the
// resolver's executor with void(std::error_code, results_type). The
// operation's memory comes from the handler's associated allocator.
template <typename InternetProtocol, typename Executor = any_io_executor>
class basic_resolver : public resolver_base {
  using service_type = detail::resolver_service<InternetProtocol>;

 public:
  using executor_type = Executor;
  using protocol_type = InternetProtocol;
  using endpoint_type = typename InternetProtocol::endpoint;
  using results_type = basic_resolver_results<InternetProtocol>;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_resolver<InternetProtocol, OtherExecutor>;
  };

  explicit basic_resolver(const executor_type& ex)
      : executor_(ex), service_(&use_service<service_type>(ex.context())) {
    service_->construct(impl_);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context>
  explicit basic_resolver(ExecutionContext& ctx)
      : basic_resolver(executor_type(ctx.get_executor())) {}

  basic_resolver(basic_resolver&& other) : executor_(other.executor_), service_(other.service_) {
    service_->move_construct(impl_, other.impl_);
  }

  basic_resolver& operator=(basic_resolver&& other) {
    if (this != &other) {
      service_->destroy(impl_);
      executor_ = other.executor_;
      service_ = other.service_;
      service_->move_construct(impl_, other.impl_);
    }
    return *this;
  }

  // From the same kind of object with another executor type, as in Asio
  // (used by as_default_on).
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_resolver(
      basic_resolver<InternetProtocol, OtherExecutor>&& other)
      : executor_(other.executor_), service_(other.service_) {
    service_->move_construct(impl_, other.impl_);
  }

  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_resolver& operator=(
      basic_resolver<InternetProtocol, OtherExecutor>&& other) {
    service_->destroy(impl_);
    executor_ = other.executor_;
    service_ = other.service_;
    service_->move_construct(impl_, other.impl_);
    return *this;
  }

  basic_resolver(const basic_resolver&) = delete;
  basic_resolver& operator=(const basic_resolver&) = delete;

  // Pending resolves complete with operation_aborted.
  ~basic_resolver() { service_->destroy(impl_); }

  [[nodiscard]] executor_type get_executor() noexcept { return executor_; }

  // Pending asynchronous resolves complete with operation_aborted.
  void cancel() { service_->cancel(impl_); }

  results_type resolve(std::string_view host, std::string_view service) {
    return resolve(host, service, resolver_base::flags());
  }
  results_type resolve(std::string_view host, std::string_view service, std::error_code& ec) {
    return resolve(host, service, resolver_base::flags(), ec);
  }
  results_type resolve(std::string_view host, std::string_view service,
                       resolver_base::flags resolve_flags) {
    std::error_code ec;
    results_type r = resolve(host, service, resolve_flags, ec);
    detail::throw_error(ec, "resolve");
    return r;
  }
  results_type resolve(std::string_view host, std::string_view service,
                       resolver_base::flags resolve_flags, std::error_code& ec) {
    return service_->resolve(AF_UNSPEC, std::string(host), std::string(service),
                             static_cast<int>(resolve_flags), ec);
  }

  results_type resolve(const protocol_type& protocol, std::string_view host,
                       std::string_view service) {
    return resolve(protocol, host, service, resolver_base::flags());
  }
  results_type resolve(const protocol_type& protocol, std::string_view host,
                       std::string_view service, std::error_code& ec) {
    return resolve(protocol, host, service, resolver_base::flags(), ec);
  }
  results_type resolve(const protocol_type& protocol, std::string_view host,
                       std::string_view service, resolver_base::flags resolve_flags) {
    std::error_code ec;
    results_type r = resolve(protocol, host, service, resolve_flags, ec);
    detail::throw_error(ec, "resolve");
    return r;
  }
  results_type resolve(const protocol_type& protocol, std::string_view host,
                       std::string_view service, resolver_base::flags resolve_flags,
                       std::error_code& ec) {
    return service_->resolve(protocol.family(), std::string(host), std::string(service),
                             static_cast<int>(resolve_flags), ec);
  }

  // Reverse resolution: the host and service names of an endpoint.
  results_type resolve(const endpoint_type& e) {
    std::error_code ec;
    results_type r = service_->resolve(e, ec);
    detail::throw_error(ec, "resolve");
    return r;
  }
  results_type resolve(const endpoint_type& e, std::error_code& ec) {
    return service_->resolve(e, ec);
  }

  template <typename ResolveToken = default_completion_token_t<executor_type>>
  decltype(auto) async_resolve(std::string_view host, std::string_view service,
                               ResolveToken&& token = default_completion_token_t<executor_type>()) {
    return async_resolve(host, service, resolver_base::flags(), std::forward<ResolveToken>(token));
  }
  template <typename ResolveToken = default_completion_token_t<executor_type>>
  decltype(auto) async_resolve(std::string_view host, std::string_view service,
                               resolver_base::flags resolve_flags,
                               ResolveToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<ResolveToken, void(std::error_code, results_type)>(
        initiate_async_resolve(this), token, AF_UNSPEC, std::string(host), std::string(service),
        static_cast<int>(resolve_flags));
  }
  template <typename ResolveToken = default_completion_token_t<executor_type>>
  decltype(auto) async_resolve(const protocol_type& protocol, std::string_view host,
                               std::string_view service,
                               ResolveToken&& token = default_completion_token_t<executor_type>()) {
    return async_resolve(protocol, host, service, resolver_base::flags(),
                         std::forward<ResolveToken>(token));
  }
  template <typename ResolveToken = default_completion_token_t<executor_type>>
  decltype(auto) async_resolve(const protocol_type& protocol, std::string_view host,
                               std::string_view service, resolver_base::flags resolve_flags,
                               ResolveToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<ResolveToken, void(std::error_code, results_type)>(
        initiate_async_resolve(this), token, protocol.family(), std::string(host),
        std::string(service), static_cast<int>(resolve_flags));
  }
  template <typename ResolveToken = default_completion_token_t<executor_type>>
  decltype(auto) async_resolve(const endpoint_type& e,
                               ResolveToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<ResolveToken, void(std::error_code, results_type)>(
        initiate_async_reverse(this), token, e);
  }

 private:
  class initiate_async_resolve {
   public:
    explicit initiate_async_resolve(basic_resolver* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }
    template <typename Handler>
    void operator()(Handler&& handler, int family, std::string host, std::string service,
                    int flags) const {
      self_->service_->async_resolve(self_->impl_, family, std::move(host), std::move(service),
                                     flags, std::forward<Handler>(handler), self_->executor_);
    }

   private:
    basic_resolver* self_;
  };

  class initiate_async_reverse {
   public:
    explicit initiate_async_reverse(basic_resolver* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }
    template <typename Handler>
    void operator()(Handler&& handler, const endpoint_type& e) const {
      self_->service_->async_resolve(self_->impl_, e, std::forward<Handler>(handler),
                                     self_->executor_);
    }

   private:
    basic_resolver* self_;
  };

  template <typename, typename>
  friend class basic_resolver;

  executor_type executor_;
  service_type* service_;
  typename service_type::implementation_type impl_;
};

}  // namespace rill::ip
