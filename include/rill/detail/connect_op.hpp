// rill/detail/connect_op.hpp - the loops behind rill::connect and
// rill::async_connect.
#pragma once

#include <concepts>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>

#include <rill/basic_socket.hpp>
#include <rill/detail/bind_handler.hpp>
#include <rill/detail/composed_op.hpp>
#include <rill/error.hpp>
#include <rill/error_code.hpp>
#include <rill/post.hpp>

namespace rill::detail {

// What an endpoint sequence may hold: endpoints, or entries that have an
// endpoint() (or convert to one), as resolver results do.
template <typename T, typename Endpoint>
concept endpoint_entry = std::convertible_to<const T&, Endpoint> || requires(const T& t) {
  { t.endpoint() } -> std::convertible_to<Endpoint>;
};

template <typename Endpoint, typename T>
Endpoint entry_endpoint(const T& entry) {
  if constexpr (std::convertible_to<const T&, Endpoint>) {
    return entry;
  } else {
    return entry.endpoint();
  }
}

// Asio's EndpointSequence: something with begin() and end() (a container,
// resolver results, a view) over endpoint entries.
template <typename T, typename Endpoint>
concept endpoint_sequence = requires(const T& t) {
  { t.begin() != t.end() } -> std::convertible_to<bool>;
  requires endpoint_entry<std::remove_cvref_t<decltype(*t.begin())>, Endpoint>;
};

// An iterator over endpoint entries, for the overloads that take a
// [begin, end) pair.
template <typename T, typename Endpoint>
concept endpoint_iterator = std::copyable<T> && !endpoint_sequence<T, Endpoint> && requires(T it) {
  ++it;
  { it != it } -> std::convertible_to<bool>;
  requires endpoint_entry<std::remove_cvref_t<decltype(*it)>, Endpoint>;
};

// A connect condition is asked, before each attempt, whether to try the
// next endpoint: bool condition(const error_code& last_error, const
// Endpoint& next). Endpoints it refuses are skipped.
template <typename T, typename Endpoint>
concept connect_condition =
    std::invocable<T&, const error_code&, const Endpoint&> &&
    std::convertible_to < std::invoke_result_t<T&, const error_code&, const Endpoint&>,
bool > ;

// The condition of the overloads without one: try every endpoint.
struct default_connect_condition {
  template <typename Endpoint>
  bool operator()(const error_code& /*ec*/, const Endpoint& /*next*/) const noexcept {
    return true;
  }
};

// The first endpoint from it on that the condition accepts, or end. The
// condition gets the entry itself when it can take it (as in Asio, where a
// resolver entry converts to its endpoint), otherwise its endpoint.
template <typename Endpoint, typename ConnectCondition, typename Iterator>
Iterator next_accepted(ConnectCondition& condition, const error_code& ec, Iterator it,
                       const Iterator& end) {
  if constexpr (std::same_as<ConnectCondition, default_connect_condition>) {
    return it;
  } else {
    for (; it != end; ++it) {
      using entry = std::remove_cvref_t<decltype(*it)>;
      if constexpr (std::is_invocable_v<ConnectCondition&, const error_code&, const entry&>) {
        if (condition(ec, *it)) return it;
      } else {
        if (condition(ec, entry_endpoint<Endpoint>(*it))) return it;
      }
    }
    return it;
  }
}

// ---------------------------------------------------------------------------
// Synchronous loop: closes the socket and connects to each accepted
// endpoint in turn, until one succeeds. Returns its position, or end with
// the last attempt's error (error::not_found when nothing was tried).

template <typename Protocol, typename Executor, typename Iterator, typename ConnectCondition>
Iterator connect_iterators(basic_socket<Protocol, Executor>& s, Iterator begin, Iterator end,
                           ConnectCondition& condition, error_code& ec) {
  using endpoint_type = typename Protocol::endpoint;
  ec = error_code();
  for (Iterator it = std::move(begin);; ++it) {
    it = next_accepted<endpoint_type>(condition, ec, std::move(it), end);
    if (it == end) break;
    s.close(ec);
    s.connect(entry_endpoint<endpoint_type>(*it), ec);
    if (!ec) return it;
  }
  if (!ec) ec = error::not_found;
  return end;
}

// ---------------------------------------------------------------------------
// async_connect over an endpoint sequence. The sequence is copied into the
// operation (the caller's may go away), and the position in it is kept as an
// index, because the copy moves with the operation. Completion:
// void(error_code, endpoint): the endpoint connected to, or a
// default-constructed one on failure.
template <typename Protocol, typename Executor, typename EndpointSequence,
          typename ConnectCondition, typename RangeConnectHandler>
class range_connect_op : public composed_op_base<RangeConnectHandler> {
 public:
  using socket_type = basic_socket<Protocol, Executor>;
  using endpoint_type = typename Protocol::endpoint;

  template <typename C, typename H>
  range_connect_op(socket_type& socket, const EndpointSequence& endpoints, C&& condition,
                   H&& handler)
      : composed_op_base<RangeConnectHandler>(std::forward<H>(handler)),
        socket_(socket),
        endpoints_(endpoints),
        condition_(std::forward<C>(condition)) {}

  range_connect_op(range_connect_op&&) = default;
  range_connect_op(const range_connect_op&) = default;

