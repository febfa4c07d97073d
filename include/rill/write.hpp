// rill/write.hpp - write a certain amount of data to a stream.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/basic_streambuf.hpp>
#include <rill/buffer.hpp>
#include <rill/completion_condition.hpp>
#include <rill/detail/dynamic_buffer_io.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/detail/write_op.hpp>
#include <rill/error_code.hpp>

namespace rill {

// rill::write writes to a stream (anything with write_some, as a socket)
// with as many write_some calls as it takes, until all the data is written,
// an error occurs, or the completion condition (transfer_all() by default,
// see completion_condition.hpp) says it is done. It returns the number of
// bytes written, also when an error ends it. Writing a dynamic buffer (v1,
// v2, or a basic_streambuf) writes its readable bytes and then consumes
// those written. The throwing overloads throw rill::system_error; the others
// set ec.

// ---------------------------------------------------------------------------
// A buffer sequence.

template <typename SyncWriteStream, const_buffer_sequence ConstBufferSequence,
          detail::completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& s, const ConstBufferSequence& buffers,
                  CompletionCondition completion_condition, error_code& ec) {
  return detail::write_buffer_sequence(s, buffers, completion_condition, ec);
}

template <typename SyncWriteStream, const_buffer_sequence ConstBufferSequence,
          detail::completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& s, const ConstBufferSequence& buffers,
                  CompletionCondition completion_condition) {
  error_code ec;
  const std::size_t n = detail::write_buffer_sequence(s, buffers, completion_condition, ec);
  detail::throw_error(ec, "write");
  return n;
}

template <typename SyncWriteStream, const_buffer_sequence ConstBufferSequence>
std::size_t write(SyncWriteStream& s, const ConstBufferSequence& buffers, error_code& ec) {
  return rill::write(s, buffers, transfer_all(), ec);
}

template <typename SyncWriteStream, const_buffer_sequence ConstBufferSequence>
std::size_t write(SyncWriteStream& s, const ConstBufferSequence& buffers) {
  return rill::write(s, buffers, transfer_all());
}

// ---------------------------------------------------------------------------
// A DynamicBuffer_v1: its input sequence, data().

template <typename SyncWriteStream, typename DynamicBuffer_v1,
          detail::completion_condition CompletionCondition>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t write(
    SyncWriteStream& s, DynamicBuffer_v1&& buffers, CompletionCondition completion_condition,
    error_code& ec) {
  detail::dynamic_buffer_v1_io<std::decay_t<DynamicBuffer_v1>> b(
      std::forward<DynamicBuffer_v1>(buffers));
  const std::size_t n = rill::write(s, b.readable(), std::move(completion_condition), ec);
  b.consume(n);
  return n;
}

template <typename SyncWriteStream, typename DynamicBuffer_v1,
          detail::completion_condition CompletionCondition>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t write(
    SyncWriteStream& s, DynamicBuffer_v1&& buffers, CompletionCondition completion_condition) {
  error_code ec;
  const std::size_t n =
      rill::write(s, std::forward<DynamicBuffer_v1>(buffers), std::move(completion_condition), ec);
  detail::throw_error(ec, "write");
  return n;
}

template <typename SyncWriteStream, typename DynamicBuffer_v1>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t write(
    SyncWriteStream& s, DynamicBuffer_v1&& buffers, error_code& ec) {
  return rill::write(s, std::forward<DynamicBuffer_v1>(buffers), transfer_all(), ec);
}

template <typename SyncWriteStream, typename DynamicBuffer_v1>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t write(
    SyncWriteStream& s, DynamicBuffer_v1&& buffers) {
  return rill::write(s, std::forward<DynamicBuffer_v1>(buffers), transfer_all());
}

// ---------------------------------------------------------------------------
// A basic_streambuf: its input sequence.

template <typename SyncWriteStream, typename Allocator,
          detail::completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& s, basic_streambuf<Allocator>& b,
                  CompletionCondition completion_condition, error_code& ec) {
  return rill::write(s, basic_streambuf_ref<Allocator>(b), std::move(completion_condition), ec);
}

template <typename SyncWriteStream, typename Allocator,
          detail::completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& s, basic_streambuf<Allocator>& b,
                  CompletionCondition completion_condition) {
  return rill::write(s, basic_streambuf_ref<Allocator>(b), std::move(completion_condition));
}

template <typename SyncWriteStream, typename Allocator>
std::size_t write(SyncWriteStream& s, basic_streambuf<Allocator>& b, error_code& ec) {
  return rill::write(s, basic_streambuf_ref<Allocator>(b), ec);
}

template <typename SyncWriteStream, typename Allocator>
std::size_t write(SyncWriteStream& s, basic_streambuf<Allocator>& b) {
  return rill::write(s, basic_streambuf_ref<Allocator>(b));
}

// ---------------------------------------------------------------------------
// A DynamicBuffer_v2: the whole underlying container.

template <typename SyncWriteStream, dynamic_buffer_v2 DynamicBuffer_v2,
          detail::completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& s, DynamicBuffer_v2 buffers,
                  CompletionCondition completion_condition, error_code& ec) {
  detail::dynamic_buffer_v2_io<DynamicBuffer_v2> b(std::move(buffers));
  const std::size_t n = rill::write(s, b.readable(), std::move(completion_condition), ec);
  b.consume(n);
  return n;
}

template <typename SyncWriteStream, dynamic_buffer_v2 DynamicBuffer_v2,
          detail::completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& s, DynamicBuffer_v2 buffers,
                  CompletionCondition completion_condition) {
  error_code ec;
  const std::size_t n = rill::write(s, std::move(buffers), std::move(completion_condition), ec);
  detail::throw_error(ec, "write");
  return n;
}

