// rill/basic_datagram_socket.hpp - message-oriented sockets (UDP, Unix datagram).
#pragma once

#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/basic_socket.hpp>
#include <rill/buffer.hpp>
#include <rill/detail/throw_error.hpp>

namespace rill {

// As Asio's basic_datagram_socket: send/receive on a connected socket,
// send_to/receive_from otherwise. A datagram larger than the buffers is
// truncated by the system, as with recvmsg.
template <typename Protocol, typename Executor = any_io_executor>
class basic_datagram_socket : public basic_socket<Protocol, Executor> {
  using base = basic_socket<Protocol, Executor>;

 public:
  using typename base::endpoint_type;
  using typename base::executor_type;
  using typename base::native_handle_type;
  using typename base::protocol_type;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_datagram_socket<Protocol, OtherExecutor>;
  };

  using base::base;

  basic_datagram_socket(basic_datagram_socket&&) noexcept = default;
  basic_datagram_socket& operator=(basic_datagram_socket&&) = default;

  // From the same kind of socket with another executor type (as_default_on).
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_datagram_socket(
      basic_datagram_socket<Protocol, OtherExecutor>&& other)
      : base(std::move(other)) {}
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_datagram_socket& operator=(
      basic_datagram_socket<Protocol, OtherExecutor>&& other) {
    base::operator=(std::move(other));
    return *this;
  }
  ~basic_datagram_socket() = default;

  template <typename ConstBufferSequence>
  std::size_t send(const ConstBufferSequence& buffers, socket_base::message_flags flags = 0) {
    std::error_code ec;
    const std::size_t n = this->service_->send(this->impl_, buffers, flags, ec);
    detail::throw_error(ec, "send");
    return n;
  }
  template <typename ConstBufferSequence>
  std::size_t send(const ConstBufferSequence& buffers, socket_base::message_flags flags,
                   std::error_code& ec) {
    return this->service_->send(this->impl_, buffers, flags, ec);
  }

  template <typename ConstBufferSequence,
            typename WriteToken = default_completion_token_t<executor_type>>
  decltype(auto) async_send(const ConstBufferSequence& buffers,
                            WriteToken&& token = default_completion_token_t<executor_type>()) {
    return async_send(buffers, 0, std::forward<WriteToken>(token));
  }
  // Completion signature: void(std::error_code, std::size_t).
  template <typename ConstBufferSequence,
            typename WriteToken = default_completion_token_t<executor_type>>
  decltype(auto) async_send(const ConstBufferSequence& buffers, socket_base::message_flags flags,
                            WriteToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<WriteToken, void(std::error_code, std::size_t)>(initiate_async_send(this),
                                                                          token, buffers, flags);
  }

  template <typename ConstBufferSequence>
  std::size_t send_to(const ConstBufferSequence& buffers, const endpoint_type& destination,
                      socket_base::message_flags flags = 0) {
    std::error_code ec;
    const std::size_t n = this->service_->send_to(this->impl_, buffers, destination, flags, ec);
    detail::throw_error(ec, "send_to");
    return n;
  }
  template <typename ConstBufferSequence>
  std::size_t send_to(const ConstBufferSequence& buffers, const endpoint_type& destination,
                      socket_base::message_flags flags, std::error_code& ec) {
    return this->service_->send_to(this->impl_, buffers, destination, flags, ec);
  }

  template <typename ConstBufferSequence,
            typename WriteToken = default_completion_token_t<executor_type>>
  decltype(auto) async_send_to(const ConstBufferSequence& buffers, const endpoint_type& destination,
                               WriteToken&& token = default_completion_token_t<executor_type>()) {
    return async_send_to(buffers, destination, 0, std::forward<WriteToken>(token));
  }
  // Completion signature: void(std::error_code, std::size_t).
  template <typename ConstBufferSequence,
            typename WriteToken = default_completion_token_t<executor_type>>
  decltype(auto) async_send_to(const ConstBufferSequence& buffers, const endpoint_type& destination,
                               socket_base::message_flags flags,
                               WriteToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<WriteToken, void(std::error_code, std::size_t)>(
        initiate_async_send_to(this), token, buffers, destination, flags);
  }

  template <typename MutableBufferSequence>
  std::size_t receive(const MutableBufferSequence& buffers, socket_base::message_flags flags = 0) {
    std::error_code ec;
    const std::size_t n = this->service_->receive(this->impl_, buffers, flags, ec);
    detail::throw_error(ec, "receive");
    return n;
  }
  template <typename MutableBufferSequence>
  std::size_t receive(const MutableBufferSequence& buffers, socket_base::message_flags flags,
                      std::error_code& ec) {
    return this->service_->receive(this->impl_, buffers, flags, ec);
  }