  // start is 1 only for the call from the initiating function.
  void operator()(error_code ec, int start = 0) {
    const auto begin = std::as_const(endpoints_).begin();
    const auto end = std::as_const(endpoints_).end();
    auto it = std::next(begin, index_);
    if (start == 0) {
      // An attempt finished (or, with it at the end, nothing was tried).
      if (it == end) return this->complete(ec, endpoint_type());
      if (!socket_.is_open()) {
        return this->complete(error_code(error::operation_aborted), endpoint_type());
      }
      if (!ec) return this->complete(ec, entry_endpoint<endpoint_type>(*it));
      // A cancelled attempt ends the whole operation, as does a request
      // that arrived after the attempt had already failed.
      if (this->cancelled() != cancellation_type::none) {
        return this->complete(error_code(error::operation_aborted), endpoint_type());
      }
      ++it;
    }
    it = next_accepted<endpoint_type>(condition_, ec, std::move(it), end);
    index_ = std::distance(begin, it);
    if (it != end) {
      const endpoint_type next = entry_endpoint<endpoint_type>(*it);
      socket_.close(ec);
      socket_.async_connect(next, std::move(*this));
      return;
    }
    if (start != 0) {
      // Nothing to try. The handler must not run inside the initiating
      // function: the result goes through the socket's executor, and comes
      // back here with it at the end.
      rill::post(socket_.get_executor(),
                 bind_handler(std::move(*this), error_code(error::not_found)));
      return;
    }
    this->complete(ec, endpoint_type());
  }

 private:
  socket_type& socket_;
  EndpointSequence endpoints_;
  [[no_unique_address]] ConnectCondition condition_;
  std::iter_difference_t<decltype(std::declval<const EndpointSequence&>().begin())> index_ = 0;
};

// async_connect over [begin, end). Completion: void(error_code, Iterator):
// the endpoint's position, or end on failure.
template <typename Protocol, typename Executor, typename Iterator, typename ConnectCondition,
          typename IteratorConnectHandler>
class iterator_connect_op : public composed_op_base<IteratorConnectHandler> {
 public:
  using socket_type = basic_socket<Protocol, Executor>;
  using endpoint_type = typename Protocol::endpoint;

  template <typename C, typename H>
  iterator_connect_op(socket_type& socket, const Iterator& begin, const Iterator& end,
                      C&& condition, H&& handler)
      : composed_op_base<IteratorConnectHandler>(std::forward<H>(handler)),
        socket_(socket),
        iter_(begin),
        end_(end),
        condition_(std::forward<C>(condition)) {}

  iterator_connect_op(iterator_connect_op&&) = default;
  iterator_connect_op(const iterator_connect_op&) = default;

  void operator()(error_code ec, int start = 0) {
    if (start == 0) {
      if (iter_ == end_) return this->complete(ec, iter_);
      if (!socket_.is_open()) return this->complete(error_code(error::operation_aborted), iter_);
      if (!ec) return this->complete(ec, iter_);
      if (this->cancelled() != cancellation_type::none) {
        return this->complete(error_code(error::operation_aborted), end_);
      }
      ++iter_;
    }
    iter_ = next_accepted<endpoint_type>(condition_, ec, std::move(iter_), end_);
    if (iter_ != end_) {
      const endpoint_type next = entry_endpoint<endpoint_type>(*iter_);
      socket_.close(ec);
      socket_.async_connect(next, std::move(*this));
      return;
    }
    if (start != 0) {
      rill::post(socket_.get_executor(),
                 bind_handler(std::move(*this), error_code(error::not_found)));
      return;
    }
    this->complete(ec, iter_);
  }

 private:
  socket_type& socket_;
  Iterator iter_;
  Iterator end_;
  [[no_unique_address]] ConnectCondition condition_;
};

template <typename Protocol, typename Executor>
class initiate_async_range_connect {
 public:
  using executor_type = Executor;

  explicit initiate_async_range_connect(basic_socket<Protocol, Executor>& s) noexcept
      : socket_(s) {}

  [[nodiscard]] executor_type get_executor() const { return socket_.get_executor(); }

  template <typename Handler, typename EndpointSequence, typename ConnectCondition>
  void operator()(Handler&& handler, const EndpointSequence& endpoints,
                  ConnectCondition&& condition) const {
    range_connect_op<Protocol, Executor, EndpointSequence, std::decay_t<ConnectCondition>,
                     std::decay_t<Handler>>(socket_, endpoints,
                                            std::forward<ConnectCondition>(condition),
                                            std::forward<Handler>(handler))(error_code(), 1);
  }

 private:
  basic_socket<Protocol, Executor>& socket_;
};

template <typename Protocol, typename Executor>
class initiate_async_iterator_connect {
 public:
  using executor_type = Executor;

  explicit initiate_async_iterator_connect(basic_socket<Protocol, Executor>& s) noexcept
      : socket_(s) {}

  [[nodiscard]] executor_type get_executor() const { return socket_.get_executor(); }

  template <typename Handler, typename Iterator, typename ConnectCondition>
  void operator()(Handler&& handler, const Iterator& begin, const Iterator& end,
                  ConnectCondition&& condition) const {
    iterator_connect_op<Protocol, Executor, Iterator, std::decay_t<ConnectCondition>,
                        std::decay_t<Handler>>(socket_, begin, end,
                                               std::forward<ConnectCondition>(condition),
                                               std::forward<Handler>(handler))(error_code(), 1);
  }

 private:
  basic_socket<Protocol, Executor>& socket_;
};

}  // namespace rill::detail
