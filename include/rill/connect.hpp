// rill/connect.hpp - connect a socket to the first endpoint that accepts.
#pragma once

#include <utility>

#include <rill/async_result.hpp>
#include <rill/basic_socket.hpp>
#include <rill/detail/connect_op.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error_code.hpp>

namespace rill {

// rill::connect tries the endpoints of a sequence (a container of
// endpoints, resolver results: anything with begin() and end() over
// endpoints or over entries with an endpoint()) or of an iterator range, in
// order: before each attempt it closes the socket, then connects it (which
// opens it with the endpoint's protocol). It stops at the first success.
// An optional connect condition,
//   bool condition(const error_code& last_error, const endpoint_type& next);
// is asked before each attempt; endpoints it refuses are skipped.
//
// On failure it reports the last attempt's error, or error::not_found when
// no attempt was made (an empty sequence, or the condition refused every
// endpoint). The sequence overloads return the endpoint connected to (a
// default-constructed endpoint on failure), the iterator overloads its
// position (end on failure). The throwing overloads throw
// rill::system_error; the others set ec.

// ---------------------------------------------------------------------------
// Endpoint sequences.

template <typename Protocol, typename Executor, typename EndpointSequence,
          detail::connect_condition<typename Protocol::endpoint> ConnectCondition>
requires detail::endpoint_sequence<EndpointSequence, typename Protocol::endpoint>
typename Protocol::endpoint connect(basic_socket<Protocol, Executor>& s,
                                    const EndpointSequence& endpoints,
                                    ConnectCondition connect_condition, error_code& ec) {
  const auto it =
      detail::connect_iterators(s, endpoints.begin(), endpoints.end(), connect_condition, ec);
  if (ec) return typename Protocol::endpoint();
  return detail::entry_endpoint<typename Protocol::endpoint>(*it);
}

template <typename Protocol, typename Executor, typename EndpointSequence,
          detail::connect_condition<typename Protocol::endpoint> ConnectCondition>
requires detail::endpoint_sequence<EndpointSequence, typename Protocol::endpoint>
typename Protocol::endpoint connect(basic_socket<Protocol, Executor>& s,
                                    const EndpointSequence& endpoints,
                                    ConnectCondition connect_condition) {
  error_code ec;
  auto result = rill::connect(s, endpoints, std::move(connect_condition), ec);
  detail::throw_error(ec, "connect");
  return result;
}

template <typename Protocol, typename Executor, typename EndpointSequence>
requires detail::endpoint_sequence<EndpointSequence, typename Protocol::endpoint>
typename Protocol::endpoint connect(basic_socket<Protocol, Executor>& s,
                                    const EndpointSequence& endpoints, error_code& ec) {
  return rill::connect(s, endpoints, detail::default_connect_condition(), ec);
}

template <typename Protocol, typename Executor, typename EndpointSequence>
requires detail::endpoint_sequence<EndpointSequence, typename Protocol::endpoint>
typename Protocol::endpoint connect(basic_socket<Protocol, Executor>& s,
                                    const EndpointSequence& endpoints) {
  return rill::connect(s, endpoints, detail::default_connect_condition());
}

// ---------------------------------------------------------------------------
// Iterator ranges.

template <typename Protocol, typename Executor, typename Iterator,
          detail::connect_condition<typename Protocol::endpoint> ConnectCondition>
requires detail::endpoint_iterator<Iterator, typename Protocol::endpoint> Iterator
connect(basic_socket<Protocol, Executor>& s, Iterator begin, Iterator end,
        ConnectCondition connect_condition, error_code& ec) {
  return detail::connect_iterators(s, std::move(begin), std::move(end), connect_condition, ec);
}

template <typename Protocol, typename Executor, typename Iterator,
          detail::connect_condition<typename Protocol::endpoint> ConnectCondition>
requires detail::endpoint_iterator<Iterator, typename Protocol::endpoint> Iterator
connect(basic_socket<Protocol, Executor>& s, Iterator begin, Iterator end,
        ConnectCondition connect_condition) {
  error_code ec;
  Iterator result =
      rill::connect(s, std::move(begin), std::move(end), std::move(connect_condition), ec);
  detail::throw_error(ec, "connect");
  return result;
}

template <typename Protocol, typename Executor, typename Iterator>
requires detail::endpoint_iterator<Iterator, typename Protocol::endpoint> Iterator
connect(basic_socket<Protocol, Executor>& s, Iterator begin, Iterator end, error_code& ec) {
  return rill::connect(s, std::move(begin), std::move(end), detail::default_connect_condition(),
                       ec);
}

template <typename Protocol, typename Executor, typename Iterator>
requires detail::endpoint_iterator<Iterator, typename Protocol::endpoint> Iterator
connect(basic_socket<Protocol, Executor>& s, Iterator begin, Iterator end) {
  return rill::connect(s, std::move(begin), std::move(end), detail::default_connect_condition());
}

// ---------------------------------------------------------------------------
// async_connect: the same, with the socket's async_connect. Completion
// signatures:
//   void(error_code ec, typename Protocol::endpoint endpoint)  (sequences)
//   void(error_code ec, Iterator iterator)                     (iterators)
//
// The socket must outlive the operation; an endpoint sequence is copied
// (resolver results cheaply: they share their entries), the iterators of an
// iterator range must stay valid. The handler is never invoked inside this
// call, not even for an empty sequence (error::not_found is then delivered
// through the socket's executor). Each connect attempt takes its memory from
// the handler's associated allocator and frees it before the next; the
// handler runs on its associated executor. Closing the socket while an
// attempt is pending ends the operation with error::operation_aborted.

template <typename Protocol, typename Executor, typename EndpointSequence,
          detail::connect_condition<typename Protocol::endpoint> ConnectCondition,
          typename RangeConnectToken>
requires detail::endpoint_sequence<EndpointSequence, typename Protocol::endpoint>
decltype(auto) async_connect(basic_socket<Protocol, Executor>& s, const EndpointSequence& endpoints,
                             ConnectCondition connect_condition, RangeConnectToken&& token) {
  return async_initiate<RangeConnectToken, void(error_code, typename Protocol::endpoint)>(
      detail::initiate_async_range_connect<Protocol, Executor>(s), token, endpoints,
      std::move(connect_condition));
}

template <typename Protocol, typename Executor, typename EndpointSequence,
          typename RangeConnectToken = default_completion_token_t<Executor>>
requires detail::endpoint_sequence<EndpointSequence, typename Protocol::endpoint>
decltype(auto) async_connect(basic_socket<Protocol, Executor>& s, const EndpointSequence& endpoints,
                             RangeConnectToken&& token = default_completion_token_t<Executor>()) {
  return async_initiate<RangeConnectToken, void(error_code, typename Protocol::endpoint)>(
      detail::initiate_async_range_connect<Protocol, Executor>(s), token, endpoints,
      detail::default_connect_condition());
}

template <typename Protocol, typename Executor, typename Iterator,
          detail::connect_condition<typename Protocol::endpoint> ConnectCondition,
          typename IteratorConnectToken>
requires detail::endpoint_iterator<Iterator, typename Protocol::endpoint>
decltype(auto) async_connect(basic_socket<Protocol, Executor>& s, Iterator begin, Iterator end,
                             ConnectCondition connect_condition, IteratorConnectToken&& token) {
  return async_initiate<IteratorConnectToken, void(error_code, Iterator)>(
      detail::initiate_async_iterator_connect<Protocol, Executor>(s), token, begin, end,
      std::move(connect_condition));
}

template <typename Protocol, typename Executor, typename Iterator,
          typename IteratorConnectToken = default_completion_token_t<Executor>>
requires detail::endpoint_iterator<Iterator, typename Protocol::endpoint>
decltype(auto) async_connect(
    basic_socket<Protocol, Executor>& s, Iterator begin, Iterator end,
    IteratorConnectToken&& token = default_completion_token_t<Executor>()) {
  return async_initiate<IteratorConnectToken, void(error_code, Iterator)>(
      detail::initiate_async_iterator_connect<Protocol, Executor>(s), token, begin, end,
      detail::default_connect_condition());
}

}  // namespace rill
