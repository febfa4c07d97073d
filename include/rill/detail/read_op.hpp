// rill/detail/read_op.hpp - the loops behind rill::read and rill::async_read.
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
// Synchronous loops.

template <typename SyncReadStream, typename MutableBufferSequence, typename CompletionCondition>
std::size_t read_buffer_sequence(SyncReadStream& s, const MutableBufferSequence& buffers,
                                 CompletionCondition& condition, error_code& ec) {
  ec = error_code();
  consuming_buffers_t<mutable_buffer, MutableBufferSequence> rest(buffers);
  while (!rest.empty()) {
    const std::size_t max_size = check_completion(condition, ec, rest.total_consumed());
    if (max_size == 0) break;
    rest.consume(s.read_some(rest.prepare(max_size), ec));
  }
  return rest.total_consumed();
}

template <typename SyncReadStream, typename DynamicBufferIo, typename CompletionCondition>
std::size_t read_dynamic_buffer(SyncReadStream& s, DynamicBufferIo& b,
                                CompletionCondition& condition, error_code& ec) {
  ec = error_code();
  std::size_t total = 0;
  std::size_t next = dynamic_read_size(b, check_completion(condition, ec, total));
  while (next > 0) {
    const std::size_t n = s.read_some(b.prepare(next), ec);
    b.commit(n);
    total += n;
    next = dynamic_read_size(b, check_completion(condition, ec, total));
  }
  return total;
}

// ---------------------------------------------------------------------------
// async_read into a buffer sequence. Each step reads at most what the
// completion condition allows into the part of the buffers not yet filled.
// It completes when the condition says so, on an error (eof included, with
// the bytes read so far), or when the buffers are full.
template <typename AsyncReadStream, typename MutableBufferSequence, typename CompletionCondition,
          typename ReadHandler>
class read_op : public composed_op_base<ReadHandler> {
 public:
  template <typename C, typename H>
  read_op(AsyncReadStream& stream, const MutableBufferSequence& buffers, C&& condition, H&& handler)
      : composed_op_base<ReadHandler>(std::forward<H>(handler)),
        stream_(stream),
        buffers_(buffers),
        condition_(std::forward<C>(condition)) {}

  read_op(read_op&&) = default;
  read_op(const read_op&) = default;

  // start is 1 only for the call from the initiating function. That call
  // always starts a read, even one of 0 bytes, so that the handler is never
  // invoked inside the initiating function.
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
    // *this moves into the intermediate operation; nothing here touches it
    // afterwards.
    stream_.async_read_some(buffers_.prepare(max_size), std::move(*this));
  }

 private:
  AsyncReadStream& stream_;
  consuming_buffers_t<mutable_buffer, MutableBufferSequence> buffers_;
  [[no_unique_address]] CompletionCondition condition_;
};

// async_read into a dynamic buffer (either version, through its io
// wrapper). Each step appends to the buffer; it completes when the condition
// says so, on an error, or when the buffer reaches max_size().
template <typename AsyncReadStream, typename DynamicBufferIo, typename CompletionCondition,
          typename ReadHandler>
class read_dynbuf_op : public composed_op_base<ReadHandler> {
 public:
  template <typename C, typename H>
  read_dynbuf_op(AsyncReadStream& stream, DynamicBufferIo buffers, C&& condition, H&& handler)
      : composed_op_base<ReadHandler>(std::forward<H>(handler)),
        stream_(stream),
        buffers_(std::move(buffers)),
        condition_(std::forward<C>(condition)) {}

  read_dynbuf_op(read_dynbuf_op&&) = default;
  read_dynbuf_op(const read_dynbuf_op&) = default;

  void operator()(error_code ec, std::size_t bytes_transferred, int start = 0) {
    if (start == 0) {
      total_transferred_ += bytes_transferred;
      buffers_.commit(bytes_transferred);
    }
    const std::size_t next =
        dynamic_read_size(buffers_, check_completion(condition_, ec, total_transferred_));
    if (start == 0 && ((!ec && bytes_transferred == 0) || next == 0)) {
      return this->complete(ec, total_transferred_);
    }
    if (start == 0 && this->cancelled() != cancellation_type::none) {
      return this->complete(error_code(error::operation_aborted), total_transferred_);
    }
    stream_.async_read_some(buffers_.prepare(next), std::move(*this));
  }

 private:
  AsyncReadStream& stream_;
  DynamicBufferIo buffers_;
  [[no_unique_address]] CompletionCondition condition_;
  std::size_t total_transferred_ = 0;
};

// The initiations: they build the operation around the handler that the
// completion token produced, and take its first step.
template <typename AsyncReadStream>
class initiate_async_read {
 public:
  using executor_type = typename AsyncReadStream::executor_type;

  explicit initiate_async_read(AsyncReadStream& stream) noexcept : stream_(stream) {}

  [[nodiscard]] executor_type get_executor() const { return stream_.get_executor(); }

  template <typename ReadHandler, typename MutableBufferSequence, typename CompletionCondition>
  void operator()(ReadHandler&& handler, const MutableBufferSequence& buffers,
                  CompletionCondition&& condition) const {
    read_op<AsyncReadStream, MutableBufferSequence, std::decay_t<CompletionCondition>,
            std::decay_t<ReadHandler>>(stream_, buffers,
                                       std::forward<CompletionCondition>(condition),
                                       std::forward<ReadHandler>(handler))(error_code(), 0, 1);
  }

 private:
  AsyncReadStream& stream_;
};

template <typename AsyncReadStream>
class initiate_async_read_dynbuf {
 public:
  using executor_type = typename AsyncReadStream::executor_type;

  explicit initiate_async_read_dynbuf(AsyncReadStream& stream) noexcept : stream_(stream) {}

  [[nodiscard]] executor_type get_executor() const { return stream_.get_executor(); }

  template <typename ReadHandler, typename DynamicBufferIo, typename CompletionCondition>
  void operator()(ReadHandler&& handler, DynamicBufferIo&& buffers,
                  CompletionCondition&& condition) const {
    read_dynbuf_op<AsyncReadStream, std::decay_t<DynamicBufferIo>,
                   std::decay_t<CompletionCondition>, std::decay_t<ReadHandler>>(
        stream_, std::forward<DynamicBufferIo>(buffers),
        std::forward<CompletionCondition>(condition),
        std::forward<ReadHandler>(handler))(error_code(), 0, 1);
  }

 private:
  AsyncReadStream& stream_;
};

}  // namespace rill::detail
