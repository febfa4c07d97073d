// rill/detail/write_op.hpp - the loops behind rill::write and rill::async_write.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <rill/buffer.hpp>
#include <rill/completion_condition.hpp>
#include <rill/detail/composed_op.hpp>
#include <rill/detail/consuming_buffers.hpp>
#include <rill/detail/dynamic_buffer_io.hpp>
#include <rill/error.hpp>
#include <rill/error_code.hpp>

namespace rill::detail {

// ---------------------------------------------------------------------------
// Synchronous loop.

template <typename SyncWriteStream, typename ConstBufferSequence, typename CompletionCondition>
std::size_t write_buffer_sequence(SyncWriteStream& s, const ConstBufferSequence& buffers,
                                  CompletionCondition& condition, error_code& ec) {
  ec = error_code();
  consuming_buffers_t<const_buffer, ConstBufferSequence> rest(buffers);
  while (!rest.empty()) {
    const std::size_t max_size = check_completion(condition, ec, rest.total_consumed());
    if (max_size == 0) break;
    rest.consume(s.write_some(rest.prepare(max_size), ec));
  }
  return rest.total_consumed();
}

// ---------------------------------------------------------------------------
// async_write of a buffer sequence: each step writes at most what the
// completion condition allows from the part not yet written. It completes
// when everything is written, on an error, or when the condition says so.
template <typename AsyncWriteStream, typename ConstBufferSequence, typename CompletionCondition,
          typename WriteHandler>
class write_op : public composed_op_base<WriteHandler> {
 public:
  template <typename C, typename H>
  write_op(AsyncWriteStream& stream, const ConstBufferSequence& buffers, C&& condition, H&& handler)
      : composed_op_base<WriteHandler>(std::forward<H>(handler)),
        stream_(stream),
        buffers_(buffers),
        condition_(std::forward<C>(condition)) {}

  write_op(write_op&&) = default;
  write_op(const write_op&) = default;

  // start is 1 only for the call from the initiating function, which always
  // starts a write (of 0 bytes if need be): the handler must not run inside
  // the initiating function.
  void operator()(error_code ec, std::size_t bytes_transferred, int start = 0) {
    std::size_t max_size = 0;
    if (start != 0) {
      max_size = check_completion(condition_, ec, 0);
    } else {
      buffers_.consume(bytes_transferred);
      if ((!ec && bytes_transferred == 0) || buffers_.empty()) {
        return this->complete(ec, buffers_.total_consumed());
      }
      max_size = check_completion(condition_, ec, buffers_.total_consumed());
      if (max_size == 0) return this->complete(ec, buffers_.total_consumed());
      // Cancellation requested after the last step had already completed.
      if (this->cancelled() != cancellation_type::none) {
        return this->complete(error_code(error::operation_aborted), buffers_.total_consumed());
      }
    }
    stream_.async_write_some(buffers_.prepare(max_size), std::move(*this));
  }

 private:
  AsyncWriteStream& stream_;
  consuming_buffers_t<const_buffer, ConstBufferSequence> buffers_;
  [[no_unique_address]] CompletionCondition condition_;
};

template <typename AsyncWriteStream, typename ConstBufferSequence, typename CompletionCondition,
          typename WriteHandler>
void start_write_op(AsyncWriteStream& stream, const ConstBufferSequence& buffers,
                    CompletionCondition&& condition, WriteHandler&& handler) {
  write_op<AsyncWriteStream, ConstBufferSequence, std::decay_t<CompletionCondition>,
           std::decay_t<WriteHandler>>(stream, buffers,
                                       std::forward<CompletionCondition>(condition),
                                       std::forward<WriteHandler>(handler))(error_code(), 0, 1);
}

// async_write of a dynamic buffer (either version): an async_write of its
// readable bytes, whose handler is this operation; on completion the bytes
// written are consumed from the buffer.
template <typename AsyncWriteStream, typename DynamicBufferIo, typename CompletionCondition,
          typename WriteHandler>
class write_dynbuf_op : public composed_op_base<WriteHandler> {
 public:
  template <typename C, typename H>
  write_dynbuf_op(AsyncWriteStream& stream, DynamicBufferIo buffers, C&& condition, H&& handler)
      : composed_op_base<WriteHandler>(std::forward<H>(handler)),
        stream_(stream),
        buffers_(std::move(buffers)),
        condition_(std::forward<C>(condition)) {}

  write_dynbuf_op(write_dynbuf_op&&) = default;
  write_dynbuf_op(const write_dynbuf_op&) = default;

  void operator()(const error_code& ec, std::size_t bytes_transferred, int start = 0) {
    if (start != 0) {
      // The inner operation takes the condition and then this operation: the
      // condition is moved out first, as *this is moved as a whole.
      CompletionCondition condition(std::move(condition_));
      start_write_op(stream_, buffers_.readable(), std::move(condition), std::move(*this));
      return;
    }
    buffers_.consume(bytes_transferred);
    this->complete(ec, bytes_transferred);
  }

 private:
  AsyncWriteStream& stream_;
  DynamicBufferIo buffers_;
  [[no_unique_address]] CompletionCondition condition_;
};

template <typename AsyncWriteStream>
class initiate_async_write {
 public:
  using executor_type = typename AsyncWriteStream::executor_type;

  explicit initiate_async_write(AsyncWriteStream& stream) noexcept : stream_(stream) {}

  [[nodiscard]] executor_type get_executor() const { return stream_.get_executor(); }

  template <typename WriteHandler, typename ConstBufferSequence, typename CompletionCondition>
  void operator()(WriteHandler&& handler, const ConstBufferSequence& buffers,
                  CompletionCondition&& condition) const {
    start_write_op(stream_, buffers, std::forward<CompletionCondition>(condition),
                   std::forward<WriteHandler>(handler));
  }

 private:
  AsyncWriteStream& stream_;
};

template <typename AsyncWriteStream>
class initiate_async_write_dynbuf {
 public:
  using executor_type = typename AsyncWriteStream::executor_type;

  explicit initiate_async_write_dynbuf(AsyncWriteStream& stream) noexcept : stream_(stream) {}

  [[nodiscard]] executor_type get_executor() const { return stream_.get_executor(); }

  template <typename WriteHandler, typename DynamicBufferIo, typename CompletionCondition>
  void operator()(WriteHandler&& handler, DynamicBufferIo&& buffers,
                  CompletionCondition&& condition) const {
    write_dynbuf_op<AsyncWriteStream, std::decay_t<DynamicBufferIo>,
                    std::decay_t<CompletionCondition>, std::decay_t<WriteHandler>>(
        stream_, std::forward<DynamicBufferIo>(buffers),
        std::forward<CompletionCondition>(condition),
        std::forward<WriteHandler>(handler))(error_code(), 0, 1);
  }

 private:
  AsyncWriteStream& stream_;
};

}  // namespace rill::detail
