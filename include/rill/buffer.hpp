// rill/buffer.hpp - views of memory for I/O, buffer sequences, dynamic buffers.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace rill {

// A modifiable region of memory: a pointer and a size in bytes. It does not
// own the memory, so it is cheap to copy; the memory must outlive every
// operation that uses the buffer.
class mutable_buffer {
 public:
  constexpr mutable_buffer() noexcept = default;
  constexpr mutable_buffer(void* data, std::size_t size) noexcept : data_(data), size_(size) {}

  [[nodiscard]] constexpr void* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }

  // Drops the first n bytes, or all of them if there are fewer: buffer
  // arithmetic never moves past the end.
  mutable_buffer& operator+=(std::size_t n) noexcept {
    const std::size_t offset = std::min(n, size_);
    data_ = static_cast<char*>(data_) + offset;
    size_ -= offset;
    return *this;
  }

  friend mutable_buffer operator+(mutable_buffer b, std::size_t n) noexcept { return b += n; }
  friend mutable_buffer operator+(std::size_t n, mutable_buffer b) noexcept { return b += n; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// A non-modifiable region of memory. A mutable_buffer converts to it
// implicitly, mirroring T* to const T*; the opposite conversion does not
// exist.
class const_buffer {
 public:
  constexpr const_buffer() noexcept = default;
  constexpr const_buffer(const void* data, std::size_t size) noexcept : data_(data), size_(size) {}
  constexpr const_buffer(const mutable_buffer& b) noexcept : data_(b.data()), size_(b.size()) {}

  [[nodiscard]] constexpr const void* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }

  const_buffer& operator+=(std::size_t n) noexcept {
    const std::size_t offset = std::min(n, size_);
    data_ = static_cast<const char*>(data_) + offset;
    size_ -= offset;
    return *this;
  }

  friend const_buffer operator+(const_buffer b, std::size_t n) noexcept { return b += n; }
  friend const_buffer operator+(std::size_t n, const_buffer b) noexcept { return b += n; }

 private:
  const void* data_ = nullptr;
  std::size_t size_ = 0;
};

// ---------------------------------------------------------------------------
// Buffer sequences. A buffer sequence is either one buffer or a class with
// begin()/end() whose elements convert to a buffer (std::vector<const_buffer>,
// std::array<mutable_buffer, 2>, std::span<const const_buffer>, ...). These
// two functions give every kind the same iterator interface.

template <typename MutableBuffer>
requires std::convertible_to<const MutableBuffer*, const mutable_buffer*>
[[nodiscard]] const mutable_buffer* buffer_sequence_begin(const MutableBuffer& b) noexcept {
  return static_cast<const mutable_buffer*>(std::addressof(b));
}

template <typename ConstBuffer>
requires std::convertible_to<const ConstBuffer*, const const_buffer*>
[[nodiscard]] const const_buffer* buffer_sequence_begin(const ConstBuffer& b) noexcept {
  return static_cast<const const_buffer*>(std::addressof(b));
}

template <typename MutableBuffer>
requires std::convertible_to<const MutableBuffer*, const mutable_buffer*>
[[nodiscard]] const mutable_buffer* buffer_sequence_end(const MutableBuffer& b) noexcept {
  return static_cast<const mutable_buffer*>(std::addressof(b)) + 1;
}

template <typename ConstBuffer>
requires std::convertible_to<const ConstBuffer*, const const_buffer*>
[[nodiscard]] const const_buffer* buffer_sequence_end(const ConstBuffer& b) noexcept {
  return static_cast<const const_buffer*>(std::addressof(b)) + 1;
}

namespace detail {
template <typename T>
concept single_buffer = std::convertible_to<const T*, const mutable_buffer*> ||
    std::convertible_to<const T*, const const_buffer*>;
}  // namespace detail

template <typename C>
requires(!detail::single_buffer<C>) [[nodiscard]] auto buffer_sequence_begin(C& c) noexcept
    -> decltype(c.begin()) {
  return c.begin();
}

template <typename C>
requires(!detail::single_buffer<C>) [[nodiscard]] auto buffer_sequence_begin(const C& c) noexcept
    -> decltype(c.begin()) {
  return c.begin();
}

