// rill/posix/basic_stream_descriptor.hpp - a stream-oriented POSIX descriptor.
#pragma once

#include <concepts>
#include <cstddef>
#include <system_error>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/posix/basic_descriptor.hpp>

namespace rill::posix {

// A pipe, terminal or other byte stream, as Asio's
// posix::basic_stream_descriptor: a SyncReadStream and AsyncReadStream (and
// the Write ones), so rill::read, rill::write, rill::async_read and
// rill::async_write work on it. read_some/write_some transfer at least one
// byte or fail; a read that finds the end of the stream (the writer closed
// the pipe, end of file) fails with error::eof. Transferring into or from
// empty buffers completes at once with 0 bytes.
template <typename Executor = any_io_executor>
class basic_stream_descriptor : public basic_descriptor<Executor> {
  using base = basic_descriptor<Executor>;

 public:
  using typename base::executor_type;
  using typename base::native_handle_type;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_stream_descriptor<OtherExecutor>;
  };

  // From an executor or an execution context, optionally taking ownership
  // of a native descriptor (as basic_descriptor).
  using base::base;

  basic_stream_descriptor(basic_stream_descriptor&&) noexcept = default;
  basic_stream_descriptor& operator=(basic_stream_descriptor&&) = default;

  // From the same kind of object with another executor type (as_default_on).
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_stream_descriptor(
      basic_stream_descriptor<OtherExecutor>&& other)
      : base(std::move(other)) {}
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_stream_descriptor&
  operator=(basic_stream_descriptor<OtherExecutor>&& other) {
    base::operator=(std::move(other));
    return *this;
  }
  ~basic_stream_descriptor() = default;

  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    std::error_code ec;
    const std::size_t n = this->service_->write_some(this->impl_, buffers, ec);
    detail::throw_error(ec, "write_some");
    return n;
  }
  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, std::error_code& ec) {
    return this->service_->write_some(this->impl_, buffers, ec);
  }

  // Completion signature: void(std::error_code, std::size_t).
  template <typename ConstBufferSequence, typename WriteToken>
  decltype(auto) async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return async_initiate<WriteToken, void(std::error_code, std::size_t)>(
        initiate_async_write_some(this), token, buffers);
  }

  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    std::error_code ec;
    const std::size_t n = this->service_->read_some(this->impl_, buffers, ec);
    detail::throw_error(ec, "read_some");
    return n;
  }
  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, std::error_code& ec) {
    return this->service_->read_some(this->impl_, buffers, ec);
  }

  // Completion signature: void(std::error_code, std::size_t).
  template <typename MutableBufferSequence, typename ReadToken>
  decltype(auto) async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return async_initiate<ReadToken, void(std::error_code, std::size_t)>(
        initiate_async_read_some(this), token, buffers);
  }

 private:
  class initiate_async_write_some {
   public:
    using executor_type = Executor;

    explicit initiate_async_write_some(basic_stream_descriptor* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename WriteHandler, typename ConstBufferSequence>
    void operator()(WriteHandler&& handler, const ConstBufferSequence& buffers) const {
      self_->service_->async_write_some(self_->impl_, buffers, std::forward<WriteHandler>(handler),
                                        self_->executor_);
    }

   private:
    basic_stream_descriptor* self_;
  };

  class initiate_async_read_some {
   public:
    using executor_type = Executor;

    explicit initiate_async_read_some(basic_stream_descriptor* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename ReadHandler, typename MutableBufferSequence>
    void operator()(ReadHandler&& handler, const MutableBufferSequence& buffers) const {
      self_->service_->async_read_some(self_->impl_, buffers, std::forward<ReadHandler>(handler),
                                       self_->executor_);
    }

   private:
    basic_stream_descriptor* self_;
  };
};

}  // namespace rill::posix
