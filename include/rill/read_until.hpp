// rill/read_until.hpp - read into a dynamic buffer until it holds a delimiter.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/basic_streambuf.hpp>
#include <rill/buffer.hpp>
#include <rill/detail/dynamic_buffer_io.hpp>
#include <rill/detail/read_until_op.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error_code.hpp>

namespace rill {

// rill::read_until reads from a stream into a dynamic buffer (v1, v2, or a
// basic_streambuf) until the buffer's readable bytes contain the delimiter, a
// char or a string. If they already do, it reads nothing. It returns the
// number of bytes up to and including the first delimiter; the read may
// bring more, which stays in the buffer after those bytes for the next call
// (consume() the returned count to drop the line). On failure it returns 0:
// error::not_found when the buffer reached max_size() without the
// delimiter, or the read's error (error::eof, ...), in which case what was
// read is still in the buffer. Each read asks for between 512 and 65536
// bytes. The throwing overloads throw rill::system_error; the others set ec.
//
// Regular expressions and match conditions (Asio's other two delimiter
// kinds) are not provided.

// ---------------------------------------------------------------------------
// DynamicBuffer_v1 (taken by forwarding reference and copied).

template <typename SyncReadStream, typename DynamicBuffer_v1>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t read_until(
    SyncReadStream& s, DynamicBuffer_v1&& buffers, char delim, error_code& ec) {
  detail::dynamic_buffer_v1_io<std::decay_t<DynamicBuffer_v1>> b(
      std::forward<DynamicBuffer_v1>(buffers));
  return detail::read_until_dynamic_buffer(s, b, detail::char_delimiter(delim), ec);
}

template <typename SyncReadStream, typename DynamicBuffer_v1>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t read_until(
    SyncReadStream& s, DynamicBuffer_v1&& buffers, char delim) {
  error_code ec;
  const std::size_t n = rill::read_until(s, std::forward<DynamicBuffer_v1>(buffers), delim, ec);
  detail::throw_error(ec, "read_until");
  return n;
}

template <typename SyncReadStream, typename DynamicBuffer_v1>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t read_until(
    SyncReadStream& s, DynamicBuffer_v1&& buffers, std::string_view delim, error_code& ec) {
  detail::dynamic_buffer_v1_io<std::decay_t<DynamicBuffer_v1>> b(
      std::forward<DynamicBuffer_v1>(buffers));
  return detail::read_until_dynamic_buffer(s, b, detail::string_delimiter<std::string_view>(delim),
                                           ec);
}

template <typename SyncReadStream, typename DynamicBuffer_v1>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1> std::size_t read_until(
    SyncReadStream& s, DynamicBuffer_v1&& buffers, std::string_view delim) {
  error_code ec;
  const std::size_t n = rill::read_until(s, std::forward<DynamicBuffer_v1>(buffers), delim, ec);
  detail::throw_error(ec, "read_until");
  return n;
}

// ---------------------------------------------------------------------------
// basic_streambuf.

template <typename SyncReadStream, typename Allocator>
std::size_t read_until(SyncReadStream& s, basic_streambuf<Allocator>& b, char delim,
                       error_code& ec) {
  return rill::read_until(s, basic_streambuf_ref<Allocator>(b), delim, ec);
}

template <typename SyncReadStream, typename Allocator>
std::size_t read_until(SyncReadStream& s, basic_streambuf<Allocator>& b, char delim) {
  return rill::read_until(s, basic_streambuf_ref<Allocator>(b), delim);
}

template <typename SyncReadStream, typename Allocator>
std::size_t read_until(SyncReadStream& s, basic_streambuf<Allocator>& b, std::string_view delim,
                       error_code& ec) {
  return rill::read_until(s, basic_streambuf_ref<Allocator>(b), delim, ec);
}

template <typename SyncReadStream, typename Allocator>
std::size_t read_until(SyncReadStream& s, basic_streambuf<Allocator>& b, std::string_view delim) {
  return rill::read_until(s, basic_streambuf_ref<Allocator>(b), delim);
}

// ---------------------------------------------------------------------------
// DynamicBuffer_v2 (taken by value).

template <typename SyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2>
std::size_t read_until(SyncReadStream& s, DynamicBuffer_v2 buffers, char delim, error_code& ec) {
  detail::dynamic_buffer_v2_io<DynamicBuffer_v2> b(std::move(buffers));
  return detail::read_until_dynamic_buffer(s, b, detail::char_delimiter(delim), ec);
}

template <typename SyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2>
std::size_t read_until(SyncReadStream& s, DynamicBuffer_v2 buffers, char delim) {
  error_code ec;
  const std::size_t n = rill::read_until(s, std::move(buffers), delim, ec);
  detail::throw_error(ec, "read_until");
  return n;
}

template <typename SyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2>
std::size_t read_until(SyncReadStream& s, DynamicBuffer_v2 buffers, std::string_view delim,
                       error_code& ec) {
  detail::dynamic_buffer_v2_io<DynamicBuffer_v2> b(std::move(buffers));
  return detail::read_until_dynamic_buffer(s, b, detail::string_delimiter<std::string_view>(delim),
                                           ec);
}

template <typename SyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2>
std::size_t read_until(SyncReadStream& s, DynamicBuffer_v2 buffers, std::string_view delim) {
  error_code ec;
  const std::size_t n = rill::read_until(s, std::move(buffers), delim, ec);
  detail::throw_error(ec, "read_until");
  return n;
}

// ---------------------------------------------------------------------------
// async_read_until: the same, with async_read_some calls. Completion
// signature:
//   void(error_code ec, std::size_t bytes_transferred)
// where bytes_transferred is the number of bytes up to and including the
// delimiter, or 0 on failure.
//
// The stream and the dynamic buffer's storage must outlive the operation;
// a string delimiter is copied. The handler is never invoked inside this
// call, not even when the delimiter is already in the buffer. Every
// intermediate operation takes its memory from the handler's associated
// allocator and frees it before the next step; the handler runs on its
// associated executor. A string delimiter longer than std::string's inline
// capacity (15 characters with libstdc++) costs one heap allocation at
// initiation.

template <typename AsyncReadStream, typename DynamicBuffer_v1,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1>
decltype(auto) async_read_until(
    AsyncReadStream& s, DynamicBuffer_v1&& buffers, char delim,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_until<AsyncReadStream>(s), token,
      detail::dynamic_buffer_v1_io<std::decay_t<DynamicBuffer_v1>>(
          std::forward<DynamicBuffer_v1>(buffers)),
      detail::char_delimiter(delim));
}

