// rill/detail/read_until_op.hpp - the loops behind rill::read_until and
// rill::async_read_until.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rill/buffer.hpp>
#include <rill/buffers_iterator.hpp>
#include <rill/detail/composed_op.hpp>
#include <rill/detail/dynamic_buffer_io.hpp>
#include <rill/error.hpp>
#include <rill/error_code.hpp>

namespace rill::detail {

// What a delimiter search found in the readable bytes.
struct delimiter_search {
  // True when the delimiter is there; position is then the end of its first
  // occurrence. Otherwise position is where the next search must start: the
  // end of the data, or the start of a partial match at its end (the first
  // bytes of a string delimiter, whose rest has not arrived yet).
  bool found;
  std::size_t position;
};

// The readable bytes as one string_view, when they are one buffer (as for
// every dynamic buffer rill provides); then the search is memchr or
// string_view::find instead of a walk with buffers_iterator.
template <typename ConstBuffers>
std::string_view contiguous_view(const ConstBuffers& data) noexcept {
  const const_buffer b(data);
  return std::string_view(static_cast<const char*>(b.data()), b.size());
}

// A one-character delimiter.
class char_delimiter {
 public:
  explicit char_delimiter(char c) noexcept : delim_(c) {}

  template <typename ConstBuffers>
  delimiter_search operator()(const ConstBuffers& data, std::size_t start) const {
    if constexpr (single_buffer<ConstBuffers>) {
      const std::string_view text = contiguous_view(data);
      if (start < text.size()) {
        const void* p = std::memchr(text.data() + start, delim_, text.size() - start);
        if (p != nullptr) {
          return {true, static_cast<std::size_t>(static_cast<const char*>(p) - text.data()) + 1};
        }
      }
      return {false, text.size()};
    } else {
      using iterator = buffers_iterator<ConstBuffers>;
      const iterator begin = iterator::begin(data);
      const iterator end = iterator::end(data);
      const iterator it =
          std::find(begin + static_cast<typename iterator::difference_type>(start), end, delim_);
      if (it != end) return {true, static_cast<std::size_t>(it - begin) + 1};
      return {false, static_cast<std::size_t>(end - begin)};
    }
  }

 private:
  char delim_;
};

// A string delimiter, held as String: std::string_view for the synchronous
// functions, std::string for the asynchronous ones, which outlive their
// caller's argument (as in Asio, the delimiter is copied).
template <typename String>
class string_delimiter {
 public:
  explicit string_delimiter(std::string_view delim) : delim_(delim) {}

  template <typename ConstBuffers>
  delimiter_search operator()(const ConstBuffers& data, std::size_t start) const {
    const std::string_view delim(delim_);
    if constexpr (single_buffer<ConstBuffers>) {
      const std::string_view text = contiguous_view(data);
      if (start >= text.size()) return {false, text.size()};
      const std::size_t match = text.find(delim, start);
      if (match != std::string_view::npos) return {true, match + delim.size()};
      // No full match: the earliest start of a partial match at the end.
      // Those lie within delim.size() - 1 bytes of the end.
      const std::size_t tail = std::min(text.size() - start, delim.size() - 1);
      for (std::size_t i = text.size() - tail; i < text.size(); ++i) {
        if (delim.starts_with(text.substr(i))) return {false, i};
      }
      return {false, text.size()};
    } else {
      // Asio's partial_search over the bytes of a buffer sequence.
      using iterator = buffers_iterator<ConstBuffers>;
      const iterator begin = iterator::begin(data);
      const iterator end = iterator::end(data);
      for (iterator i = begin + static_cast<typename iterator::difference_type>(start); i != end;
           ++i) {
        iterator t = i;
        auto d = delim.begin();
        for (;; ++t, ++d) {
          if (d == delim.end()) return {true, static_cast<std::size_t>(i - begin) + delim.size()};
          if (t == end) {
            if (d != delim.begin()) return {false, static_cast<std::size_t>(i - begin)};
            break;
          }
          if (*t != *d) break;
        }
      }
      return {false, static_cast<std::size_t>(end - begin)};
    }
  }

