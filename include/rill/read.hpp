// rill/read.hpp - read a certain amount of data from a stream.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/basic_streambuf.hpp>
#include <rill/buffer.hpp>
#include <rill/completion_condition.hpp>
#include <rill/detail/dynamic_buffer_io.hpp>
#include <rill/detail/read_op.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error_code.hpp>

namespace rill {

// rill::read reads from a stream (anything with read_some, as a socket)
// with as many read_some calls as it takes:
//  - into a buffer sequence, until the buffers are full, an error occurs,
//    or the completion condition (transfer_all() by default, see
//    completion_condition.hpp) says it is done;
//  - into a dynamic buffer (v1, v2, or a basic_streambuf), until the buffer
//    reaches max_size(), an error occurs, or the condition says it is done.
//    Each read asks for at least 512 bytes (more if the buffer has free
//    capacity) and at most what the condition allows.
// It returns the number of bytes read, also when an error ends it: reading
// until end of stream reports error::eof together with everything read.
// The throwing overloads throw rill::system_error; the others set ec.

// ---------------------------------------------------------------------------
// Into a buffer sequence.

template <typename SyncReadStream, mutable_buffer_sequence MutableBufferSequence,
          detail::completion_condition CompletionCondition>
std::size_t read(SyncReadStream& s, const MutableBufferSequence& buffers,
                 CompletionCondition completion_condition, error_code& ec) {
  return detail::read_buffer_sequence(s, buffers, completion_condition, ec);
}

template <typename SyncReadStream, mutable_buffer_sequence MutableBufferSequence,
          detail::completion_condition CompletionCondition>
std::size_t read(SyncReadStream& s, const MutableBufferSequence& buffers,
                 CompletionCondition completion_condition) {
  error_code ec;
  const std::size_t n = detail::read_buffer_sequence(s, buffers, completion_condition, ec);
  detail::throw_error(ec, "read");
  return n;
}

template <typename SyncReadStream, mutable_buffer_sequence MutableBufferSequence>
std::size_t read(SyncReadStream& s, const MutableBufferSequence& buffers, error_code& ec) {
  return rill::read(s, buffers, transfer_all(), ec);
}

template <typename SyncReadStream, mutable_buffer_sequence MutableBufferSequence>
std::size_t read(SyncReadStream& s, const MutableBufferSequence& buffers) {
  return rill::read(s, buffers, transfer_all());
}

// ---------------------------------------------------------------------------
// Into a DynamicBuffer_v1. The buffer is taken by forwarding reference and
// copied (or moved); copies of a dynamic buffer refer to the same storage.

template <typename SyncReadStream, typename DynamicBuffer_v1,
          detail::completion_condition CompletionCondition>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t read(
    SyncReadStream& s, DynamicBuffer_v1&& buffers, CompletionCondition completion_condition,
    error_code& ec) {
  detail::dynamic_buffer_v1_io<std::decay_t<DynamicBuffer_v1>> b(
      std::forward<DynamicBuffer_v1>(buffers));
  return detail::read_dynamic_buffer(s, b, completion_condition, ec);
}

template <typename SyncReadStream, typename DynamicBuffer_v1,
          detail::completion_condition CompletionCondition>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t read(
    SyncReadStream& s, DynamicBuffer_v1&& buffers, CompletionCondition completion_condition) {
  error_code ec;
  const std::size_t n =
      rill::read(s, std::forward<DynamicBuffer_v1>(buffers), std::move(completion_condition), ec);
  detail::throw_error(ec, "read");
  return n;
}

template <typename SyncReadStream, typename DynamicBuffer_v1>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t read(
    SyncReadStream& s, DynamicBuffer_v1&& buffers, error_code& ec) {
  return rill::read(s, std::forward<DynamicBuffer_v1>(buffers), transfer_all(), ec);
}

template <typename SyncReadStream, typename DynamicBuffer_v1>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t read(
    SyncReadStream& s, DynamicBuffer_v1&& buffers) {
  return rill::read(s, std::forward<DynamicBuffer_v1>(buffers), transfer_all());
}

// ---------------------------------------------------------------------------
// Into a basic_streambuf (as a DynamicBuffer_v1: read data is committed to
// its input sequence).

template <typename SyncReadStream, typename Allocator,
          detail::completion_condition CompletionCondition>
std::size_t read(SyncReadStream& s, basic_streambuf<Allocator>& b,
                 CompletionCondition completion_condition, error_code& ec) {
  return rill::read(s, basic_streambuf_ref<Allocator>(b), std::move(completion_condition), ec);
}

template <typename SyncReadStream, typename Allocator,
          detail::completion_condition CompletionCondition>
std::size_t read(SyncReadStream& s, basic_streambuf<Allocator>& b,
                 CompletionCondition completion_condition) {
  return rill::read(s, basic_streambuf_ref<Allocator>(b), std::move(completion_condition));
}

template <typename SyncReadStream, typename Allocator>
std::size_t read(SyncReadStream& s, basic_streambuf<Allocator>& b, error_code& ec) {
  return rill::read(s, basic_streambuf_ref<Allocator>(b), ec);
}

template <typename SyncReadStream, typename Allocator>
std::size_t read(SyncReadStream& s, basic_streambuf<Allocator>& b) {
  return rill::read(s, basic_streambuf_ref<Allocator>(b));
}

// ---------------------------------------------------------------------------
// Into a DynamicBuffer_v2 (dynamic_buffer(string), dynamic_buffer(vector),
// ...), taken by value: read data is appended to the underlying container.

template <typename SyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2,
          detail::completion_condition CompletionCondition>
std::size_t read(SyncReadStream& s, DynamicBuffer_v2 buffers,
                 CompletionCondition completion_condition, error_code& ec) {
  detail::dynamic_buffer_v2_io<DynamicBuffer_v2> b(std::move(buffers));
  return detail::read_dynamic_buffer(s, b, completion_condition, ec);
}

template <typename SyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2,
          detail::completion_condition CompletionCondition>
std::size_t read(SyncReadStream& s, DynamicBuffer_v2 buffers,
                 CompletionCondition completion_condition) {
  error_code ec;
  const std::size_t n = rill::read(s, std::move(buffers), std::move(completion_condition), ec);
  detail::throw_error(ec, "read");
  return n;
}

template <typename SyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2>
std::size_t read(SyncReadStream& s, DynamicBuffer_v2 buffers, error_code& ec) {
  return rill::read(s, std::move(buffers), transfer_all(), ec);
}

template <typename SyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2>
std::size_t read(SyncReadStream& s, DynamicBuffer_v2 buffers) {
  return rill::read(s, std::move(buffers), transfer_all());
}

// ---------------------------------------------------------------------------
// async_read: the same, with async_read_some calls. Completion signature:
//   void(error_code ec, std::size_t bytes_transferred)
// where bytes_transferred counts every byte read, also when ec is set.
//
// The stream (anything with get_executor() and async_read_some) and the
// buffers must outlive the operation, and the program must not start other
// reads on the stream until it completes. The first async_read_some is
// started inside this call; the handler is never invoked inside it, not even
// when nothing needs to be read. Every intermediate operation takes its
// memory from the handler's associated allocator and frees it before the
// next step, so a read of any number of steps holds one block at a time;
// the handler runs on its associated executor. The operation is cancelled
// by cancelling the stream's pending read (close(), cancel()), which
// completes it with error::operation_aborted and the bytes read so far.

template <typename AsyncReadStream, mutable_buffer_sequence MutableBufferSequence,
          detail::completion_condition CompletionCondition, typename ReadToken>
decltype(auto) async_read(AsyncReadStream& s, const MutableBufferSequence& buffers,
                          CompletionCondition completion_condition, ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read<AsyncReadStream>(s), token, buffers,
      std::move(completion_condition));
}