template <typename C>
requires(!detail::single_buffer<C>) [[nodiscard]] auto buffer_sequence_end(C& c) noexcept
    -> decltype(c.end()) {
  return c.end();
}

template <typename C>
requires(!detail::single_buffer<C>) [[nodiscard]] auto buffer_sequence_end(const C& c) noexcept
    -> decltype(c.end()) {
  return c.end();
}

namespace detail {
template <typename T, typename Buffer>
concept buffer_sequence_of = std::is_class_v<T> && requires(const T& t) {
  { *rill::buffer_sequence_begin(t) } -> std::convertible_to<Buffer>;
  { rill::buffer_sequence_begin(t) != rill::buffer_sequence_end(t) } -> std::convertible_to<bool>;
};
}  // namespace detail

// Asio's MutableBufferSequence and ConstBufferSequence requirements as
// concepts, for functions that take "some buffers":
//   template <rill::const_buffer_sequence Buffers> void send(const Buffers&);
// Every mutable buffer sequence is also a const buffer sequence.
template <typename T>
concept mutable_buffer_sequence = detail::buffer_sequence_of<T, mutable_buffer>;

template <typename T>
concept const_buffer_sequence = detail::buffer_sequence_of<T, const_buffer>;

// The same tests as traits, under Asio's names.
template <typename T>
struct is_mutable_buffer_sequence : std::bool_constant<mutable_buffer_sequence<T>> {};

template <typename T>
struct is_const_buffer_sequence : std::bool_constant<const_buffer_sequence<T>> {};

// The total size in bytes of the buffers in a sequence.
template <const_buffer_sequence BufferSequence>
[[nodiscard]] std::size_t buffer_size(const BufferSequence& buffers) noexcept {
  std::size_t total = 0;
  const auto end = rill::buffer_sequence_end(buffers);
  for (auto i = rill::buffer_sequence_begin(buffers); i != end; ++i)
    total += const_buffer(*i).size();
  return total;
}

// ---------------------------------------------------------------------------
// buffer(): a buffer over raw memory or over the elements of a container.
// The optional max_size_in_bytes caps the size; the result is never larger
// than the memory it views. Containers are never resized: a vector's buffer
// covers size() elements, not capacity(). A buffer over a container is
// invalidated by whatever invalidates the container's iterators.

namespace detail {

inline constexpr std::size_t no_size_limit = std::numeric_limits<std::size_t>::max();

// The elements viewed must be plain bytes in memory: anything else would be
// read or overwritten behind its constructors' backs.
template <typename T>
concept pod_element = std::is_trivially_copyable_v<T>;

// std::vector<bool> packs bits and has no data() to view.
template <typename T>
concept vector_element = pod_element<T> && !std::same_as<T, bool>;

template <typename T>
using buffer_for = std::conditional_t<std::is_const_v<T>, const_buffer, mutable_buffer>;

template <typename T>
buffer_for<T> make_buffer(T* data, std::size_t count, std::size_t max_size_in_bytes) noexcept {
  return buffer_for<T>(data, std::min(count * sizeof(T), max_size_in_bytes));
}

}  // namespace detail

[[nodiscard]] inline mutable_buffer buffer(
    const mutable_buffer& b, std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return mutable_buffer(b.data(), std::min(b.size(), max_size_in_bytes));
}

[[nodiscard]] inline const_buffer buffer(
    const const_buffer& b, std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return const_buffer(b.data(), std::min(b.size(), max_size_in_bytes));
}

[[nodiscard]] inline mutable_buffer buffer(void* data, std::size_t size_in_bytes) noexcept {
  return mutable_buffer(data, size_in_bytes);
}

[[nodiscard]] inline const_buffer buffer(const void* data, std::size_t size_in_bytes) noexcept {
  return const_buffer(data, size_in_bytes);
}

// C arrays; an array of const elements gives a const_buffer. Note that a
// string literal's buffer includes its terminating '\0'.
template <detail::pod_element PodType, std::size_t N>
[[nodiscard]] detail::buffer_for<PodType> buffer(
    PodType (&data)[N], std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data, N, max_size_in_bytes);
}

