// cancellation_signal, cancellation_slot, cancellation_type, cancellation_state
// and associated_cancellation_slot: installing, replacing, clearing and
// calling handlers; the signal's handler memory reused without allocating;
// filters; the association found through a nested type, a specialisation
// and the library's wrappers.
#include <rill/cancellation_signal.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include <rill/associated_cancellation_slot.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_cancellation_slot.hpp>
#include <rill/bind_executor.hpp>
#include <rill/cancellation_state.hpp>
#include <rill/cancellation_type.hpp>
#include <rill/detail/bind_handler.hpp>
#include <rill/io_context.hpp>

#include "support/heap_counter.hpp"

namespace {

using rill::cancellation_type;

TEST(cancellation_type, bit_operators) {
  constexpr auto tp = cancellation_type::terminal | cancellation_type::partial;
  static_assert(static_cast<unsigned>(tp) == 3u);
  static_assert((tp & cancellation_type::partial) == cancellation_type::partial);
  static_assert((tp & cancellation_type::total) == cancellation_type::none);
  static_assert((tp ^ cancellation_type::terminal) == cancellation_type::partial);
  static_assert((~cancellation_type::none) == cancellation_type::all);
  static_assert(!cancellation_type::none);
  static_assert(!!cancellation_type::total);
  auto t = cancellation_type::none;
  t |= cancellation_type::total;
  EXPECT_EQ(t, cancellation_type::total);
  t &= cancellation_type::terminal;
  EXPECT_EQ(t, cancellation_type::none);
  t ^= cancellation_type::partial;
  EXPECT_EQ(t, cancellation_type::partial);
  static_assert(std::is_same_v<rill::cancellation_type_t, cancellation_type>);
}

// Counts its calls, constructions and destructions.
struct counts {
  int calls = 0;
  int alive = 0;
  cancellation_type last = cancellation_type::none;
};

struct counting_handler {
  explicit counting_handler(counts& c) : c_(&c) { ++c_->alive; }
  counting_handler(const counting_handler& other) : c_(other.c_) { ++c_->alive; }
  ~counting_handler() { --c_->alive; }
  void operator()(cancellation_type t) {
    ++c_->calls;
    c_->last = t;
  }
  counts* c_;
};

// Neither copyable nor movable: emplace must construct it in place.
struct pinned_handler {
  explicit pinned_handler(int& calls) : calls_(&calls) {}
  pinned_handler(const pinned_handler&) = delete;
  pinned_handler& operator=(const pinned_handler&) = delete;
  void operator()(cancellation_type /*t*/) { ++*calls_; }
  int* calls_;
};

// Bigger than the signal's inline storage.
struct big_handler {
  explicit big_handler(counts& c) : c_(&c) { ++c_->alive; }
  ~big_handler() { --c_->alive; }
  big_handler(const big_handler&) = delete;
  big_handler& operator=(const big_handler&) = delete;
  void operator()(cancellation_type t) {
    ++c_->calls;
    c_->last = t;
    payload_[0] = 1;
  }
  counts* c_;
  std::array<std::uint64_t, 16> payload_{};
};

TEST(cancellation_slot, default_slot_is_not_connected) {
  rill::cancellation_slot slot;
  EXPECT_FALSE(slot.is_connected());
  EXPECT_FALSE(slot.has_handler());
  slot.clear();  // harmless
  EXPECT_TRUE(slot == rill::cancellation_slot());
}

TEST(cancellation_signal, emit_without_handler_does_nothing) {
  rill::cancellation_signal sig;
  sig.emit(cancellation_type::terminal);
  EXPECT_TRUE(sig.slot().is_connected());
  EXPECT_FALSE(sig.slot().has_handler());
}

TEST(cancellation_signal, emplace_assign_replace_clear) {
  rill::cancellation_signal sig;
  rill::cancellation_slot slot = sig.slot();
  EXPECT_TRUE(slot == sig.slot());
  rill::cancellation_signal other;
  EXPECT_TRUE(slot != other.slot());

  counts a;
  counting_handler& installed = slot.emplace<counting_handler>(a);
  EXPECT_EQ(installed.c_, &a);
  EXPECT_TRUE(slot.has_handler());
  EXPECT_EQ(a.alive, 1);
  sig.emit(cancellation_type::partial);
  sig.emit(cancellation_type::total);
  EXPECT_EQ(a.calls, 2);
  EXPECT_EQ(a.last, cancellation_type::total);

  // Installing another destroys the first.
  counts b;
  slot.assign(counting_handler(b));
  EXPECT_EQ(a.alive, 0);
  EXPECT_EQ(b.alive, 1);
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(a.calls, 2);
  EXPECT_EQ(b.calls, 1);

  int pinned_calls = 0;
  slot.emplace<pinned_handler>(pinned_calls);
  EXPECT_EQ(b.alive, 0);
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(pinned_calls, 1);

  slot.clear();
  EXPECT_FALSE(slot.has_handler());
  EXPECT_TRUE(slot.is_connected());
  sig.emit(cancellation_type::terminal);
  EXPECT_EQ(pinned_calls, 1);
}

TEST(cancellation_signal, destruction_destroys_the_handler) {
  counts a;
  counts big;
  {
    rill::cancellation_signal sig;
    sig.slot().emplace<counting_handler>(a);
    EXPECT_EQ(a.alive, 1);
  }
  EXPECT_EQ(a.alive, 0);
  {
    rill::cancellation_signal sig;
    sig.slot().emplace<big_handler>(big);
    sig.emit(cancellation_type::terminal);
    EXPECT_EQ(big.calls, 1);
  }
  EXPECT_EQ(big.alive, 0);
}

TEST(cancellation_signal, handler_memory_is_reused_without_allocating) {
  rill::cancellation_signal sig;
  counts c;
  // Warm up: the big handler's block is taken once and kept by the signal.
  sig.slot().emplace<big_handler>(c);
  sig.slot().clear();
  rill_test::heap_scope heap;
  for (int i = 0; i < 100; ++i) {
    sig.slot().emplace<counting_handler>(c);
    sig.slot().emplace<big_handler>(c);
    sig.emit(cancellation_type::terminal);
    sig.slot().clear();
  }
  EXPECT_EQ(heap.count(), 0u);
  EXPECT_EQ(c.calls, 100);
  EXPECT_EQ(c.alive, 0);

  // Small handlers never need memory beyond the signal itself.
  rill::cancellation_signal fresh;
  rill_test::heap_scope heap2;
  fresh.slot().emplace<counting_handler>(c);
  fresh.emit(cancellation_type::terminal);
  EXPECT_EQ(heap2.count(), 0u);
}

TEST(cancellation_signal, throwing_constructor_leaves_the_slot_empty) {
  struct throwing {
    explicit throwing(int /*x*/) { throw std::runtime_error("no"); }
    void operator()(cancellation_type /*t*/) {}
  };
  rill::cancellation_signal sig;
  counts c;
  sig.slot().emplace<counting_handler>(c);
  EXPECT_THROW(sig.slot().emplace<throwing>(1), std::runtime_error);
  EXPECT_FALSE(sig.slot().has_handler());
  EXPECT_EQ(c.alive, 0);
  sig.emit(cancellation_type::terminal);
}

TEST(cancellation_state, records_filters_and_forwards) {
  rill::cancellation_signal parent;
  rill::cancellation_state state(parent.slot());  // terminal only
  EXPECT_TRUE(parent.slot().has_handler());
  EXPECT_EQ(state.cancelled(), cancellation_type::none);
  counts child;
  state.slot().emplace<counting_handler>(child);

  parent.emit(cancellation_type::partial);  // filtered out
  EXPECT_EQ(state.cancelled(), cancellation_type::none);
  EXPECT_EQ(child.calls, 0);

  parent.emit(cancellation_type::terminal | cancellation_type::partial);
  EXPECT_EQ(state.cancelled(), cancellation_type::terminal);
  EXPECT_EQ(child.calls, 1);
  EXPECT_EQ(child.last, cancellation_type::terminal);

  state.clear();
  EXPECT_EQ(state.cancelled(), cancellation_type::none);

  // One filter in, another out.
  rill::cancellation_state two(parent.slot(), rill::enable_total_cancellation(),
                               rill::enable_terminal_cancellation());
  EXPECT_EQ(child.alive, 0);  // the old state (and its child handler) went
  counts child2;
  two.slot().emplace<counting_handler>(child2);
  parent.emit(cancellation_type::total);
  EXPECT_EQ(two.cancelled(), cancellation_type::total);
  EXPECT_EQ(child2.calls, 0);  // out filter lets terminal only
  parent.emit(cancellation_type::all);
  EXPECT_EQ(child2.calls, 1);

  rill::cancellation_state partial(parent.slot(), rill::enable_partial_cancellation());
  parent.emit(cancellation_type::all);
  EXPECT_EQ(partial.cancelled(), cancellation_type::terminal | cancellation_type::partial);
  partial.clear(cancellation_type::terminal);
  EXPECT_EQ(partial.cancelled(), cancellation_type::partial);

  rill::cancellation_state disabled(parent.slot(), rill::disable_cancellation());
  parent.emit(cancellation_type::all);
  EXPECT_EQ(disabled.cancelled(), cancellation_type::none);

  // Attached to nothing: nothing to record, an unconnected child slot.
  rill::cancellation_state detached{rill::cancellation_slot()};
  EXPECT_FALSE(detached.slot().is_connected());
  EXPECT_EQ(detached.cancelled(), cancellation_type::none);
  rill::cancellation_state empty;
  EXPECT_FALSE(empty.slot().is_connected());
}

// Handlers with and without slots of their own.
struct plain_handler {
  void operator()(std::error_code /*ec*/) {}
};

struct nested_slot_handler {
  using cancellation_slot_type = rill::cancellation_slot;
  cancellation_slot_type get_cancellation_slot() const noexcept { return slot; }
  void operator()(std::error_code /*ec*/) {}
  rill::cancellation_slot slot;
};

struct specialised_handler {
  void operator()(std::error_code /*ec*/) {}
  rill::cancellation_signal* signal;
};

template <typename Wrapped>
struct wrapper_template {
  Wrapped inner;
};

}  // namespace

