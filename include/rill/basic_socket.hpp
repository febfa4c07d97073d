// rill/basic_socket.hpp - what every socket can do.
#pragma once

#include <concepts>
#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/bind_handler.hpp>
#include <rill/detail/reactive_socket_service.hpp>
#include <rill/detail/socket_access.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>
#include <rill/execution_context.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>
#include <rill/socket_base.hpp>

namespace rill {

// The base of stream and datagram sockets, as Asio's basic_socket. Every
// synchronous operation comes in two forms: one throws rill::system_error,
// the other reports through an error_code&. Asynchronous operations take
// their memory from the handler's associated allocator and free it before
// the handler runs; closing or cancelling completes them with
// error::operation_aborted.
template <typename Protocol, typename Executor = any_io_executor>
class basic_socket : public socket_base {
 protected:
  using service_type = detail::reactive_socket_service<Protocol>;

 public:
  using executor_type = Executor;
  using native_handle_type = typename service_type::native_handle_type;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;
  using lowest_layer_type = basic_socket;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_socket<Protocol, OtherExecutor>;
  };

  explicit basic_socket(const executor_type& ex)
      : executor_(ex), service_(&use_service<service_type>(ex.context())) {
    service_->construct(impl_);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context>
  explicit basic_socket(ExecutionContext& ctx) : basic_socket(executor_type(ctx.get_executor())) {}

  basic_socket(const executor_type& ex, const protocol_type& protocol) : basic_socket(ex) {
    open(protocol);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_socket(
      ExecutionContext& ctx, const protocol_type& protocol)
      : basic_socket(executor_type(ctx.get_executor()), protocol) {}

  // Opens a socket of the endpoint's protocol and binds it to the endpoint.
  basic_socket(const executor_type& ex, const endpoint_type& endpoint) : basic_socket(ex) {
    open(endpoint.protocol());
    bind(endpoint);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_socket(
      ExecutionContext& ctx, const endpoint_type& endpoint)
      : basic_socket(executor_type(ctx.get_executor()), endpoint) {}

  basic_socket(const executor_type& ex, const protocol_type& protocol,
               const native_handle_type& native_socket)
      : basic_socket(ex) {
    assign(protocol, native_socket);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_socket(
      ExecutionContext& ctx, const protocol_type& protocol, const native_handle_type& native_socket)
      : basic_socket(executor_type(ctx.get_executor()), protocol, native_socket) {}

  basic_socket(basic_socket&& other) noexcept
      : executor_(other.executor_), service_(other.service_) {
    service_->move_construct(impl_, other.impl_);
  }

  basic_socket& operator=(basic_socket&& other) {
    if (this != &other) {
      service_->move_assign(impl_, *other.service_, other.impl_);
      executor_ = other.executor_;
      service_ = other.service_;
    }
    return *this;
  }

  // From the same kind of object with another executor type, as in Asio
  // (used by as_default_on).
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_socket(
      basic_socket<Protocol, OtherExecutor>&& other)
      : executor_(other.executor_), service_(other.service_) {
    service_->move_construct(impl_, other.impl_);
  }

  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_socket& operator=(
      basic_socket<Protocol, OtherExecutor>&& other) {
    service_->move_assign(impl_, *other.service_, other.impl_);
    executor_ = other.executor_;
    service_ = other.service_;
    return *this;
  }

  basic_socket(const basic_socket&) = delete;
  basic_socket& operator=(const basic_socket&) = delete;

  [[nodiscard]] executor_type get_executor() noexcept { return executor_; }

  lowest_layer_type& lowest_layer() noexcept { return *this; }
  const lowest_layer_type& lowest_layer() const noexcept { return *this; }

  void open(const protocol_type& protocol = protocol_type()) {
    std::error_code ec;
    service_->open(impl_, protocol, ec);
    detail::throw_error(ec, "open");
  }
  std::error_code open(const protocol_type& protocol, std::error_code& ec) {
    return service_->open(impl_, protocol, ec);
  }

  void assign(const protocol_type& protocol, const native_handle_type& native_socket) {
    std::error_code ec;
    service_->assign(impl_, protocol, native_socket, ec);
    detail::throw_error(ec, "assign");
  }
  std::error_code assign(const protocol_type& protocol, const native_handle_type& native_socket,
                         std::error_code& ec) {
    return service_->assign(impl_, protocol, native_socket, ec);
  }

  [[nodiscard]] bool is_open() const noexcept { return service_->is_open(impl_); }

  void close() {
    std::error_code ec;
    service_->close(impl_, ec);
    detail::throw_error(ec, "close");
  }
  std::error_code close(std::error_code& ec) { return service_->close(impl_, ec); }

  // Gives up ownership of the descriptor; pending operations are aborted.
  native_handle_type release() {
    std::error_code ec;
    native_handle_type s = service_->release(impl_, ec);
    detail::throw_error(ec, "release");
    return s;
  }
  native_handle_type release(std::error_code& ec) { return service_->release(impl_, ec); }

  native_handle_type native_handle() { return service_->native_handle(impl_); }

  void cancel() {
    std::error_code ec;
    service_->cancel(impl_, ec);
    detail::throw_error(ec, "cancel");
  }
  std::error_code cancel(std::error_code& ec) { return service_->cancel(impl_, ec); }

  [[nodiscard]] bool at_mark() const {
    std::error_code ec;
    const bool b = service_->at_mark(impl_, ec);
    detail::throw_error(ec, "at_mark");
    return b;
  }
  bool at_mark(std::error_code& ec) const { return service_->at_mark(impl_, ec); }

  [[nodiscard]] std::size_t available() const {
    std::error_code ec;
    const std::size_t n = service_->available(impl_, ec);
    detail::throw_error(ec, "available");
    return n;
  }
  std::size_t available(std::error_code& ec) const { return service_->available(impl_, ec); }

  void bind(const endpoint_type& endpoint) {
    std::error_code ec;
    service_->bind(impl_, endpoint, ec);
    detail::throw_error(ec, "bind");
  }
  std::error_code bind(const endpoint_type& endpoint, std::error_code& ec) {
    return service_->bind(impl_, endpoint, ec);
  }

  // Connects, opening the socket first if needed.
  void connect(const endpoint_type& peer) {
    std::error_code ec;
    connect(peer, ec);
    detail::throw_error(ec, "connect");
  }
  std::error_code connect(const endpoint_type& peer, std::error_code& ec) {
    if (!is_open() && service_->open(impl_, peer.protocol(), ec)) return ec;
    return service_->connect(impl_, peer, ec);
  }

  // Completion signature: void(std::error_code).
  template <typename ConnectToken = default_completion_token_t<executor_type>>
  decltype(auto) async_connect(const endpoint_type& peer,
                               ConnectToken&& token = default_completion_token_t<executor_type>()) {
    std::error_code open_ec;
    if (!is_open()) service_->open(impl_, peer.protocol(), open_ec);
    return async_initiate<ConnectToken, void(std::error_code)>(initiate_async_connect(this), token,
                                                               peer, open_ec);
  }

  template <typename SettableSocketOption>
  void set_option(const SettableSocketOption& option) {
    std::error_code ec;
    service_->set_option(impl_, option, ec);
    detail::throw_error(ec, "set_option");
  }
  template <typename SettableSocketOption>
  std::error_code set_option(const SettableSocketOption& option, std::error_code& ec) {
    return service_->set_option(impl_, option, ec);
  }

  template <typename GettableSocketOption>
  void get_option(GettableSocketOption& option) const {
    std::error_code ec;
    service_->get_option(impl_, option, ec);
    detail::throw_error(ec, "get_option");
  }
  template <typename GettableSocketOption>
  std::error_code get_option(GettableSocketOption& option, std::error_code& ec) const {
    return service_->get_option(impl_, option, ec);
  }

  template <typename IoControlCommand>
  void io_control(IoControlCommand& command) {
    std::error_code ec;
    service_->io_control(impl_, command, ec);
    detail::throw_error(ec, "io_control");
  }
  template <typename IoControlCommand>
  std::error_code io_control(IoControlCommand& command, std::error_code& ec) {
    return service_->io_control(impl_, command, ec);
  }

  [[nodiscard]] bool non_blocking() const { return service_->non_blocking(impl_); }
  void non_blocking(bool mode) {
    std::error_code ec;
    service_->non_blocking(impl_, mode, ec);
    detail::throw_error(ec, "non_blocking");
  }
  std::error_code non_blocking(bool mode, std::error_code& ec) {
    return service_->non_blocking(impl_, mode, ec);
  }

  [[nodiscard]] bool native_non_blocking() const { return service_->native_non_blocking(impl_); }
  void native_non_blocking(bool mode) {
    std::error_code ec;
    service_->native_non_blocking(impl_, mode, ec);
    detail::throw_error(ec, "native_non_blocking");
  }
  std::error_code native_non_blocking(bool mode, std::error_code& ec) {
    return service_->native_non_blocking(impl_, mode, ec);
  }

  [[nodiscard]] endpoint_type local_endpoint() const {
    std::error_code ec;
    endpoint_type ep = service_->local_endpoint(impl_, ec);
    detail::throw_error(ec, "local_endpoint");
    return ep;
  }
  endpoint_type local_endpoint(std::error_code& ec) const {
    return service_->local_endpoint(impl_, ec);
  }

  [[nodiscard]] endpoint_type remote_endpoint() const {
    std::error_code ec;
    endpoint_type ep = service_->remote_endpoint(impl_, ec);
    detail::throw_error(ec, "remote_endpoint");
    return ep;
  }
  endpoint_type remote_endpoint(std::error_code& ec) const {
    return service_->remote_endpoint(impl_, ec);
  }

  void shutdown(shutdown_type what) {
    std::error_code ec;
    service_->shutdown(impl_, what, ec);
    detail::throw_error(ec, "shutdown");
  }
  std::error_code shutdown(shutdown_type what, std::error_code& ec) {
    return service_->shutdown(impl_, what, ec);
  }

  // Blocks until the socket is ready to read, to write, or has an error.
  void wait(wait_type w) {
    std::error_code ec;
    service_->wait(impl_, w, ec);
    detail::throw_error(ec, "wait");
  }
  std::error_code wait(wait_type w, std::error_code& ec) { return service_->wait(impl_, w, ec); }

  // Completion signature: void(std::error_code).
  template <typename WaitToken = default_completion_token_t<executor_type>>
  decltype(auto) async_wait(wait_type w,
                            WaitToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<WaitToken, void(std::error_code)>(initiate_async_wait(this), token, w);
  }

 protected:
  // Closes the socket; pending operations complete with operation_aborted.
  ~basic_socket() { service_->destroy(impl_); }

  template <typename, typename>
  friend class basic_socket;
  friend struct detail::socket_access;

  executor_type executor_;
  service_type* service_;
  typename service_type::implementation_type impl_;

 private:
  class initiate_async_connect {
   public:
    explicit initiate_async_connect(basic_socket* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename Handler>
    void operator()(Handler&& handler, const endpoint_type& peer,
                    const std::error_code& open_ec) const {
      if (open_ec) {
        // Could not open: deliver the error through the executor, never
        // inside the initiating function.
        rill::post(self_->executor_, detail::bind_handler(std::forward<Handler>(handler), open_ec));
        return;
      }
      self_->service_->async_connect(self_->impl_, peer, std::forward<Handler>(handler),
                                     self_->executor_);
    }

   private:
    basic_socket* self_;
  };

  class initiate_async_wait {
   public:
    explicit initiate_async_wait(basic_socket* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename Handler>
    void operator()(Handler&& handler, wait_type w) const {
      self_->service_->async_wait(self_->impl_, w, std::forward<Handler>(handler),
                                  self_->executor_);
    }

   private:
    basic_socket* self_;
  };
};

}  // namespace rill
