// rill/buffers_iterator.hpp - iterate over the bytes of a buffer sequence.
#pragma once

#include <cassert>
#include <compare>
#include <concepts>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>

#include <rill/buffer.hpp>

namespace rill {

namespace detail {

// The sequence made of one buffer, held by value. A buffers_iterator over a
// single buffer walks this instead of pointing at the caller's buffer object,
// so the common buffers_begin(sb.data()), where data() returns a temporary,
// leaves nothing dangling.
template <typename Buffer>
class one_buffer_cursor {
 public:
  one_buffer_cursor() = default;
  one_buffer_cursor(const Buffer& b, bool at_end) noexcept : buffer_(b), at_end_(at_end) {}

  const Buffer& operator*() const noexcept { return buffer_; }
  one_buffer_cursor& operator++() noexcept {
    at_end_ = true;
    return *this;
  }
  one_buffer_cursor& operator--() noexcept {
    at_end_ = false;
    return *this;
  }
  friend bool operator==(const one_buffer_cursor& a, const one_buffer_cursor& b) noexcept {
    return a.at_end_ == b.at_end_;
  }

 private:
  Buffer buffer_;
  bool at_end_ = true;
};

// How buffers_iterator walks the buffers of a sequence: with the sequence's
// own iterators, or for a single buffer with a one_buffer_cursor.
template <typename BufferSequence>
struct buffers_iterator_walk {
  using cursor = decltype(rill::buffer_sequence_begin(std::declval<const BufferSequence&>()));
  static constexpr bool is_mutable =
      std::convertible_to<decltype(*std::declval<cursor&>()), mutable_buffer>;
  using buffer_type = std::conditional_t<is_mutable, mutable_buffer, const_buffer>;

  static cursor begin(const BufferSequence& s) { return rill::buffer_sequence_begin(s); }
  static cursor end(const BufferSequence& s) { return rill::buffer_sequence_end(s); }
};

template <typename BufferSequence>
requires single_buffer<BufferSequence>
struct buffers_iterator_walk<BufferSequence> {
  static constexpr bool is_mutable =
      std::convertible_to<const BufferSequence*, const mutable_buffer*>;
  using buffer_type = std::conditional_t<is_mutable, mutable_buffer, const_buffer>;
  using cursor = one_buffer_cursor<buffer_type>;

  static cursor begin(const BufferSequence& s) { return cursor(s, false); }
  static cursor end(const BufferSequence& s) { return cursor(s, true); }
};

}  // namespace detail

// A random-access iterator over the bytes of a buffer sequence, as if the
// buffers were one contiguous array; empty buffers are skipped. Its reference
// is ByteType& for mutable buffer sequences and const ByteType& otherwise.
// It refers to the sequence's buffers (but not to a single buffer object), so
// a multi-buffer sequence must outlive it. As with any iterator, moving it
// outside [begin, end] is undefined (debug builds assert).
template <typename BufferSequence, typename ByteType = char>
requires const_buffer_sequence<BufferSequence>
class buffers_iterator {
  using walk = detail::buffers_iterator_walk<BufferSequence>;
  using buffer_type = typename walk::buffer_type;
  using cursor = typename walk::cursor;
  using byte_type = std::conditional_t<walk::is_mutable, ByteType, const ByteType>;

 public:
  using difference_type = std::ptrdiff_t;
  using value_type = ByteType;
  using pointer = byte_type*;
  using reference = byte_type&;
  using iterator_category = std::random_access_iterator_tag;

  buffers_iterator() = default;

  [[nodiscard]] static buffers_iterator begin(const BufferSequence& buffers) {
    buffers_iterator i;
    i.begin_ = i.current_ = walk::begin(buffers);
    i.end_ = walk::end(buffers);
    i.skip_empty_buffers();
    return i;
  }

  [[nodiscard]] static buffers_iterator end(const BufferSequence& buffers) {
    buffers_iterator i;
    i.begin_ = walk::begin(buffers);
    i.current_ = i.end_ = walk::end(buffers);
    for (cursor c = i.begin_; c != i.end_; ++c) i.position_ += buffer_type(*c).size();
    return i;
  }

