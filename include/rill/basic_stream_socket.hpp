// rill/basic_stream_socket.hpp - a connected, reliable byte stream (TCP, Unix stream).
#pragma once

#include <concepts>
#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/basic_socket.hpp>
#include <rill/buffer.hpp>
#include <rill/detail/throw_error.hpp>

namespace rill {

// As Asio's basic_stream_socket. read_some/write_some transfer at least one
// byte or fail; use rill::read/rill::write to transfer everything. A read
// that finds the peer's end of stream fails with error::eof.
template <typename Protocol, typename Executor = any_io_executor>
class basic_stream_socket : public basic_socket<Protocol, Executor> {
  using base = basic_socket<Protocol, Executor>;

 public:
  using typename base::endpoint_type;
  using typename base::executor_type;
  using typename base::native_handle_type;
  using typename base::protocol_type;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_stream_socket<Protocol, OtherExecutor>;
  };

  using base::base;

  basic_stream_socket(basic_stream_socket&&) noexcept = default;
  basic_stream_socket& operator=(basic_stream_socket&&) = default;

  // From the same kind of socket with another executor type (as_default_on).
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_stream_socket(
      basic_stream_socket<Protocol, OtherExecutor>&& other)
      : base(std::move(other)) {}
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_stream_socket& operator=(
      basic_stream_socket<Protocol, OtherExecutor>&& other) {
    base::operator=(std::move(other));
    return *this;
  }
  ~basic_stream_socket() = default;

  template <typename ConstBufferSequence>
  std::size_t send(const ConstBufferSequence& buffers) {
    return send(buffers, 0);
  }
  template <typename ConstBufferSequence>
  std::size_t send(const ConstBufferSequence& buffers, socket_base::message_flags flags) {
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

  // Completion signature: void(std::error_code, std::size_t).
  template <typename ConstBufferSequence,
            typename WriteToken = default_completion_token_t<executor_type>>
  decltype(auto) async_send(const ConstBufferSequence& buffers,
                            WriteToken&& token = default_completion_token_t<executor_type>()) {
    return async_send(buffers, 0, std::forward<WriteToken>(token));
  }
  template <typename ConstBufferSequence,
            typename WriteToken = default_completion_token_t<executor_type>>
  decltype(auto) async_send(const ConstBufferSequence& buffers, socket_base::message_flags flags,
                            WriteToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<WriteToken, void(std::error_code, std::size_t)>(initiate_async_send(this),
                                                                          token, buffers, flags);
  }

  template <typename MutableBufferSequence>
  std::size_t receive(const MutableBufferSequence& buffers) {
    return receive(buffers, 0);
  }
  template <typename MutableBufferSequence>
  std::size_t receive(const MutableBufferSequence& buffers, socket_base::message_flags flags) {
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

  // Completion signature: void(std::error_code, std::size_t).
  template <typename MutableBufferSequence,
            typename ReadToken = default_completion_token_t<executor_type>>
  decltype(auto) async_receive(const MutableBufferSequence& buffers,
                               ReadToken&& token = default_completion_token_t<executor_type>()) {
    return async_receive(buffers, 0, std::forward<ReadToken>(token));
  }
  template <typename MutableBufferSequence,
            typename ReadToken = default_completion_token_t<executor_type>>
  decltype(auto) async_receive(const MutableBufferSequence& buffers,
                               socket_base::message_flags flags,
                               ReadToken&& token = default_completion_token_t<executor_type>()) {
    return async_initiate<ReadToken, void(std::error_code, std::size_t)>(
        initiate_async_receive(this), token, buffers, flags);
  }

  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    return send(buffers, 0);
  }
  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, std::error_code& ec) {
    return send(buffers, 0, ec);
  }

  // Completion signature: void(std::error_code, std::size_t).
  template <typename ConstBufferSequence,
            typename WriteToken = default_completion_token_t<executor_type>>
  decltype(auto) async_write_some(
      const ConstBufferSequence& buffers,
      WriteToken&& token = default_completion_token_t<executor_type>()) {
    return async_send(buffers, 0, std::forward<WriteToken>(token));
  }

  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    return receive(buffers, 0);
  }
  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, std::error_code& ec) {
    return receive(buffers, 0, ec);
  }

  // Completion signature: void(std::error_code, std::size_t).
  template <typename MutableBufferSequence,
            typename ReadToken = default_completion_token_t<executor_type>>
  decltype(auto) async_read_some(const MutableBufferSequence& buffers,
                                 ReadToken&& token = default_completion_token_t<executor_type>()) {
    return async_receive(buffers, 0, std::forward<ReadToken>(token));
  }

 private:
  class initiate_async_send {
   public:
    explicit initiate_async_send(basic_stream_socket* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename Handler, typename ConstBufferSequence>
    void operator()(Handler&& handler, const ConstBufferSequence& buffers,
                    socket_base::message_flags flags) const {
      self_->service_->async_send(self_->impl_, buffers, flags, std::forward<Handler>(handler),
                                  self_->executor_);
    }

   private:
    basic_stream_socket* self_;
  };

  class initiate_async_receive {
   public:
    explicit initiate_async_receive(basic_stream_socket* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename Handler, typename MutableBufferSequence>
    void operator()(Handler&& handler, const MutableBufferSequence& buffers,
                    socket_base::message_flags flags) const {
      self_->service_->async_receive(self_->impl_, buffers, flags, std::forward<Handler>(handler),
                                     self_->executor_);
    }

   private:
    basic_stream_socket* self_;
  };
};

}  // namespace rill
