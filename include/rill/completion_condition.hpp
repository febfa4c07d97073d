// rill/completion_condition.hpp - when a composed read or write is done.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>

#include <rill/error_code.hpp>

namespace rill {

// A completion condition tells rill::read, rill::write and their async
// forms, before each step, how much the next read_some/write_some may
// transfer:
//
//   std::size_t condition(const error_code& ec, std::size_t bytes_so_far);
//
// It is called with the result of the previous step (no error and 0 bytes
// before the first one) and returns the largest number of bytes the next
// step may transfer, or 0 to finish. As in Asio, a condition that returns
// bool instead means "finished?": true finishes, false allows a step of
// default_max_transfer_size bytes.

namespace detail {

// The largest step a composed operation takes when its condition sets no
// smaller limit, as in Asio.
inline constexpr std::size_t default_max_transfer_size = 65536;

// A function object that can act as a completion condition.
template <typename T>
concept completion_condition = std::invocable<T&, const error_code&, std::size_t> &&
    std::convertible_to<std::invoke_result_t<T&, const error_code&, std::size_t>, std::size_t>;

// Calls the condition and turns a bool answer into a step size.
template <typename CompletionCondition>
std::size_t check_completion(CompletionCondition& condition, const error_code& ec,
                             std::size_t bytes_so_far) {
  using result = std::invoke_result_t<CompletionCondition&, const error_code&, std::size_t>;
  if constexpr (std::same_as<std::remove_cvref_t<result>, bool>) {
    return condition(ec, bytes_so_far) ? 0 : default_max_transfer_size;
  } else {
    return static_cast<std::size_t>(condition(ec, bytes_so_far));
  }
}

// Until an error, or until the buffers are full.
class transfer_all_t {
 public:
  using result_type = std::size_t;

  std::size_t operator()(const error_code& ec, std::size_t /*bytes_so_far*/) const noexcept {
    return ec ? 0 : default_max_transfer_size;
  }
};

// Until an error, or until at least minimum bytes have been transferred.
class transfer_at_least_t {
 public:
  using result_type = std::size_t;

  explicit transfer_at_least_t(std::size_t minimum) noexcept : minimum_(minimum) {}

  std::size_t operator()(const error_code& ec, std::size_t bytes_so_far) const noexcept {
    return (ec || bytes_so_far >= minimum_) ? 0 : default_max_transfer_size;
  }

 private:
  std::size_t minimum_;
};

// Until an error, or until exactly size bytes have been transferred: no
// step asks for more than what is missing.
class transfer_exactly_t {
 public:
  using result_type = std::size_t;

  explicit transfer_exactly_t(std::size_t size) noexcept : size_(size) {}

  std::size_t operator()(const error_code& ec, std::size_t bytes_so_far) const noexcept {
    if (ec || bytes_so_far >= size_) return 0;
    const std::size_t missing = size_ - bytes_so_far;
    return missing < default_max_transfer_size ? missing : default_max_transfer_size;
  }

 private:
  std::size_t size_;
};

}  // namespace detail

// Transfers until the buffers are full or an error occurs. It is the
// condition of the overloads that take none.
[[nodiscard]] inline detail::transfer_all_t transfer_all() noexcept { return {}; }

// Transfers until at least minimum bytes have arrived (or the buffers are
// full, or an error occurs). Steps may bring more than minimum in total.
[[nodiscard]] inline detail::transfer_at_least_t transfer_at_least(std::size_t minimum) noexcept {
  return detail::transfer_at_least_t(minimum);
}

// Transfers exactly size bytes (fewer if the buffers are smaller or an
// error occurs): the last step is limited to what is missing.
[[nodiscard]] inline detail::transfer_exactly_t transfer_exactly(std::size_t size) noexcept {
  return detail::transfer_exactly_t(size);
}

}  // namespace rill