  reference operator*() const {
    assert(current_ != end_ && "buffers_iterator dereferenced at end");
    return static_cast<pointer>(buffer_.data())[offset_];
  }
  pointer operator->() const { return &**this; }
  reference operator[](difference_type n) const { return *(*this + n); }

  buffers_iterator& operator++() {
    assert(current_ != end_ && "buffers_iterator moved past end");
    ++position_;
    if (++offset_ < buffer_.size()) return *this;
    offset_ = 0;
    ++current_;
    skip_empty_buffers();
    return *this;
  }
  buffers_iterator operator++(int) {
    buffers_iterator old = *this;
    ++*this;
    return old;
  }

  buffers_iterator& operator--() {
    assert(position_ > 0 && "buffers_iterator moved before begin");
    --position_;
    if (offset_ > 0) {
      --offset_;
    } else {
      back_to_previous_buffer();
      offset_ = buffer_.size() - 1;
    }
    return *this;
  }
  buffers_iterator operator--(int) {
    buffers_iterator old = *this;
    --*this;
    return old;
  }

  buffers_iterator& operator+=(difference_type n) {
    if (n >= 0) {
      forward(static_cast<std::size_t>(n));
    } else {
      backward(std::size_t{0} - static_cast<std::size_t>(n));
    }
    return *this;
  }
  buffers_iterator& operator-=(difference_type n) { return *this += -n; }

  friend buffers_iterator operator+(buffers_iterator i, difference_type n) { return i += n; }
  friend buffers_iterator operator+(difference_type n, buffers_iterator i) { return i += n; }
  friend buffers_iterator operator-(buffers_iterator i, difference_type n) { return i -= n; }
  friend difference_type operator-(const buffers_iterator& a, const buffers_iterator& b) noexcept {
    return static_cast<difference_type>(a.position_ - b.position_);
  }

  // Iterators compare by their byte position, like pointers into one array.
  friend bool operator==(const buffers_iterator& a, const buffers_iterator& b) noexcept {
    return a.position_ == b.position_;
  }
  friend std::strong_ordering operator<=>(const buffers_iterator& a,
                                          const buffers_iterator& b) noexcept {
    return a.position_ <=> b.position_;
  }

 private:
  // Moves current_ to the first non-empty buffer at or after it, loading it
  // into buffer_; at the end buffer_ is empty.
  void skip_empty_buffers() {
    for (; current_ != end_; ++current_) {
      buffer_ = buffer_type(*current_);
      if (buffer_.size() > 0) return;
    }
    buffer_ = buffer_type();
  }

  // Moves current_ to the last non-empty buffer before it.
  void back_to_previous_buffer() {
    do {
      assert(current_ != begin_ && "buffers_iterator moved before begin");
      --current_;
      buffer_ = buffer_type(*current_);
    } while (buffer_.size() == 0);
  }

  void forward(std::size_t n) {
    while (n > 0) {
      assert(current_ != end_ && "buffers_iterator moved past end");
      const std::size_t rest = buffer_.size() - offset_;
      if (n < rest) {
        offset_ += n;
        position_ += n;
        return;
      }
      n -= rest;
      position_ += rest;
      offset_ = 0;
      ++current_;
      skip_empty_buffers();
    }
  }

  void backward(std::size_t n) {
    while (n > offset_) {
      n -= offset_;
      position_ -= offset_;
      back_to_previous_buffer();
      offset_ = buffer_.size();
    }
    offset_ -= n;
    position_ -= n;
  }

  // Invariant: current_ == end_ (and offset_ == 0), or buffer_ == *current_
  // is non-empty and offset_ < buffer_.size(). position_ counts the bytes
  // before this one in the whole sequence.
  buffer_type buffer_;
  std::size_t offset_ = 0;
  cursor begin_{};
  cursor current_{};
  cursor end_{};
  std::size_t position_ = 0;
};

template <const_buffer_sequence BufferSequence>
[[nodiscard]] buffers_iterator<BufferSequence> buffers_begin(const BufferSequence& buffers) {
  return buffers_iterator<BufferSequence>::begin(buffers);
}

template <const_buffer_sequence BufferSequence>
[[nodiscard]] buffers_iterator<BufferSequence> buffers_end(const BufferSequence& buffers) {
  return buffers_iterator<BufferSequence>::end(buffers);
}

}  // namespace rill