template <detail::pod_element PodType, std::size_t N>
[[nodiscard]] detail::buffer_for<PodType> buffer(
    std::array<PodType, N>& data, std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data.data(), N, max_size_in_bytes);
}

template <detail::pod_element PodType, std::size_t N>
[[nodiscard]] const_buffer buffer(const std::array<PodType, N>& data,
                                  std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data.data(), N, max_size_in_bytes);
}

template <detail::vector_element PodType, typename Allocator>
[[nodiscard]] mutable_buffer buffer(
    std::vector<PodType, Allocator>& data,
    std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data.data(), data.size(), max_size_in_bytes);
}

template <detail::vector_element PodType, typename Allocator>
[[nodiscard]] const_buffer buffer(const std::vector<PodType, Allocator>& data,
                                  std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data.data(), data.size(), max_size_in_bytes);
}

template <typename Elem, typename Traits, typename Allocator>
[[nodiscard]] mutable_buffer buffer(
    std::basic_string<Elem, Traits, Allocator>& data,
    std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data.data(), data.size(), max_size_in_bytes);
}

template <typename Elem, typename Traits, typename Allocator>
[[nodiscard]] const_buffer buffer(const std::basic_string<Elem, Traits, Allocator>& data,
                                  std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data.data(), data.size(), max_size_in_bytes);
}

template <typename Elem, typename Traits>
[[nodiscard]] const_buffer buffer(std::basic_string_view<Elem, Traits> data,
                                  std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data.data(), data.size(), max_size_in_bytes);
}

// Beyond Asio 1.22: a span of const elements gives a const_buffer.
template <detail::pod_element PodType, std::size_t Extent>
[[nodiscard]] detail::buffer_for<PodType> buffer(
    std::span<PodType, Extent> data,
    std::size_t max_size_in_bytes = detail::no_size_limit) noexcept {
  return detail::make_buffer(data.data(), data.size(), max_size_in_bytes);
}

// ---------------------------------------------------------------------------
// buffer_copy(): copies bytes from a sequence of source buffers into a
// sequence of target buffers, whatever their individual sizes, until either
// side or max_bytes_to_copy runs out. Returns the number of bytes copied.
// It uses memcpy, so source and target must not overlap.

template <mutable_buffer_sequence MutableBufferSequence, const_buffer_sequence ConstBufferSequence>
std::size_t buffer_copy(const MutableBufferSequence& target, const ConstBufferSequence& source,
                        std::size_t max_bytes_to_copy = detail::no_size_limit) noexcept {
  auto target_iter = rill::buffer_sequence_begin(target);
  const auto target_end = rill::buffer_sequence_end(target);
  auto source_iter = rill::buffer_sequence_begin(source);
  const auto source_end = rill::buffer_sequence_end(source);
  // The unconsumed rest of the current target and source buffers.
  mutable_buffer to;
  const_buffer from;
  std::size_t copied = 0;
  while (copied < max_bytes_to_copy) {
    if (to.size() == 0) {
      if (target_iter == target_end) break;
      to = mutable_buffer(*target_iter);
      ++target_iter;
    } else if (from.size() == 0) {
      if (source_iter == source_end) break;
      from = const_buffer(*source_iter);
      ++source_iter;
    } else {
      const std::size_t n = std::min({to.size(), from.size(), max_bytes_to_copy - copied});
      std::memcpy(to.data(), from.data(), n);
      to += n;
      from += n;
      copied += n;
    }
  }
  return copied;
}