template <typename SyncWriteStream, dynamic_buffer_v2 DynamicBuffer_v2>
std::size_t write(SyncWriteStream& s, DynamicBuffer_v2 buffers, error_code& ec) {
  return rill::write(s, std::move(buffers), transfer_all(), ec);
}

template <typename SyncWriteStream, dynamic_buffer_v2 DynamicBuffer_v2>
std::size_t write(SyncWriteStream& s, DynamicBuffer_v2 buffers) {
  return rill::write(s, std::move(buffers), transfer_all());
}

// ---------------------------------------------------------------------------
// async_write: the same, with async_write_some calls. Completion signature:
//   void(error_code ec, std::size_t bytes_transferred)
// where bytes_transferred counts every byte written, also when ec is set.
//
// The stream (anything with get_executor() and async_write_some) and the
// data must outlive the operation, and the program must not start other
// writes on the stream until it completes. The first async_write_some is
// started inside this call; the handler is never invoked inside it, not even
// when there is nothing to write. Every intermediate operation takes its
// memory from the handler's associated allocator and frees it before the
// next step, so a write of any number of steps holds one block at a time;
// the handler runs on its associated executor. Cancelling the stream's
// pending write (close(), cancel()) completes the operation with
// error::operation_aborted and the bytes written so far.

template <typename AsyncWriteStream, const_buffer_sequence ConstBufferSequence,
          detail::completion_condition CompletionCondition, typename WriteToken>
decltype(auto) async_write(AsyncWriteStream& s, const ConstBufferSequence& buffers,
                           CompletionCondition completion_condition, WriteToken&& token) {
  return async_initiate<WriteToken, void(error_code, std::size_t)>(
      detail::initiate_async_write<AsyncWriteStream>(s), token, buffers,
      std::move(completion_condition));
}

template <
    typename AsyncWriteStream, const_buffer_sequence ConstBufferSequence,
    typename WriteToken = default_completion_token_t<typename AsyncWriteStream::executor_type>>
decltype(auto) async_write(
    AsyncWriteStream& s, const ConstBufferSequence& buffers,
    WriteToken&& token = default_completion_token_t<typename AsyncWriteStream::executor_type>()) {
  return async_initiate<WriteToken, void(error_code, std::size_t)>(
      detail::initiate_async_write<AsyncWriteStream>(s), token, buffers, transfer_all());
}

template <typename AsyncWriteStream, typename DynamicBuffer_v1,
          detail::completion_condition CompletionCondition, typename WriteToken>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1>
decltype(auto) async_write(AsyncWriteStream& s, DynamicBuffer_v1&& buffers,
                           CompletionCondition completion_condition, WriteToken&& token) {
  return async_initiate<WriteToken, void(error_code, std::size_t)>(
      detail::initiate_async_write_dynbuf<AsyncWriteStream>(s), token,
      detail::dynamic_buffer_v1_io<std::decay_t<DynamicBuffer_v1>>(
          std::forward<DynamicBuffer_v1>(buffers)),
      std::move(completion_condition));
}

template <typename AsyncWriteStream, typename DynamicBuffer_v1,
          typename WriteToken =
              default_completion_token_t<typename AsyncWriteStream::executor_type>>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1>
decltype(auto) async_write(
    AsyncWriteStream& s, DynamicBuffer_v1&& buffers,
    WriteToken&& token = default_completion_token_t<typename AsyncWriteStream::executor_type>()) {
  return rill::async_write(s, std::forward<DynamicBuffer_v1>(buffers), transfer_all(),
                           std::forward<WriteToken>(token));
}

// The streambuf must outlive the operation.
template <typename AsyncWriteStream, typename Allocator,
          detail::completion_condition CompletionCondition, typename WriteToken>
decltype(auto) async_write(AsyncWriteStream& s, basic_streambuf<Allocator>& b,
                           CompletionCondition completion_condition, WriteToken&& token) {
  return rill::async_write(s, basic_streambuf_ref<Allocator>(b), std::move(completion_condition),
                           std::forward<WriteToken>(token));
}

template <
    typename AsyncWriteStream, typename Allocator,
    typename WriteToken = default_completion_token_t<typename AsyncWriteStream::executor_type>>
decltype(auto) async_write(
    AsyncWriteStream& s, basic_streambuf<Allocator>& b,
    WriteToken&& token = default_completion_token_t<typename AsyncWriteStream::executor_type>()) {
  return rill::async_write(s, basic_streambuf_ref<Allocator>(b), transfer_all(),
                           std::forward<WriteToken>(token));
}

// The dynamic buffer's underlying storage must outlive the operation.
template <typename AsyncWriteStream, dynamic_buffer_v2 DynamicBuffer_v2,
          detail::completion_condition CompletionCondition, typename WriteToken>
decltype(auto) async_write(AsyncWriteStream& s, DynamicBuffer_v2 buffers,
                           CompletionCondition completion_condition, WriteToken&& token) {
  return async_initiate<WriteToken, void(error_code, std::size_t)>(
      detail::initiate_async_write_dynbuf<AsyncWriteStream>(s), token,
      detail::dynamic_buffer_v2_io<DynamicBuffer_v2>(std::move(buffers)),
      std::move(completion_condition));
}

template <
    typename AsyncWriteStream, dynamic_buffer_v2 DynamicBuffer_v2,
    typename WriteToken = default_completion_token_t<typename AsyncWriteStream::executor_type>>
decltype(auto) async_write(
    AsyncWriteStream& s, DynamicBuffer_v2 buffers,
    WriteToken&& token = default_completion_token_t<typename AsyncWriteStream::executor_type>()) {
  return rill::async_write(s, std::move(buffers), transfer_all(), std::forward<WriteToken>(token));
}

}  // namespace rill
