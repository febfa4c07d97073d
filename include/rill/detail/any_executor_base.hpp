// rill/detail/any_executor_base.hpp - the type erasure shared by
// execution::any_executor<Props...> and any_io_executor.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include <rill/detail/executor_function.hpp>
#include <rill/execution/bad_executor.hpp>
#include <rill/execution/execute.hpp>
#include <rill/execution/executor.hpp>
#include <rill/prefer.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>

namespace rill::detail {

// What every polymorphic executor does with its target.
struct executor_object_fns {
  const std::type_info& (*type)() noexcept;
  void (*copy)(void* dst, const void* src) noexcept;
  void (*move)(void* dst, void* src) noexcept;
  void (*destroy)(void* obj) noexcept;
  bool (*equal)(const void* a, const void* b) noexcept;
  void (*execute)(const void* obj, executor_function&& f);
};

// The target executor: one of up to four pointers lives inside the object;
// a larger one is allocated once and shared by the copies, which keeps
// copying non-throwing (executors are immutable, so sharing is invisible;
// Asio does the same).
class any_executor_storage {
 public:
  explicit operator bool() const noexcept { return fns_ != nullptr; }

  [[nodiscard]] const std::type_info& target_type() const noexcept {
    return fns_ != nullptr ? fns_->type() : typeid(void);
  }

  template <typename Executor>
  [[nodiscard]] const Executor* target() const noexcept {
    return target_type() == typeid(Executor) ? &target_ref<Executor>(object()) : nullptr;
  }
  template <typename Executor>
  [[nodiscard]] Executor* target() noexcept {
    return const_cast<Executor*>(std::as_const(*this).target<Executor>());  // NOLINT
  }

 protected:
  static constexpr std::size_t buffer_size = 4 * sizeof(void*);

  template <typename Executor>
  static constexpr bool stored_inline = sizeof(Executor) <= buffer_size &&
                                        alignof(Executor) <= alignof(std::max_align_t) &&
                                        std::is_nothrow_move_constructible_v<Executor>;

  template <typename Executor>
  using stored_type =
      std::conditional_t<stored_inline<Executor>, Executor, std::shared_ptr<const Executor>>;

  template <typename Executor>
  static const Executor& target_ref(const void* obj) noexcept {
    const auto& stored = *std::launder(static_cast<const stored_type<Executor>*>(obj));
    if constexpr (stored_inline<Executor>) {
      return stored;
    } else {
      return *stored;
    }
  }

  template <typename Executor>
  static constexpr executor_object_fns object_fns{
      []() noexcept -> const std::type_info& { return typeid(Executor); },
      [](void* dst, const void* src) noexcept {
        using stored = stored_type<Executor>;
        ::new (dst) stored(*std::launder(static_cast<const stored*>(src)));
      },
      [](void* dst, void* src) noexcept {
        using stored = stored_type<Executor>;
        auto* from = std::launder(static_cast<stored*>(src));
        ::new (dst) stored(std::move(*from));
        from->~stored();
      },
      [](void* obj) noexcept {
        using stored = stored_type<Executor>;
        std::launder(static_cast<stored*>(obj))->~stored();
      },
      [](const void* a, const void* b) noexcept {
        return target_ref<Executor>(a) == target_ref<Executor>(b);
      },
      [](const void* obj, executor_function&& f) {
        execution::execute(target_ref<Executor>(obj), std::move(f));
      },
  };

  any_executor_storage() noexcept = default;
  any_executor_storage(const any_executor_storage& other) noexcept { copy_from(other); }
  any_executor_storage(any_executor_storage&& other) noexcept { move_from(other); }
  any_executor_storage& operator=(const any_executor_storage& other) noexcept {
    if (this != &other) {
      reset();
      copy_from(other);
    }
    return *this;
  }
  any_executor_storage& operator=(any_executor_storage&& other) noexcept {
    if (this != &other) {
      reset();
      move_from(other);
    }
    return *this;
  }
  ~any_executor_storage() { reset(); }

  template <typename Executor>
  void emplace(Executor ex, const executor_object_fns* fns) {
    if constexpr (stored_inline<Executor>) {
      ::new (static_cast<void*>(buffer_)) Executor(std::move(ex));
    } else {
      ::new (static_cast<void*>(buffer_))
          std::shared_ptr<const Executor>(std::make_shared<const Executor>(std::move(ex)));
    }
    fns_ = fns;
  }

  void reset() noexcept {
    if (fns_ != nullptr) {
      fns_->destroy(buffer_);
      fns_ = nullptr;
    }
  }

  [[nodiscard]] void* object() const noexcept {
    return const_cast<unsigned char*>(buffer_);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  }

  // The function table, or bad_executor for an empty executor.
  [[nodiscard]] const executor_object_fns& checked_fns() const {
    if (fns_ == nullptr) throw execution::bad_executor();
    return *fns_;
  }