// ---------------------------------------------------------------------------
// Dynamic buffers: a growable byte store that operations such as read_until
// append to. Asio 1.22 defines two interfaces, and the string and vector
// adapters below implement both:
//
//  v2 (DynamicBuffer_v2): the buffer is the whole underlying container.
//    size()            bytes in the container (at most max_size())
//    data(pos, n)      a view of n bytes from pos
//    grow(n)           appends n bytes (throws std::length_error past max_size())
//    shrink(n)         removes n bytes from the end
//    consume(n)        removes n bytes from the front
//
//  v1 (DynamicBuffer_v1): an input sequence followed by an output sequence.
//    data()            the input sequence
//    prepare(n)        an output sequence of n bytes (throws std::length_error)
//    commit(n)         moves n bytes of the output sequence to the input sequence
//    consume(n)        removes n bytes from the front of the input sequence
//
// Copies of an adapter refer to the same container. An adapter starts in v2
// mode; its first prepare() (or commit()) switches it to v1 mode, where size()
// is the size of the input sequence only.

template <typename T>
concept dynamic_buffer_v1 = std::is_class_v<T> && requires(T& b, const T& cb, std::size_t n) {
  typename T::const_buffers_type;
  typename T::mutable_buffers_type;
  { cb.size() } -> std::convertible_to<std::size_t>;
  { cb.max_size() } -> std::convertible_to<std::size_t>;
  { cb.capacity() } -> std::convertible_to<std::size_t>;
  { cb.data() } -> std::convertible_to<typename T::const_buffers_type>;
  { b.prepare(n) } -> std::convertible_to<typename T::mutable_buffers_type>;
  b.commit(n);
  b.consume(n);
};

template <typename T>
concept dynamic_buffer_v2 = std::is_class_v<T> && requires(T& b, const T& cb, std::size_t n) {
  typename T::const_buffers_type;
  typename T::mutable_buffers_type;
  { cb.size() } -> std::convertible_to<std::size_t>;
  { cb.max_size() } -> std::convertible_to<std::size_t>;
  { cb.capacity() } -> std::convertible_to<std::size_t>;
  { b.data(n, n) } -> std::convertible_to<typename T::mutable_buffers_type>;
  { cb.data(n, n) } -> std::convertible_to<typename T::const_buffers_type>;
  b.grow(n);
  b.shrink(n);
  b.consume(n);
};

template <typename T>
struct is_dynamic_buffer_v1 : std::bool_constant<dynamic_buffer_v1<T>> {};

template <typename T>
struct is_dynamic_buffer_v2 : std::bool_constant<dynamic_buffer_v2<T>> {};

// As in Asio 1.22 (without ASIO_NO_DYNAMIC_BUFFER_V1), is_dynamic_buffer
// means the v1 interface.
template <typename T>
struct is_dynamic_buffer : is_dynamic_buffer_v1<T> {};

namespace detail {

// Sizes count bytes and the container is resized by element, so the
// elements must be bytes.
template <typename T>
concept byte_element = pod_element<T> && sizeof(T) == 1;

// The logic shared by dynamic_string_buffer and dynamic_vector_buffer.
template <typename Container>
class dynamic_container_buffer {
 public:
  using const_buffers_type = const_buffer;
  using mutable_buffers_type = mutable_buffer;

  explicit dynamic_container_buffer(Container& c, std::size_t maximum_size = no_size_limit) noexcept
      : container_(c), max_size_(maximum_size) {}

  dynamic_container_buffer(const dynamic_container_buffer&) noexcept = default;
  dynamic_container_buffer& operator=(const dynamic_container_buffer&) = delete;

  // v1: the size of the input sequence. v2: the size of the container, at
  // most max_size().
  [[nodiscard]] std::size_t size() const noexcept {
    if (v1_size_ != v2_mode) return v1_size_;
    return std::min(container_.size(), max_size_);
  }

  [[nodiscard]] std::size_t max_size() const noexcept { return max_size_; }

  [[nodiscard]] std::size_t capacity() const noexcept {
    return std::min(container_.capacity(), max_size_);
  }

  // v1: the input sequence (before the first prepare(), the whole container).
  [[nodiscard]] const_buffers_type data() const noexcept {
    return rill::buffer(std::as_const(container_), v1_size_);
  }

  // v2: up to n bytes from pos; fewer if the container (or max_size()) ends
  // first.
  [[nodiscard]] mutable_buffers_type data(std::size_t pos, std::size_t n) noexcept {
    return rill::buffer(rill::buffer(container_, max_size_) + pos, n);
  }