template <typename AsyncReadStream, mutable_buffer_sequence MutableBufferSequence,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
decltype(auto) async_read(
    AsyncReadStream& s, const MutableBufferSequence& buffers,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read<AsyncReadStream>(s), token, buffers, transfer_all());
}

template <typename AsyncReadStream, typename DynamicBuffer_v1,
          detail::completion_condition CompletionCondition, typename ReadToken>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1>
decltype(auto) async_read(AsyncReadStream& s, DynamicBuffer_v1&& buffers,
                          CompletionCondition completion_condition, ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_dynbuf<AsyncReadStream>(s), token,
      detail::dynamic_buffer_v1_io<std::decay_t<DynamicBuffer_v1>>(
          std::forward<DynamicBuffer_v1>(buffers)),
      std::move(completion_condition));
}

template <typename AsyncReadStream, typename DynamicBuffer_v1,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1>
decltype(auto) async_read(
    AsyncReadStream& s, DynamicBuffer_v1&& buffers,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return rill::async_read(s, std::forward<DynamicBuffer_v1>(buffers), transfer_all(),
                          std::forward<ReadToken>(token));
}

// The streambuf must outlive the operation.
template <typename AsyncReadStream, typename Allocator,
          detail::completion_condition CompletionCondition, typename ReadToken>
decltype(auto) async_read(AsyncReadStream& s, basic_streambuf<Allocator>& b,
                          CompletionCondition completion_condition, ReadToken&& token) {
  return rill::async_read(s, basic_streambuf_ref<Allocator>(b), std::move(completion_condition),
                          std::forward<ReadToken>(token));
}

template <typename AsyncReadStream, typename Allocator,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
decltype(auto) async_read(
    AsyncReadStream& s, basic_streambuf<Allocator>& b,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return rill::async_read(s, basic_streambuf_ref<Allocator>(b), transfer_all(),
                          std::forward<ReadToken>(token));
}

// The dynamic buffer's underlying storage must outlive the operation.
template <typename AsyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2,
          detail::completion_condition CompletionCondition, typename ReadToken>
decltype(auto) async_read(AsyncReadStream& s, DynamicBuffer_v2 buffers,
                          CompletionCondition completion_condition, ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_dynbuf<AsyncReadStream>(s), token,
      detail::dynamic_buffer_v2_io<DynamicBuffer_v2>(std::move(buffers)),
      std::move(completion_condition));
}

template <typename AsyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
decltype(auto) async_read(
    AsyncReadStream& s, DynamicBuffer_v2 buffers,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return rill::async_read(s, std::move(buffers), transfer_all(), std::forward<ReadToken>(token));
}

}  // namespace rill
