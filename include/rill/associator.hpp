// rill/associator.hpp - forwarding every association of a wrapped handler.
#pragma once

namespace rill {

// Specialised by handler wrappers (as_tuple's, redirect_error's, a composed
// operation's) so that associated_allocator, associated_executor and
// associated_cancellation_slot of the wrapper are those of the handler it
// wraps, as Asio's associator. A specialisation derives from
// Associator<Inner, DefaultCandidate> and provides
//   static type get(const T&, const DefaultCandidate& = DefaultCandidate()).
template <template <typename, typename> class Associator, typename T, typename DefaultCandidate>
struct associator;

namespace detail {
template <template <typename, typename> class Associator, typename T, typename DefaultCandidate>
concept has_associator = requires {
  typename associator<Associator, T, DefaultCandidate>::type;
};
}  // namespace detail

}  // namespace rill
