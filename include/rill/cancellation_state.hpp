// rill/cancellation_state.hpp - cancellation as seen by a composed operation.
#pragma once

#include <utility>

#include <rill/cancellation_signal.hpp>
#include <rill/cancellation_type.hpp>

namespace rill {

// Passes on only the cancellation types in Mask.
template <cancellation_type Mask>
struct cancellation_filter {
  constexpr cancellation_type operator()(cancellation_type type) const noexcept {
    return type & Mask;
  }
};

using disable_cancellation = cancellation_filter<cancellation_type::none>;
using enable_terminal_cancellation = cancellation_filter<cancellation_type::terminal>;
using enable_partial_cancellation =
    cancellation_filter<cancellation_type::terminal | cancellation_type::partial>;
using enable_total_cancellation =
    cancellation_filter<cancellation_type::terminal | cancellation_type::partial |
                        cancellation_type::total>;

// What a composed operation keeps of its handler's cancellation slot, as in
// Asio: a handler installed in that (parent) slot records which cancellation
// was requested, filtered by in_filter, and forwards it, filtered by
// out_filter, to a child slot() in which the operation's current step
// (an intermediate operation) installs its own handler.
//
// The recorded state lives inside the parent signal's handler memory, so a
// cancellation_state is a pointer, cheap to copy with the operation that
// holds it, and needs no allocation of its own once the parent signal is
// warm. It is valid while the parent slot keeps this handler installed.
class cancellation_state {
 public:
  constexpr cancellation_state() noexcept = default;

  // Attaches to slot, allowing terminal cancellation only.
  template <typename CancellationSlot>
  explicit cancellation_state(CancellationSlot slot)
      : impl_(slot.is_connected() ? &slot.template emplace<impl<>>() : nullptr) {}

  // Attaches to slot with one filter for incoming and outgoing requests.
  template <typename CancellationSlot, typename Filter>
  cancellation_state(CancellationSlot slot, Filter filter)
      : impl_(slot.is_connected() ? &slot.template emplace<impl<Filter, Filter>>(filter, filter)
                                  : nullptr) {}

  template <typename CancellationSlot, typename InFilter, typename OutFilter>
  cancellation_state(CancellationSlot slot, InFilter in_filter, OutFilter out_filter)
      : impl_(slot.is_connected() ? &slot.template emplace<impl<InFilter, OutFilter>>(
                                        std::move(in_filter), std::move(out_filter))
                                  : nullptr) {}

  // The slot for the operation's current step.
  [[nodiscard]] cancellation_slot slot() const noexcept {
    return impl_ != nullptr ? impl_->signal_.slot() : cancellation_slot();
  }

  // The cancellation requested so far (after in_filter).
  [[nodiscard]] cancellation_type cancelled() const noexcept {
    return impl_ != nullptr ? impl_->cancelled_ : cancellation_type::none;
  }

  // Forgets the requested types in mask.
  void clear(cancellation_type mask = cancellation_type::all) noexcept {
    if (impl_ != nullptr) impl_->cancelled_ &= ~mask;
  }

 private:
  struct impl_base {
    cancellation_signal signal_;
    cancellation_type cancelled_ = cancellation_type::none;
  };

  template <typename InFilter = enable_terminal_cancellation, typename OutFilter = InFilter>
  struct impl : impl_base {
    impl() = default;
    impl(InFilter in_filter, OutFilter out_filter)
        : in_filter_(std::move(in_filter)), out_filter_(std::move(out_filter)) {}

    void operator()(cancellation_type in) {
      this->cancelled_ = in_filter_(in);
      const cancellation_type out = out_filter_(this->cancelled_);
      if (out != cancellation_type::none) this->signal_.emit(out);
    }

    [[no_unique_address]] InFilter in_filter_{};
    [[no_unique_address]] OutFilter out_filter_{};
  };

  impl_base* impl_ = nullptr;
};

}  // namespace rill
