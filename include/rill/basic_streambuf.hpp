// rill/basic_streambuf.hpp - a std::streambuf that is also a dynamic buffer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <streambuf>
#include <vector>

#include <rill/basic_streambuf_fwd.hpp>
#include <rill/buffer.hpp>

namespace rill {

// A std::streambuf over one contiguous, growable character array, which I/O
// operations can fill and drain directly:
//  - the input sequence (what has been written or received, not yet
//    consumed) is data();
//  - prepare(n) makes room for n more bytes (the output sequence), commit(n)
//    appends n of them to the input sequence, consume(n) drops n bytes from
//    its front.
// std::ostream writes append to the input sequence and std::istream reads
// consume from it. size() never exceeds max_size(): prepare() beyond it
// throws std::length_error, and a stream writing beyond it sets badbit.
//
//   rill::streambuf b;
//   std::ostream(&b) << "Hello, World!\n";
//   std::size_t n = sock.send(b.data());
//   b.consume(n);
template <typename Allocator>
class basic_streambuf : public std::streambuf {
 public:
  using const_buffers_type = const_buffer;
  using mutable_buffers_type = mutable_buffer;

  explicit basic_streambuf(std::size_t maximum_size = std::numeric_limits<std::size_t>::max(),
                           const Allocator& allocator = Allocator())
      : max_size_(maximum_size), buffer_(allocator) {
    // Room for the first buffer_delta bytes; the put area stays empty until
    // prepare() or a stream's first write (overflow) opens it.
    buffer_.resize(std::max<std::size_t>(std::min<std::size_t>(max_size_, buffer_delta), 1));
    setg(base(), base(), base());
    setp(base(), base());
  }

  basic_streambuf(const basic_streambuf&) = delete;
  basic_streambuf& operator=(const basic_streambuf&) = delete;

  // The size of the input sequence.
  [[nodiscard]] std::size_t size() const noexcept {
    return static_cast<std::size_t>(pptr() - gptr());
  }

  // The limit on the sum of the input and output sequences' sizes.
  [[nodiscard]] std::size_t max_size() const noexcept { return max_size_; }

  [[nodiscard]] std::size_t capacity() const noexcept { return buffer_.capacity(); }

  // The input sequence; invalidated by any member function that modifies
  // the input or output sequence.
  [[nodiscard]] const_buffers_type data() const noexcept { return const_buffer(gptr(), size()); }

  // An output sequence of exactly n bytes, reallocating as needed.
  // Throws std::length_error if size() + n > max_size(), and then changes
  // nothing.
  mutable_buffers_type prepare(std::size_t n) {
    reserve(n);
    return mutable_buffer(pptr(), n);
  }

  // Moves the first n bytes of the output sequence to the end of the input
  // sequence. If n is larger than what was prepared, what was prepared.
  void commit(std::size_t n) {
    n = std::min(n, static_cast<std::size_t>(epptr() - pptr()));
    // setp rather than pbump: pbump takes an int, and n may not fit in one.
    setp(pptr() + n, epptr());
    setg(eback(), gptr(), pptr());
  }

  // Removes the first n bytes of the input sequence (all of it, if n is
  // larger).
  void consume(std::size_t n) {
    n = std::min(n, size());
    setg(base(), gptr() + n, pptr());
  }

 protected:
  // How much the put area grows when a stream writes past its end.
  static constexpr std::size_t buffer_delta = 128;

  // Makes committed output visible to readers.
  int_type underflow() override {
    if (gptr() == pptr()) return traits_type::eof();
    setg(base(), gptr(), pptr());
    return traits_type::to_int_type(*gptr());
  }

  // Grows the put area for a stream's write: by buffer_delta, or up to
  // max_size() if that is nearer. Throws std::length_error when full.
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (pptr() == epptr()) {
      const std::size_t used = size();
      reserve(used < max_size_ && max_size_ - used < buffer_delta ? max_size_ - used
                                                                  : buffer_delta);
    }
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
    return c;
  }

  // Makes the output sequence (the put area) exactly n bytes long. Asio
  // leaves it as long as the free space, so commit() past a prepare() would
  // publish bytes nobody wrote; here the output sequence is what was asked
  // for. Free space after the input sequence is used as it is; only when it
  // is too small is the input sequence moved to the front of the array, and
  // only when that is not enough either does the array grow. The limit is
  // checked and the array grown before anything moves, so a throw
  // (length_error or bad_alloc) leaves contents and positions intact.
  void reserve(std::size_t n) {
    const std::size_t used = size();
    if (n > max_size_ || used > max_size_ - n)
      throw std::length_error("rill::basic_streambuf: size would exceed max_size()");
    std::size_t gnext = offset(gptr());
    std::size_t pnext = offset(pptr());
    if (n > buffer_.size() - pnext) {
      if (used + n > buffer_.size()) buffer_.resize(used + n);
      if (gnext > 0) std::memmove(base(), base() + gnext, used);
      gnext = 0;
      pnext = used;
    }
    setg(base(), base() + gnext, base() + pnext);
    setp(base() + pnext, base() + pnext + n);
  }

 private:
  char_type* base() noexcept { return buffer_.data(); }
  std::size_t offset(const char_type* p) const noexcept {
    return static_cast<std::size_t>(p - buffer_.data());
  }

  std::size_t max_size_;
  std::vector<char_type, Allocator> buffer_;
};

// A copyable dynamic buffer (DynamicBuffer_v1) that refers to a
// basic_streambuf, for the operations that take dynamic buffers by value.
// The streambuf must outlive it.
template <typename Allocator>
class basic_streambuf_ref {
 public:
  using const_buffers_type = typename basic_streambuf<Allocator>::const_buffers_type;
  using mutable_buffers_type = typename basic_streambuf<Allocator>::mutable_buffers_type;

  explicit basic_streambuf_ref(basic_streambuf<Allocator>& sb) noexcept : sb_(sb) {}
  basic_streambuf_ref(const basic_streambuf_ref&) noexcept = default;
  basic_streambuf_ref& operator=(const basic_streambuf_ref&) = delete;

  [[nodiscard]] std::size_t size() const noexcept { return sb_.size(); }
  [[nodiscard]] std::size_t max_size() const noexcept { return sb_.max_size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return sb_.capacity(); }
  [[nodiscard]] const_buffers_type data() const noexcept { return sb_.data(); }
  mutable_buffers_type prepare(std::size_t n) { return sb_.prepare(n); }
  void commit(std::size_t n) { sb_.commit(n); }
  void consume(std::size_t n) { sb_.consume(n); }

 private:
  basic_streambuf<Allocator>& sb_;
};

// Beyond Asio 1.22, which spells this basic_streambuf_ref<Allocator>(sb):
// the dynamic buffer view of a streambuf, like dynamic_buffer(string).
template <typename Allocator>
[[nodiscard]] basic_streambuf_ref<Allocator> dynamic_buffer(
    basic_streambuf<Allocator>& sb) noexcept {
  return basic_streambuf_ref<Allocator>(sb);
}

}  // namespace rill
