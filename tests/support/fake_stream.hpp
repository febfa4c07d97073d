// tests/support/fake_stream.hpp - an in-memory stream for composed operations.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <rill/async_result.hpp>
#include <rill/buffer.hpp>
#include <rill/detail/bind_handler.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>
#include <rill/error_code.hpp>
#include <rill/io_context.hpp>
#include <rill/post.hpp>

namespace rill_test {

// A SyncReadStream / AsyncReadStream / SyncWriteStream / AsyncWriteStream
// over memory. Reads deliver the input string in chunks of at most
// read_chunk bytes, then fail with error::eof (a read into no space gives 0
// bytes and no error, as a socket does). Writes accept at most write_chunk
// bytes per call, append them to written() and record each call.
//
// The asynchronous operations transfer the data at once and complete
// through rill::post on the stream's executor, so the handler's memory comes
// from its associated allocator and the handler never runs inside the
// initiating call. on_async_start, if set, runs right after each
// asynchronous operation has been queued: a test can look at allocator
// counts while exactly one intermediate operation is pending.
class fake_stream {
 public:
  using executor_type = rill::io_context::executor_type;

  struct write_call {
    std::size_t buffers;    // buffers passed
    std::size_t requested;  // bytes passed
    std::size_t accepted;   // bytes taken
  };

  fake_stream(const executor_type& ex, std::string input, std::size_t read_chunk,
              std::size_t write_chunk = static_cast<std::size_t>(-1))
      : executor_(ex),
        input_(std::move(input)),
        read_chunk_(read_chunk),
        write_chunk_(write_chunk) {}

  [[nodiscard]] executor_type get_executor() const noexcept { return executor_; }

  // Input not yet read.
  [[nodiscard]] std::size_t remaining() const noexcept { return input_.size() - read_pos_; }
  [[nodiscard]] const std::string& written() const noexcept { return written_; }
  [[nodiscard]] const std::vector<write_call>& write_calls() const noexcept { return write_calls_; }
  // read_some and async_read_some calls so far.
  [[nodiscard]] int read_calls() const noexcept { return read_calls_; }
  // Space requested by the last read call.
  [[nodiscard]] std::size_t last_read_request() const noexcept { return last_read_request_; }

  std::function<void()> on_async_start;

  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, rill::error_code& ec) {
    ++read_calls_;
    last_read_request_ = rill::buffer_size(buffers);
    if (last_read_request_ == 0) {
      ec = rill::error_code();
      return 0;
    }
    if (remaining() == 0) {
      ec = rill::error::eof;
      return 0;
    }
    const std::size_t n = rill::buffer_copy(
        buffers, rill::buffer(input_.data() + read_pos_, std::min(remaining(), read_chunk_)));
    read_pos_ += n;
    ec = rill::error_code();
    return n;
  }

  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    rill::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    rill::detail::throw_error(ec, "read_some");
    return n;
  }

  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, rill::error_code& ec) {
    std::size_t count = 0;
    std::size_t requested = 0;
    for (auto it = rill::buffer_sequence_begin(buffers); it != rill::buffer_sequence_end(buffers);
         ++it) {
      ++count;
      requested += rill::const_buffer(*it).size();
    }
    std::size_t accepted = 0;
    for (auto it = rill::buffer_sequence_begin(buffers);
         it != rill::buffer_sequence_end(buffers) && accepted < write_chunk_; ++it) {
      const rill::const_buffer b(*it);
      const std::size_t n = std::min(b.size(), write_chunk_ - accepted);
      written_.append(static_cast<const char*>(b.data()), n);
      accepted += n;
    }
    write_calls_.push_back({count, requested, accepted});
    ec = rill::error_code();
    return accepted;
  }

  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    rill::error_code ec;
    const std::size_t n = write_some(buffers, ec);
    rill::detail::throw_error(ec, "write_some");
    return n;
  }

  template <typename MutableBufferSequence, typename ReadToken>
  decltype(auto) async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return rill::async_initiate<ReadToken, void(rill::error_code, std::size_t)>(initiate_read{this},
                                                                                token, buffers);
  }

  template <typename ConstBufferSequence, typename WriteToken>
  decltype(auto) async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return rill::async_initiate<WriteToken, void(rill::error_code, std::size_t)>(
        initiate_write{this}, token, buffers);
  }

 private:
  template <typename Handler>
  void complete_later(Handler&& handler, const rill::error_code& ec, std::size_t n) {
    rill::post(executor_, rill::detail::bind_handler(std::forward<Handler>(handler), ec, n));
    if (on_async_start) on_async_start();
  }

  struct initiate_read {
    fake_stream* self;
    [[nodiscard]] executor_type get_executor() const noexcept { return self->executor_; }
    template <typename Handler, typename MutableBufferSequence>
    void operator()(Handler&& handler, const MutableBufferSequence& buffers) const {
      rill::error_code ec;
      const std::size_t n = self->read_some(buffers, ec);
      self->complete_later(std::forward<Handler>(handler), ec, n);
    }
  };

  struct initiate_write {
    fake_stream* self;
    [[nodiscard]] executor_type get_executor() const noexcept { return self->executor_; }
    template <typename Handler, typename ConstBufferSequence>
    void operator()(Handler&& handler, const ConstBufferSequence& buffers) const {
      rill::error_code ec;
      const std::size_t n = self->write_some(buffers, ec);
      self->complete_later(std::forward<Handler>(handler), ec, n);
    }
  };

  executor_type executor_;
  std::string input_;
  std::size_t read_pos_ = 0;
  std::size_t read_chunk_;
  std::size_t write_chunk_;
  std::string written_;
  std::vector<write_call> write_calls_;
  int read_calls_ = 0;
  std::size_t last_read_request_ = 0;
};

}  // namespace rill_test