  [[nodiscard]] const_buffers_type data(std::size_t pos, std::size_t n) const noexcept {
    return rill::buffer(rill::buffer(std::as_const(container_), max_size_) + pos, n);
  }

  mutable_buffers_type prepare(std::size_t n) {
    check_room(n);
    if (v1_size_ == v2_mode) v1_size_ = container_.size();
    container_.resize(v1_size_ + n);
    return rill::buffer(rill::buffer(container_) + v1_size_, n);
  }

  // Beyond the output sequence's end, commits the whole of it, as Asio does.
  void commit(std::size_t n) {
    if (v1_size_ == v2_mode) v1_size_ = container_.size();  // nothing was prepared
    v1_size_ += std::min(n, container_.size() - v1_size_);
    container_.resize(v1_size_);
  }

  void grow(std::size_t n) {
    check_room(n);
    container_.resize(size() + n);
  }

  void shrink(std::size_t n) { container_.resize(n > size() ? 0 : size() - n); }

  void consume(std::size_t n) {
    if (v1_size_ != v2_mode) {
      const std::size_t length = std::min(n, v1_size_);
      container_.erase(container_.begin(),
                       container_.begin() + static_cast<std::ptrdiff_t>(length));
      v1_size_ -= length;
      return;
    }
    const std::size_t length = std::min(n, container_.size());
    container_.erase(container_.begin(), container_.begin() + static_cast<std::ptrdiff_t>(length));
  }

 private:
  static constexpr std::size_t v2_mode = no_size_limit;

  void check_room(std::size_t n) const {
    if (size() > max_size() || max_size() - size() < n)
      throw std::length_error("rill::dynamic_buffer: size would exceed max_size()");
  }

  Container& container_;
  // v2_mode until the first prepare(); then the size of the input sequence.
  std::size_t v1_size_ = v2_mode;
  const std::size_t max_size_;
};

}  // namespace detail

// A dynamic buffer over a std::basic_string that the caller owns and keeps
// alive. Existing characters are the initial contents.
template <typename Elem, typename Traits, typename Allocator>
requires detail::byte_element<Elem>
class dynamic_string_buffer
    : public detail::dynamic_container_buffer<std::basic_string<Elem, Traits, Allocator>> {
 public:
  using detail::dynamic_container_buffer<
      std::basic_string<Elem, Traits, Allocator>>::dynamic_container_buffer;
};

// A dynamic buffer over a std::vector that the caller owns and keeps alive.
template <typename Elem, typename Allocator>
requires detail::byte_element<Elem>
class dynamic_vector_buffer
    : public detail::dynamic_container_buffer<std::vector<Elem, Allocator>> {
 public:
  using detail::dynamic_container_buffer<std::vector<Elem, Allocator>>::dynamic_container_buffer;
};

template <detail::byte_element Elem, typename Traits, typename Allocator>
[[nodiscard]] dynamic_string_buffer<Elem, Traits, Allocator> dynamic_buffer(
    std::basic_string<Elem, Traits, Allocator>& data) noexcept {
  return dynamic_string_buffer<Elem, Traits, Allocator>(data);
}

template <detail::byte_element Elem, typename Traits, typename Allocator>
[[nodiscard]] dynamic_string_buffer<Elem, Traits, Allocator> dynamic_buffer(
    std::basic_string<Elem, Traits, Allocator>& data, std::size_t max_size) noexcept {
  return dynamic_string_buffer<Elem, Traits, Allocator>(data, max_size);
}

template <detail::byte_element Elem, typename Allocator>
[[nodiscard]] dynamic_vector_buffer<Elem, Allocator> dynamic_buffer(
    std::vector<Elem, Allocator>& data) noexcept {
  return dynamic_vector_buffer<Elem, Allocator>(data);
}

template <detail::byte_element Elem, typename Allocator>
[[nodiscard]] dynamic_vector_buffer<Elem, Allocator> dynamic_buffer(
    std::vector<Elem, Allocator>& data, std::size_t max_size) noexcept {
  return dynamic_vector_buffer<Elem, Allocator>(data, max_size);
}

}  // namespace rill