  template <typename MutableBufferSequence,
            typename ReadToken = default_completion_token_t<executor_type>>
  decltype(auto) async_receive(const MutableBufferSequence& buffers,
                               ReadToken&& token = default_completion_token_t<executor_type>()) {
    return async_receive(buffers, 0, std::forward<ReadToken>(token));
  }
  // Completion signature: void(std::error_code, std::size_t).
  template <typename MutableBufferSequence,
            typename ReadToken = default_completion_token_t<executor_type>>
  decltype(auto) async_receive(const MutableBufferSequence& buffers,
                               socket_base::message_flags flags,
                               ReadToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<ReadToken, void(std::error_code, std::size_t)>(
        initiate_async_receive(this), token, buffers, flags);
  }

  template <typename MutableBufferSequence>
  std::size_t receive_from(const MutableBufferSequence& buffers, endpoint_type& sender,
                           socket_base::message_flags flags = 0) {
    std::error_code ec;
    const std::size_t n = this->service_->receive_from(this->impl_, buffers, sender, flags, ec);
    detail::throw_error(ec, "receive_from");
    return n;
  }
  template <typename MutableBufferSequence>
  std::size_t receive_from(const MutableBufferSequence& buffers, endpoint_type& sender,
                           socket_base::message_flags flags, std::error_code& ec) {
    return this->service_->receive_from(this->impl_, buffers, sender, flags, ec);
  }

  template <typename MutableBufferSequence,
            typename ReadToken = default_completion_token_t<executor_type>>
  decltype(auto) async_receive_from(
      const MutableBufferSequence& buffers, endpoint_type& sender,
      ReadToken&& token = default_completion_token_t<executor_type>()) {
    return async_receive_from(buffers, sender, 0, std::forward<ReadToken>(token));
  }
  // Completion signature: void(std::error_code, std::size_t). sender must
  // stay valid until the handler runs.
  template <typename MutableBufferSequence,
            typename ReadToken = default_completion_token_t<executor_type>>
  decltype(auto) async_receive_from(
      const MutableBufferSequence& buffers, endpoint_type& sender, socket_base::message_flags flags,
      ReadToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<ReadToken, void(std::error_code, std::size_t)>(
        initiate_async_receive_from(this), token, buffers, &sender, flags);
  }

 private:
  class initiator_base {
   public:
    explicit initiator_base(basic_datagram_socket* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

   protected:
    basic_datagram_socket* self_;
  };

  class initiate_async_send : public initiator_base {
   public:
    using initiator_base::initiator_base;
    template <typename Handler, typename ConstBufferSequence>
    void operator()(Handler&& handler, const ConstBufferSequence& buffers,
                    socket_base::message_flags flags) const {
      this->self_->service_->async_send(this->self_->impl_, buffers, flags,
                                        std::forward<Handler>(handler), this->self_->executor_);
    }
  };

  class initiate_async_send_to : public initiator_base {
   public:
    using initiator_base::initiator_base;
    template <typename Handler, typename ConstBufferSequence>
    void operator()(Handler&& handler, const ConstBufferSequence& buffers,
                    const endpoint_type& destination, socket_base::message_flags flags) const {
      this->self_->service_->async_send_to(this->self_->impl_, buffers, destination, flags,
                                           std::forward<Handler>(handler), this->self_->executor_);
    }
  };

  class initiate_async_receive : public initiator_base {
   public:
    using initiator_base::initiator_base;
    template <typename Handler, typename MutableBufferSequence>
    void operator()(Handler&& handler, const MutableBufferSequence& buffers,
                    socket_base::message_flags flags) const {
      this->self_->service_->async_receive(this->self_->impl_, buffers, flags,
                                           std::forward<Handler>(handler), this->self_->executor_);
    }
  };

  class initiate_async_receive_from : public initiator_base {
   public:
    using initiator_base::initiator_base;
    template <typename Handler, typename MutableBufferSequence>
    void operator()(Handler&& handler, const MutableBufferSequence& buffers, endpoint_type* sender,
                    socket_base::message_flags flags) const {
      this->self_->service_->async_receive_from(this->self_->impl_, buffers, *sender, flags,
                                                std::forward<Handler>(handler),
                                                this->self_->executor_);
    }
  };
};

}  // namespace rill
