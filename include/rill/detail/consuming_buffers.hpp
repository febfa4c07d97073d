// rill/detail/consuming_buffers.hpp - the unfinished part of a buffer sequence.
#pragma once

#include <cstddef>
#include <iterator>

#include <rill/buffer.hpp>

namespace rill::detail {

// At most this many buffers are handed to one read_some/write_some, as many
// as the reactor passes to one readv/sendmsg (buffer_sequence_adapter).
inline constexpr std::size_t max_prepared_buffers = 64;

// The buffers for one step of a composed operation: a window of at most N
// non-empty buffers, held by value so that it can travel with the
// operation.
template <typename Buffer, std::size_t N>
class prepared_buffers {
 public:
  using value_type = Buffer;
  using const_iterator = const Buffer*;

  void push_back(const Buffer& b) noexcept { elems_[count_++] = b; }
  [[nodiscard]] bool full() const noexcept { return count_ == N; }

  [[nodiscard]] const Buffer* begin() const noexcept { return elems_; }
  [[nodiscard]] const Buffer* end() const noexcept { return elems_ + count_; }

 private:
  Buffer elems_[N];
  std::size_t count_ = 0;
};

// Tracks how much of a buffer sequence a composed read or write has
// transferred, and prepares the next step's buffers from the rest. The
// sequence is copied (Asio allows it: buffers are views), and its position
// is kept as an element index and offset, not as an iterator, because the
// operation holding it moves from one intermediate operation to the next and
// a moved std::array would leave iterators behind.
template <typename Buffer, typename Buffers>
class consuming_buffers {
 public:
  using prepared_type = prepared_buffers<Buffer, max_prepared_buffers>;

  explicit consuming_buffers(const Buffers& buffers)
      : buffers_(buffers), total_size_(rill::buffer_size(buffers)) {}

  // True when every byte has been transferred.
  [[nodiscard]] bool empty() const noexcept { return total_consumed_ >= total_size_; }

  // The next at most max_size bytes, skipping empty buffers.
  [[nodiscard]] prepared_type prepare(std::size_t max_size) const {
    prepared_type result;
    auto next = current();
    const auto end = rill::buffer_sequence_end(buffers_);
    std::size_t offset = next_elem_offset_;
    while (next != end && max_size > 0 && !result.full()) {
      const Buffer b = rill::buffer(Buffer(*next) + offset, max_size);
      max_size -= b.size();
      offset = 0;
      if (b.size() > 0) result.push_back(b);
      ++next;
    }
    return result;
  }

  // Marks n more bytes as transferred.
  void consume(std::size_t n) {
    total_consumed_ += n;
    auto next = current();
    const auto end = rill::buffer_sequence_end(buffers_);
    while (next != end && n > 0) {
      const Buffer b = Buffer(*next) + next_elem_offset_;
      if (n < b.size()) {
        next_elem_offset_ += n;
        n = 0;
      } else {
        n -= b.size();
        next_elem_offset_ = 0;
        ++next_elem_;
        ++next;
      }
    }
  }

  [[nodiscard]] std::size_t total_consumed() const noexcept { return total_consumed_; }

 private:
  auto current() const {
    auto it = rill::buffer_sequence_begin(buffers_);
    std::advance(it, static_cast<std::iter_difference_t<decltype(it)>>(next_elem_));
    return it;
  }

  Buffers buffers_;
  std::size_t total_size_;
  std::size_t total_consumed_ = 0;
  std::size_t next_elem_ = 0;
  std::size_t next_elem_offset_ = 0;
};

// The same for a sequence that is a single buffer: each step's buffers are
// one buffer.
template <typename Buffer>
class consuming_single_buffer {
 public:
  using prepared_type = Buffer;

  explicit consuming_single_buffer(const Buffer& buffer) noexcept : buffer_(buffer) {}

  [[nodiscard]] bool empty() const noexcept { return total_consumed_ >= buffer_.size(); }

  [[nodiscard]] Buffer prepare(std::size_t max_size) const noexcept {
    return rill::buffer(buffer_ + total_consumed_, max_size);
  }

  void consume(std::size_t n) noexcept { total_consumed_ += n; }

  [[nodiscard]] std::size_t total_consumed() const noexcept { return total_consumed_; }

 private:
  Buffer buffer_;
  std::size_t total_consumed_ = 0;
};

template <typename Buffer, typename Buffers>
struct consuming_buffers_for {
  using type = consuming_buffers<Buffer, Buffers>;
};

template <typename Buffer, typename Buffers>
requires single_buffer<Buffers>
struct consuming_buffers_for<Buffer, Buffers> {
  using type = consuming_single_buffer<Buffer>;
};

// consuming_buffers, or consuming_single_buffer when Buffers is one buffer.
template <typename Buffer, typename Buffers>
using consuming_buffers_t = typename consuming_buffers_for<Buffer, Buffers>::type;

}  // namespace rill::detail