  [[nodiscard]] bool equals(const any_executor_storage& other) const noexcept {
    if (fns_ == nullptr || other.fns_ == nullptr) return fns_ == other.fns_;
    return fns_->type() == other.fns_->type() && fns_->equal(object(), other.object());
  }

  void swap_storage(any_executor_storage& other) noexcept {
    any_executor_storage tmp(std::move(other));
    other = std::move(*this);
    *this = std::move(tmp);
  }

  const executor_object_fns* fns_ = nullptr;

 private:
  void copy_from(const any_executor_storage& other) noexcept {
    if (other.fns_ != nullptr) {
      other.fns_->copy(buffer_, other.buffer_);
      fns_ = other.fns_;
    }
  }
  void move_from(any_executor_storage& other) noexcept {
    if (other.fns_ != nullptr) {
      other.fns_->move(buffer_, other.buffer_);
      fns_ = std::exchange(other.fns_, nullptr);
    }
  }

  alignas(std::max_align_t) unsigned char buffer_[buffer_size]{};
};

// ---------------------------------------------------------------------------
// Properties of a polymorphic executor.

// What the polymorphic executor Poly does for one property of its list.
template <typename Poly>
struct property_fns {
  // Writes the answer to *result: a std::optional<R>, or an R* for a
  // reference R, where R is the property's polymorphic_query_result_type.
  void (*query)(void* result, const void* obj, const void* prop);
  Poly (*require)(const void* obj, const void* prop);  // null unless requirable
  Poly (*prefer)(const void* obj, const void* prop);   // null unless preferable
};

enum class property_use { query, require, prefer };

template <property_use Use, typename Property, typename Listed>
consteval bool property_matches() {
  if constexpr (!std::is_same_v<Property, Listed> && !std::is_convertible_v<Property, Listed>) {
    return false;
  } else if constexpr (Use == property_use::require) {
    return Listed::is_requirable;
  } else if constexpr (Use == property_use::prefer) {
    return Listed::is_preferable;
  } else {
    return requires { typename Listed::polymorphic_query_result_type; };
  }
}

inline constexpr std::size_t no_property = static_cast<std::size_t>(-1);

// The index of the first listed property that Property converts to and
// that may be used this way, as Asio's find_convertible_property.
template <property_use Use, typename Property, typename... Listed>
consteval std::size_t find_property() {
  std::size_t index = 0;
  std::size_t found = no_property;
  static_cast<void>(
      ((property_matches<Use, Property, Listed>() ? (found = index, true) : (++index, false)) ||
       ...));
  return found;
}

// The I-th listed property; no member type when I is no_property, so that
// it may appear in a declaration whose constraints fail.
template <std::size_t I, typename... Listed>
struct nth_property {};
template <std::size_t I, typename... Listed>
requires(I < sizeof...(Listed)) struct nth_property<I, Listed...> {
  using type = std::tuple_element_t<I, std::tuple<Listed...>>;
};

// A target must support every listed property as the list says (Asio's
// is_valid_target): requirable ones by require, preferable ones by prefer,
// the others by query.
template <typename Executor, typename Property>
concept supports_listed_property =
    (!Property::is_requirable || can_require_v<const Executor&, const Property&>)&&(
        !Property::is_preferable ||
        can_prefer_v<const Executor&,
                     const Property&>)&&(Property::is_requirable || Property::is_preferable ||
                                         can_query_v<const Executor&, const Property&>);

// (execution::executor itself is asserted in the constructor: checking it
// here would make a wrapper's copy check depend on itself, see
// execution::detail::executes_functions.)
template <typename Executor, typename... Props>
concept valid_any_executor_target = execution::detail::executes_functions<Executor> &&
    (supports_listed_property<Executor, Props>&&...);

// execution::any_executor<Props...> and any_io_executor: Derived is the
// type that require and prefer return.
template <typename Derived, typename... Props>
class basic_any_executor : public any_executor_storage {
  template <std::size_t I>
  using listed = typename nth_property<I, Props...>::type;

  template <typename Property>
  static constexpr std::size_t query_index =
      find_property<property_use::query, Property, Props...>();
  template <typename Property>
  static constexpr std::size_t require_index =
      find_property<property_use::require, Property, Props...>();
  template <typename Property>
  static constexpr std::size_t prefer_index =
      find_property<property_use::prefer, Property, Props...>();

  template <typename Executor, typename Property>
  static void query_target(void* result, const void* obj, const void* prop) {
    using result_type = typename Property::polymorphic_query_result_type;
    const Executor& ex = target_ref<Executor>(obj);
    const Property& p = *static_cast<const Property*>(prop);
    if constexpr (!can_query_v<const Executor&, const Property&>) {
      // As in Asio: a property the target does not know answers with a
      // default value.
      if constexpr (std::is_reference_v<result_type>) {
        std::terminate();
      } else if constexpr (!std::is_void_v<result_type>) {
        static_cast<std::optional<result_type>*>(result)->emplace();
      }
    } else if constexpr (std::is_void_v<result_type>) {
      rill::query(ex, p);
    } else if constexpr (std::is_reference_v<result_type>) {
      *static_cast<std::remove_reference_t<result_type>**>(result) =
          &static_cast<result_type>(rill::query(ex, p));
    } else {
      static_cast<std::optional<result_type>*>(result)->emplace(rill::query(ex, p));
    }
  }