template <typename S>
struct rill::associated_cancellation_slot<specialised_handler, S> {
  using type = rill::cancellation_slot;
  static type get(const specialised_handler& h, const S& /*s*/ = S()) noexcept {
    return h.signal->slot();
  }
};

// A partial specialisation for a template.
template <typename Wrapped, typename S>
struct rill::associated_cancellation_slot<wrapper_template<Wrapped>, S> {
  using type = rill::associated_cancellation_slot_t<Wrapped, S>;
  static type get(const wrapper_template<Wrapped>& w, const S& s = S()) noexcept {
    return rill::associated_cancellation_slot<Wrapped, S>::get(w.inner, s);
  }
};

namespace {

TEST(associated_cancellation_slot, default_nested_specialised_and_candidate) {
  rill::cancellation_signal sig;
  plain_handler plain;
  static_assert(
      std::is_same_v<rill::associated_cancellation_slot_t<plain_handler>, rill::cancellation_slot>);
  EXPECT_FALSE(rill::get_associated_cancellation_slot(plain).is_connected());
  EXPECT_TRUE(rill::get_associated_cancellation_slot(plain, sig.slot()) == sig.slot());
  static_assert(!rill::detail::has_own_cancellation_slot<plain_handler>);

  nested_slot_handler nested{sig.slot()};
  EXPECT_TRUE(rill::get_associated_cancellation_slot(nested) == sig.slot());
  static_assert(rill::detail::has_own_cancellation_slot<nested_slot_handler>);

  specialised_handler spec{&sig};
  EXPECT_TRUE(rill::get_associated_cancellation_slot(spec) == sig.slot());

  wrapper_template<nested_slot_handler> wrapped{nested};
  EXPECT_TRUE(rill::get_associated_cancellation_slot(wrapped) == sig.slot());
}

TEST(associated_cancellation_slot, library_wrappers_forward_their_targets_slot) {
  rill::cancellation_signal sig;
  rill::io_context ioc;
  auto bound = rill::bind_cancellation_slot(sig.slot(), plain_handler{});
  EXPECT_TRUE(rill::get_associated_cancellation_slot(bound) == sig.slot());

  auto on_executor = rill::bind_executor(ioc.get_executor(), bound);
  EXPECT_TRUE(rill::get_associated_cancellation_slot(on_executor) == sig.slot());
  auto with_allocator = rill::bind_allocator(std::allocator<void>(), bound);
  EXPECT_TRUE(rill::get_associated_cancellation_slot(with_allocator) == sig.slot());
  auto with_args = rill::detail::bind_handler(bound, std::error_code());
  EXPECT_TRUE(rill::get_associated_cancellation_slot(with_args) == sig.slot());

  // And the slot binder keeps its target's other associations.
  auto alloc_then_slot = rill::bind_cancellation_slot(
      sig.slot(), rill::bind_allocator(std::allocator<int>(), plain_handler{}));
  static_assert(
      std::is_same_v<rill::associated_allocator_t<decltype(alloc_then_slot)>, std::allocator<int>>);
  auto ex_then_slot = rill::bind_cancellation_slot(
      sig.slot(), rill::bind_executor(ioc.get_executor(), plain_handler{}));
  EXPECT_TRUE(rill::get_associated_executor(ex_then_slot) == ioc.get_executor());

  // Wrappers of a plain handler have no slot of their own.
  auto plain_on_executor = rill::bind_executor(ioc.get_executor(), plain_handler{});
  EXPECT_FALSE(rill::get_associated_cancellation_slot(plain_on_executor).is_connected());
  static_assert(!rill::detail::has_own_cancellation_slot<decltype(plain_on_executor)>);
}

}  // namespace