 private:
  String delim_;
};

// How much read_until asks of each read_some, as in Asio.
inline constexpr std::size_t read_until_max_read = 65536;

// ---------------------------------------------------------------------------
// Synchronous loop: returns the size of the readable bytes up to and
// including the delimiter; bytes after it stay in the buffer.

template <typename SyncReadStream, typename DynamicBufferIo, typename Delimiter>
std::size_t read_until_dynamic_buffer(SyncReadStream& s, DynamicBufferIo& b, const Delimiter& delim,
                                      error_code& ec) {
  std::size_t search_position = 0;
  for (;;) {
    const delimiter_search result = delim(b.readable(), search_position);
    if (result.found) {
      ec = error_code();
      return result.position;
    }
    search_position = result.position;
    if (b.size() >= b.max_size()) {
      ec = error::not_found;
      return 0;
    }
    const std::size_t n = s.read_some(b.prepare(dynamic_read_size(b, read_until_max_read)), ec);
    b.commit(n);
    if (ec) return 0;
  }
}

// ---------------------------------------------------------------------------
// async_read_until: search what is there, read more, search the new bytes
// (and any partial match before them), until the delimiter is found, the
// buffer is full (error::not_found) or a read fails.
template <typename AsyncReadStream, typename DynamicBufferIo, typename Delimiter,
          typename ReadHandler>
class read_until_op : public composed_op_base<ReadHandler> {
 public:
  template <typename D, typename H>
  read_until_op(AsyncReadStream& stream, DynamicBufferIo buffers, D&& delim, H&& handler)
      : composed_op_base<ReadHandler>(std::forward<H>(handler)),
        stream_(stream),
        buffers_(std::move(buffers)),
        delim_(std::forward<D>(delim)) {}

  read_until_op(read_until_op&&) = default;
  read_until_op(const read_until_op&) = default;

  // start is 1 only for the call from the initiating function. When the
  // delimiter is already in the buffer that call still reads (0 bytes), so
  // that the handler is never invoked inside the initiating function.
  void operator()(error_code ec, std::size_t bytes_transferred, int start = 0) {
    if (start == 0) {
      buffers_.commit(bytes_transferred);
      if (ec || bytes_transferred == 0) return finish(ec);
    }
    std::size_t bytes_to_read = 0;
    const delimiter_search result = delim_(buffers_.readable(), search_position_);
    if (result.found) {
      search_position_ = result.position;
    } else if (buffers_.size() >= buffers_.max_size()) {
      search_position_ = not_found;
    } else {
      search_position_ = result.position;
      bytes_to_read = dynamic_read_size(buffers_, read_until_max_read);
    }
    if (start == 0 && bytes_to_read == 0) return finish(ec);
    // Cancellation requested after the last step had already completed.
    if (start == 0 && this->cancelled() != cancellation_type::none) {
      return this->complete(error_code(error::operation_aborted), std::size_t{0});
    }
    stream_.async_read_some(buffers_.prepare(bytes_to_read), std::move(*this));
  }

 private:
  static constexpr std::size_t not_found = std::numeric_limits<std::size_t>::max();

  void finish(const error_code& ec) {
    if (search_position_ == not_found) {
      return this->complete(error_code(error::not_found), std::size_t{0});
    }
    this->complete(ec, ec ? std::size_t{0} : search_position_);
  }

  AsyncReadStream& stream_;
  DynamicBufferIo buffers_;
  Delimiter delim_;
  std::size_t search_position_ = 0;
};

template <typename AsyncReadStream>
class initiate_async_read_until {
 public:
  using executor_type = typename AsyncReadStream::executor_type;

  explicit initiate_async_read_until(AsyncReadStream& stream) noexcept : stream_(stream) {}

  [[nodiscard]] executor_type get_executor() const { return stream_.get_executor(); }

  template <typename ReadHandler, typename DynamicBufferIo, typename Delimiter>
  void operator()(ReadHandler&& handler, DynamicBufferIo&& buffers, Delimiter&& delim) const {
    read_until_op<AsyncReadStream, std::decay_t<DynamicBufferIo>, std::decay_t<Delimiter>,
                  std::decay_t<ReadHandler>>(
        stream_, std::forward<DynamicBufferIo>(buffers), std::forward<Delimiter>(delim),
        std::forward<ReadHandler>(handler))(error_code(), 0, 1);
  }

 private:
  AsyncReadStream& stream_;
};

}  // namespace rill::detail