  template <typename Executor, typename Property>
  static constexpr property_fns<Derived> property_fns_for() noexcept {
    property_fns<Derived> fns{nullptr, nullptr, nullptr};
    if constexpr (requires { typename Property::polymorphic_query_result_type; }) {
      fns.query = &query_target<Executor, Property>;
    }
    if constexpr (Property::is_requirable) {
      fns.require = [](const void* obj, const void* prop) -> Derived {
        return Derived(
            rill::require(target_ref<Executor>(obj), *static_cast<const Property*>(prop)));
      };
    }
    if constexpr (Property::is_preferable) {
      fns.prefer = [](const void* obj, const void* prop) -> Derived {
        return Derived(
            rill::prefer(target_ref<Executor>(obj), *static_cast<const Property*>(prop)));
      };
    }
    return fns;
  }

 public:
  basic_any_executor() noexcept = default;
  basic_any_executor(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)

  template <typename Executor>
  requires(!std::is_base_of_v<basic_any_executor, Executor> &&
           !std::is_base_of_v<any_executor_storage, Executor> &&
           valid_any_executor_target<Executor, Props...>)
      basic_any_executor(Executor ex) {  // NOLINT(google-explicit-constructor)
    static_assert(execution::executor<Executor>);
    emplace(std::move(ex), Derived::template table_for<Executor>());
  }

  // Another polymorphic executor is wrapped like any other target.
  template <typename Executor>
  requires(!std::is_base_of_v<basic_any_executor, Executor> &&
           std::is_base_of_v<any_executor_storage, Executor> &&
           valid_any_executor_target<Executor, Props...>)
      basic_any_executor(Executor ex) {  // NOLINT(google-explicit-constructor)
    if (ex) emplace(std::move(ex), Derived::template table_for<Executor>());
  }

  // Runs f as the target's execute does; f is moved into memory from the
  // recycling cache, as Asio's any_executor does.
  template <typename Function>
  void execute(Function&& f) const {
    checked_fns().execute(object(),
                          executor_function(std::forward<Function>(f), std::allocator<void>()));
  }

  template <typename Property>
  requires(query_index<Property> != no_property) auto query(const Property& p) const ->
      typename listed<query_index<Property>>::polymorphic_query_result_type {
    constexpr std::size_t i = query_index<Property>;
    using result_type = typename listed<i>::polymorphic_query_result_type;
    const listed<i>& prop = p;
    const auto& fns = table();
    if constexpr (std::is_void_v<result_type>) {
      fns.props[i].query(nullptr, object(), &prop);
    } else if constexpr (std::is_reference_v<result_type>) {
      std::remove_reference_t<result_type>* result = nullptr;
      fns.props[i].query(&result, object(), &prop);
      return static_cast<result_type>(*result);
    } else {
      std::optional<result_type> result;
      fns.props[i].query(&result, object(), &prop);
      return std::move(*result);
    }
  }

  template <typename Property>
  requires(require_index<Property> != no_property) Derived require(const Property& p)
  const {
    constexpr std::size_t i = require_index<Property>;
    const listed<i>& prop = p;
    return table().props[i].require(object(), &prop);
  }

  template <typename Property>
  requires(prefer_index<Property> != no_property) Derived prefer(const Property& p)
  const {
    constexpr std::size_t i = prefer_index<Property>;
    const listed<i>& prop = p;
    return table().props[i].prefer(object(), &prop);
  }

  void swap(Derived& other) noexcept { swap_storage(other); }

  // Equal when both are empty, or both hold equal targets of one type. An
  // executor compared with a polymorphic one is converted to it first.
  friend bool operator==(const Derived& a, const Derived& b) noexcept { return a.equals(b); }
  friend bool operator==(const Derived& a, std::nullptr_t) noexcept { return !a; }

  // The function table of a Derived holding an Executor; Derived may hide
  // this with a table that extends it.
  struct fns_type : executor_object_fns {
    std::array<property_fns<Derived>, sizeof...(Props)> props;
  };

  template <typename Executor>
  static const fns_type* table_for() noexcept {
    return &default_table<Executor>;
  }

 protected:
  template <typename Executor>
  static constexpr fns_type default_table{object_fns<Executor>,
                                          {property_fns_for<Executor, Props>()...}};

  [[nodiscard]] const fns_type& table() const {
    return static_cast<const fns_type&>(checked_fns());
  }
};

}  // namespace rill::detail