template <typename AsyncReadStream, typename DynamicBuffer_v1,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
requires detail::dynamic_buffer_v1_only<DynamicBuffer_v1>
decltype(auto) async_read_until(
    AsyncReadStream& s, DynamicBuffer_v1&& buffers, std::string_view delim,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_until<AsyncReadStream>(s), token,
      detail::dynamic_buffer_v1_io<std::decay_t<DynamicBuffer_v1>>(
          std::forward<DynamicBuffer_v1>(buffers)),
      detail::string_delimiter<std::string>(delim));
}

// The streambuf must outlive the operation.
template <typename AsyncReadStream, typename Allocator,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
decltype(auto) async_read_until(
    AsyncReadStream& s, basic_streambuf<Allocator>& b, char delim,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return rill::async_read_until(s, basic_streambuf_ref<Allocator>(b), delim,
                                std::forward<ReadToken>(token));
}

template <typename AsyncReadStream, typename Allocator,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
decltype(auto) async_read_until(
    AsyncReadStream& s, basic_streambuf<Allocator>& b, std::string_view delim,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return rill::async_read_until(s, basic_streambuf_ref<Allocator>(b), delim,
                                std::forward<ReadToken>(token));
}

template <typename AsyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
decltype(auto) async_read_until(
    AsyncReadStream& s, DynamicBuffer_v2 buffers, char delim,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_until<AsyncReadStream>(s), token,
      detail::dynamic_buffer_v2_io<DynamicBuffer_v2>(std::move(buffers)),
      detail::char_delimiter(delim));
}

template <typename AsyncReadStream, dynamic_buffer_v2 DynamicBuffer_v2,
          typename ReadToken = default_completion_token_t<typename AsyncReadStream::executor_type>>
decltype(auto) async_read_until(
    AsyncReadStream& s, DynamicBuffer_v2 buffers, std::string_view delim,
    ReadToken&& token = default_completion_token_t<typename AsyncReadStream::executor_type>()) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_until<AsyncReadStream>(s), token,
      detail::dynamic_buffer_v2_io<DynamicBuffer_v2>(std::move(buffers)),
      detail::string_delimiter<std::string>(delim));
}

}  // namespace rill
