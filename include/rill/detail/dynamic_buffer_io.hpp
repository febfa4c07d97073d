// rill/detail/dynamic_buffer_io.hpp - one interface over both dynamic buffer
// versions, for the composed operations.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <rill/buffer.hpp>

namespace rill::detail {

// What the overloads taking a DynamicBuffer_v1 accept: as in Asio, a type
// that is also a DynamicBuffer_v2 (dynamic_string_buffer, ...) goes to the
// v2 overloads instead.
template <typename T>
concept dynamic_buffer_v1_only =
    dynamic_buffer_v1<std::decay_t<T>> && !dynamic_buffer_v2<std::decay_t<T>>;

// read, write and read_until only need to: look at the readable bytes,
// append up to n bytes from a read, and drop bytes from the front. These two
// wrappers spell that for DynamicBuffer_v1 and DynamicBuffer_v2, so that each
// operation is written once. Each holds the dynamic buffer by value (a
// dynamic buffer is a small view; the operations own their copy, as in
// Asio).
//
//   readable()     the bytes read and not yet consumed
//   prepare(n)     n bytes of room for the next read
//   commit(n)      keeps n of the bytes just prepared, drops the rest
//   consume(n)     drops n bytes from the front

template <typename DynamicBuffer>
class dynamic_buffer_v1_io {
 public:
  explicit dynamic_buffer_v1_io(DynamicBuffer buffer) : buffer_(std::move(buffer)) {}

  [[nodiscard]] std::size_t size() const { return buffer_.size(); }
  [[nodiscard]] std::size_t capacity() const { return buffer_.capacity(); }
  [[nodiscard]] std::size_t max_size() const { return buffer_.max_size(); }

  [[nodiscard]] auto readable() const { return buffer_.data(); }
  [[nodiscard]] auto prepare(std::size_t n) { return buffer_.prepare(n); }
  void commit(std::size_t n) { buffer_.commit(n); }
  void consume(std::size_t n) { buffer_.consume(n); }

 private:
  DynamicBuffer buffer_;
};

template <typename DynamicBuffer>
class dynamic_buffer_v2_io {
 public:
  explicit dynamic_buffer_v2_io(DynamicBuffer buffer) : buffer_(std::move(buffer)) {}

  [[nodiscard]] std::size_t size() const { return buffer_.size(); }
  [[nodiscard]] std::size_t capacity() const { return buffer_.capacity(); }
  [[nodiscard]] std::size_t max_size() const { return buffer_.max_size(); }

  [[nodiscard]] auto readable() const { return buffer_.data(0, buffer_.size()); }

  // v2 has no output sequence: the container grows by n bytes, which the
  // read fills, and commit() gives back what it did not fill.
  [[nodiscard]] auto prepare(std::size_t n) {
    const std::size_t pos = buffer_.size();
    buffer_.grow(n);
    prepared_ = n;
    return buffer_.data(pos, n);
  }

  void commit(std::size_t n) {
    buffer_.shrink(prepared_ - (n < prepared_ ? n : prepared_));
    prepared_ = 0;
  }

  void consume(std::size_t n) { buffer_.consume(n); }

 private:
  DynamicBuffer buffer_;
  std::size_t prepared_ = 0;
};

// How many bytes the next read into a dynamic buffer asks for, as in Asio:
// at least 512 (or the free capacity, if larger), never more than the
// limit nor than the room left below max_size().
template <typename DynamicBufferIo>
std::size_t dynamic_read_size(const DynamicBufferIo& b, std::size_t limit) noexcept {
  const std::size_t size = b.size();
  const std::size_t capacity = b.capacity();
  const std::size_t max_size = b.max_size();
  const std::size_t free_capacity = capacity > size ? capacity - size : 0;
  const std::size_t room = max_size > size ? max_size - size : 0;
  return std::min(std::max<std::size_t>(512, free_capacity), std::min(limit, room));
}

}  // namespace rill::detail
