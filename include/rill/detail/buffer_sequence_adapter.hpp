// rill/detail/buffer_sequence_adapter.hpp - a buffer sequence as an iovec array.
#pragma once

#include <sys/uio.h>

#include <cstddef>

#include <rill/buffer.hpp>

namespace rill::detail {

// Gathers up to max_buffers buffers of a sequence into iovecs for
// readv/sendmsg-style calls, as Asio's adapter does; any further buffers
// are left for a later call (the system call would take a partial transfer
// anyway).
template <typename Buffer, typename Buffers>
class buffer_sequence_adapter {
 public:
  static constexpr std::size_t max_buffers = 64;

  explicit buffer_sequence_adapter(const Buffers& buffers) noexcept {
    auto it = rill::buffer_sequence_begin(buffers);
    const auto end = rill::buffer_sequence_end(buffers);
    for (; it != end && count_ < max_buffers; ++it) {
      const Buffer b(*it);
      iov_[count_].iov_base = const_cast<void*>(static_cast<const void*>(b.data()));
      iov_[count_].iov_len = b.size();
      total_size_ += b.size();
      ++count_;
    }
  }

  buffer_sequence_adapter(const buffer_sequence_adapter&) = delete;
  buffer_sequence_adapter& operator=(const buffer_sequence_adapter&) = delete;

  [[nodiscard]] iovec* buffers() noexcept { return iov_; }
  [[nodiscard]] std::size_t count() const noexcept { return count_; }
  [[nodiscard]] std::size_t total_size() const noexcept { return total_size_; }
  [[nodiscard]] bool all_empty() const noexcept { return total_size_ == 0; }

 private:
  iovec iov_[max_buffers];
  std::size_t count_ = 0;
  std::size_t total_size_ = 0;
};

}  // namespace rill::detail
