// rill/basic_socket_acceptor.hpp - accepting stream connections.
#pragma once

#include <concepts>
#include <system_error>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/basic_socket.hpp>
#include <rill/detail/reactive_socket_service.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>
#include <rill/execution_context.hpp>
#include <rill/io_context.hpp>
#include <rill/socket_base.hpp>

namespace rill {

// As Asio's basic_socket_acceptor. Accepted connections come either into a
// socket the caller supplies (which must be closed) or back as a new socket.
// Each asynchronous accept takes its memory from the handler's associated
// allocator; close() and cancel() complete pending accepts with
// error::operation_aborted.
template <typename Protocol, typename Executor = any_io_executor>
class basic_socket_acceptor : public socket_base {
  using service_type = detail::reactive_socket_service<Protocol>;

 public:
  using executor_type = Executor;
  using native_handle_type = typename service_type::native_handle_type;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_socket_acceptor<Protocol, OtherExecutor>;
  };

  explicit basic_socket_acceptor(const executor_type& ex)
      : executor_(ex), service_(&use_service<service_type>(ex.context())) {
    service_->construct(impl_);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context>
  explicit basic_socket_acceptor(ExecutionContext& ctx)
      : basic_socket_acceptor(executor_type(ctx.get_executor())) {}

  basic_socket_acceptor(const executor_type& ex, const protocol_type& protocol)
      : basic_socket_acceptor(ex) {
    open(protocol);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_socket_acceptor(
      ExecutionContext& ctx, const protocol_type& protocol)
      : basic_socket_acceptor(executor_type(ctx.get_executor()), protocol) {}

  // Opens, optionally sets reuse_address, binds and listens, as Asio does.
  basic_socket_acceptor(const executor_type& ex, const endpoint_type& endpoint,
                        bool reuse_addr = true)
      : basic_socket_acceptor(ex) {
    open(endpoint.protocol());
    if (reuse_addr) set_option(socket_base::reuse_address(true));
    bind(endpoint);
    listen();
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_socket_acceptor(
      ExecutionContext& ctx, const endpoint_type& endpoint, bool reuse_addr = true)
      : basic_socket_acceptor(executor_type(ctx.get_executor()), endpoint, reuse_addr) {}

  basic_socket_acceptor(const executor_type& ex, const protocol_type& protocol,
                        const native_handle_type& native_acceptor)
      : basic_socket_acceptor(ex) {
    assign(protocol, native_acceptor);
  }

  basic_socket_acceptor(basic_socket_acceptor&& other) noexcept
      : executor_(other.executor_), service_(other.service_) {
    service_->move_construct(impl_, other.impl_);
  }

  basic_socket_acceptor& operator=(basic_socket_acceptor&& other) {
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
  requires std::constructible_from<Executor, const OtherExecutor&> basic_socket_acceptor(
      basic_socket_acceptor<Protocol, OtherExecutor>&& other)
      : executor_(other.executor_), service_(other.service_) {
    service_->move_construct(impl_, other.impl_);
  }

  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_socket_acceptor& operator=(
      basic_socket_acceptor<Protocol, OtherExecutor>&& other) {
    service_->move_assign(impl_, *other.service_, other.impl_);
    executor_ = other.executor_;
    service_ = other.service_;
    return *this;
  }

  basic_socket_acceptor(const basic_socket_acceptor&) = delete;
  basic_socket_acceptor& operator=(const basic_socket_acceptor&) = delete;

  ~basic_socket_acceptor() { service_->destroy(impl_); }

  [[nodiscard]] executor_type get_executor() noexcept { return executor_; }

  void open(const protocol_type& protocol = protocol_type()) {
    std::error_code ec;
    service_->open(impl_, protocol, ec);
    detail::throw_error(ec, "open");
  }
  std::error_code open(const protocol_type& protocol, std::error_code& ec) {
    return service_->open(impl_, protocol, ec);
  }

  void assign(const protocol_type& protocol, const native_handle_type& native_acceptor) {
    std::error_code ec;
    service_->assign(impl_, protocol, native_acceptor, ec);
    detail::throw_error(ec, "assign");
  }
  std::error_code assign(const protocol_type& protocol, const native_handle_type& native_acceptor,
                         std::error_code& ec) {
    return service_->assign(impl_, protocol, native_acceptor, ec);
  }

  [[nodiscard]] bool is_open() const noexcept { return service_->is_open(impl_); }

  void bind(const endpoint_type& endpoint) {
    std::error_code ec;
    service_->bind(impl_, endpoint, ec);
    detail::throw_error(ec, "bind");
  }
  std::error_code bind(const endpoint_type& endpoint, std::error_code& ec) {
    return service_->bind(impl_, endpoint, ec);
  }

  void listen(int backlog = socket_base::max_listen_connections) {
    std::error_code ec;
    service_->listen(impl_, backlog, ec);
    detail::throw_error(ec, "listen");
  }
  std::error_code listen(int backlog, std::error_code& ec) {
    return service_->listen(impl_, backlog, ec);
  }

  void close() {
    std::error_code ec;
    service_->close(impl_, ec);
    detail::throw_error(ec, "close");
  }
  std::error_code close(std::error_code& ec) { return service_->close(impl_, ec); }

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

  // ---- accept into a socket the caller owns ----
  template <typename Protocol1, typename Executor1>
  void accept(basic_socket<Protocol1, Executor1>& peer) {
    std::error_code ec;
    service_->accept(impl_, peer, static_cast<endpoint_type*>(nullptr), ec);
    detail::throw_error(ec, "accept");
  }
  template <typename Protocol1, typename Executor1>
  std::error_code accept(basic_socket<Protocol1, Executor1>& peer, std::error_code& ec) {
    return service_->accept(impl_, peer, static_cast<endpoint_type*>(nullptr), ec);
  }
  template <typename Executor1>
  void accept(basic_socket<protocol_type, Executor1>& peer, endpoint_type& peer_endpoint) {
    std::error_code ec;
    service_->accept(impl_, peer, &peer_endpoint, ec);
    detail::throw_error(ec, "accept");
  }
  template <typename Executor1>
  std::error_code accept(basic_socket<protocol_type, Executor1>& peer, endpoint_type& peer_endpoint,
                         std::error_code& ec) {
    return service_->accept(impl_, peer, &peer_endpoint, ec);
  }

  // Completion signature: void(std::error_code).
  template <typename Protocol1, typename Executor1,
            typename AcceptToken = default_completion_token_t<executor_type>>
  decltype(auto) async_accept(basic_socket<Protocol1, Executor1>& peer,
                              AcceptToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<AcceptToken, void(std::error_code)>(
        initiate_async_accept(this), token, &peer, static_cast<endpoint_type*>(nullptr));
  }
  // peer_endpoint must stay valid until the handler runs.
  template <typename Executor1, typename AcceptToken = default_completion_token_t<executor_type>>
  decltype(auto) async_accept(basic_socket<protocol_type, Executor1>& peer,
                              endpoint_type& peer_endpoint,
                              AcceptToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<AcceptToken, void(std::error_code)>(initiate_async_accept(this), token,
                                                              &peer, &peer_endpoint);
  }

  // ---- accept returning a new socket ----
  using accepted_socket_type =
      typename Protocol::socket::template rebind_executor<executor_type>::other;

  accepted_socket_type accept() {
    std::error_code ec;
    accepted_socket_type peer(executor_);
    service_->accept(impl_, peer, static_cast<endpoint_type*>(nullptr), ec);
    detail::throw_error(ec, "accept");
    return peer;
  }
  accepted_socket_type accept(std::error_code& ec) {
    accepted_socket_type peer(executor_);
    service_->accept(impl_, peer, static_cast<endpoint_type*>(nullptr), ec);
    return peer;
  }
  accepted_socket_type accept(endpoint_type& peer_endpoint) {
    std::error_code ec;
    accepted_socket_type peer(executor_);
    service_->accept(impl_, peer, &peer_endpoint, ec);
    detail::throw_error(ec, "accept");
    return peer;
  }
  accepted_socket_type accept(endpoint_type& peer_endpoint, std::error_code& ec) {
    accepted_socket_type peer(executor_);
    service_->accept(impl_, peer, &peer_endpoint, ec);
    return peer;
  }

  // The new socket uses the acceptor's executor. Completion signature:
  // void(std::error_code, socket).
  template <typename MoveAcceptToken = default_completion_token_t<executor_type>>
  requires(!std::derived_from<std::decay_t<MoveAcceptToken>, execution_context>) decltype(auto)
      async_accept(MoveAcceptToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<MoveAcceptToken, void(std::error_code, accepted_socket_type)>(
        initiate_async_move_accept<accepted_socket_type>(this), token, executor_,
        static_cast<endpoint_type*>(nullptr));
  }

  template <typename MoveAcceptToken = default_completion_token_t<executor_type>>
  decltype(auto) async_accept(
      endpoint_type& peer_endpoint,
      MoveAcceptToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<MoveAcceptToken, void(std::error_code, accepted_socket_type)>(
        initiate_async_move_accept<accepted_socket_type>(this), token, executor_, &peer_endpoint);
  }

  // The new socket belongs to another context / executor.
  template <typename ExecutionContext,
            typename MoveAcceptToken = default_completion_token_t<executor_type>>
  requires std::derived_from<ExecutionContext, execution_context>
  decltype(auto) async_accept(
      ExecutionContext& ctx,
      MoveAcceptToken&& token = default_completion_token_t<executor_type>()) {
    using socket_type = typename Protocol::socket::template rebind_executor<
        typename ExecutionContext::executor_type>::other;
    return async_initiate<MoveAcceptToken, void(std::error_code, socket_type)>(
        initiate_async_move_accept<socket_type>(this), token, ctx.get_executor(),
        static_cast<endpoint_type*>(nullptr));
  }

 private:
  class initiate_async_wait {
   public:
    explicit initiate_async_wait(basic_socket_acceptor* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }
    template <typename Handler>
    void operator()(Handler&& handler, wait_type w) const {
      self_->service_->async_wait(self_->impl_, w, std::forward<Handler>(handler),
                                  self_->executor_);
    }

   private:
    basic_socket_acceptor* self_;
  };

  class initiate_async_accept {
   public:
    explicit initiate_async_accept(basic_socket_acceptor* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }
    template <typename Handler, typename Socket>
    void operator()(Handler&& handler, Socket* peer, endpoint_type* peer_endpoint) const {
      self_->service_->async_accept(self_->impl_, *peer, peer_endpoint,
                                    std::forward<Handler>(handler), self_->executor_);
    }

   private:
    basic_socket_acceptor* self_;
  };

  template <typename Socket>
  class initiate_async_move_accept {
   public:
    explicit initiate_async_move_accept(basic_socket_acceptor* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }
    template <typename Handler, typename PeerExecutor>
    void operator()(Handler&& handler, const PeerExecutor& peer_ex,
                    endpoint_type* peer_endpoint) const {
      self_->service_->template async_move_accept<Socket>(
          self_->impl_, typename Socket::executor_type(peer_ex), peer_endpoint,
          std::forward<Handler>(handler), self_->executor_);
    }

   private:
    basic_socket_acceptor* self_;
  };

  template <typename, typename>
  friend class basic_socket_acceptor;

  executor_type executor_;
  service_type* service_;
  typename service_type::implementation_type impl_;
};

}  // namespace rill
