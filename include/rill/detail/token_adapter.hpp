// rill/detail/token_adapter.hpp - shared pieces of the tokens that adapt
// another token (as_tuple, redirect_error, append, bind_executor, ...).
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>

namespace rill::detail {

// How an adapter names its inner token when it hands it on to
// async_initiate: moved out when the adapter itself came as an rvalue, and
// otherwise by reference, so that an adapter kept by the user and passed as
// an lvalue is copied from rather than emptied.
template <typename RawOuter, typename Inner>
using inner_token_t = std::conditional_t<
    std::is_lvalue_reference_v<RawOuter>,
    std::conditional_t<std::is_const_v<std::remove_reference_t<RawOuter>>, const Inner&, Inner&>,
    Inner>;

// The same choice for the other members of an adapter (append's values):
// moved from an rvalue adapter, copied from an lvalue one.
template <typename RawOuter, typename Member>
decltype(auto) forward_member(Member& m) noexcept {
  if constexpr (std::is_lvalue_reference_v<RawOuter>) {
    return static_cast<const Member&>(m);
  } else {
    return static_cast<Member&&>(m);
  }
}

// Rewrites a completion signature's arguments with Transform<R, Args...>,
// which names R(NewArgs...), keeping the & / && / noexcept qualifiers.
template <typename Signature>
struct add_qualifiers;
template <typename R, typename... Args>
struct add_qualifiers<R(Args...)> {
  using lvalue = R(Args...) &;
  using rvalue = R(Args...) &&;
  using nothrow = R(Args...) noexcept;
  using lvalue_nothrow = R(Args...) & noexcept;
  using rvalue_nothrow = R(Args...) && noexcept;
};

template <typename Signature, template <typename, typename...> class Transform>
struct transform_signature;
template <typename R, typename... Args, template <typename, typename...> class Transform>
struct transform_signature<R(Args...), Transform> {
  using type = typename Transform<R, Args...>::type;
};
template <typename R, typename... Args, template <typename, typename...> class Transform>
struct transform_signature<R(Args...)&, Transform> {
  using type = typename add_qualifiers<typename Transform<R, Args...>::type>::lvalue;
};
template <typename R, typename... Args, template <typename, typename...> class Transform>
struct transform_signature<R(Args...)&&, Transform> {
  using type = typename add_qualifiers<typename Transform<R, Args...>::type>::rvalue;
};
template <typename R, typename... Args, template <typename, typename...> class Transform>
struct transform_signature<R(Args...) noexcept, Transform> {
  using type = typename add_qualifiers<typename Transform<R, Args...>::type>::nothrow;
};
template <typename R, typename... Args, template <typename, typename...> class Transform>
struct transform_signature<R(Args...)& noexcept, Transform> {
  using type = typename add_qualifiers<typename Transform<R, Args...>::type>::lvalue_nothrow;
};
template <typename R, typename... Args, template <typename, typename...> class Transform>
struct transform_signature<R(Args...)&& noexcept, Transform> {
  using type = typename add_qualifiers<typename Transform<R, Args...>::type>::rvalue_nothrow;
};

template <typename Signature, template <typename, typename...> class Transform>
using transform_signature_t = typename transform_signature<Signature, Transform>::type;

// The argument types of a signature, whatever its qualifiers, applied to F.
template <typename Signature, template <typename...> class F>
struct signature_arguments;
template <typename R, typename... Args, template <typename...> class F>
struct signature_arguments<R(Args...), F> {
  using type = F<Args...>;
};
template <typename R, typename... Args, template <typename...> class F>
struct signature_arguments<R(Args...)&, F> {
  using type = F<Args...>;
};
template <typename R, typename... Args, template <typename...> class F>
struct signature_arguments<R(Args...)&&, F> {
  using type = F<Args...>;
};
template <typename R, typename... Args, template <typename...> class F>
struct signature_arguments<R(Args...) noexcept, F> {
  using type = F<Args...>;
};
template <typename R, typename... Args, template <typename...> class F>
struct signature_arguments<R(Args...)& noexcept, F> {
  using type = F<Args...>;
};
template <typename R, typename... Args, template <typename...> class F>
struct signature_arguments<R(Args...)&& noexcept, F> {
  using type = F<Args...>;
};

// An adapter's async_result names the return type of the token it wraps,
// when that one names it (tokens whose result is only deduced need not).
template <typename InnerResult>
struct adapted_return_type {};
template <typename InnerResult>
requires requires { typename InnerResult::return_type; }
struct adapted_return_type<InnerResult> {
  using return_type = typename InnerResult::return_type;
};

// True when T is its own completion handler for the signatures: its
// async_result is the primary one (or behaves like it), which makes the
// handler from the token itself. Being callable is not enough: use_future_t
// is callable (use_future(f)) but is no handler.
template <typename T, typename... Signatures>
concept token_is_handler = requires {
  typename async_result<T, Signatures...>::completion_handler_type;
}
&&std::same_as<typename async_result<T, Signatures...>::completion_handler_type, T>;

// The initiation an adapter passes to the inner token: when the inner token
// produces its handler, wraps it with Wrap (a callable returning the wrapper
// handler) and starts the real initiation with it.
template <typename Initiation, typename Wrap>
class wrapping_initiation {
 public:
  template <typename I, typename W>
  wrapping_initiation(I&& initiation, W&& wrap)
      : initiation_(std::forward<I>(initiation)), wrap_(std::forward<W>(wrap)) {}

  template <typename Handler, typename... Args>
  void operator()(Handler&& handler, Args&&... args) {
    std::move(initiation_)(std::move(wrap_)(std::forward<Handler>(handler)),
                           std::forward<Args>(args)...);
  }

  template <typename Handler, typename... Args>
  void operator()(Handler&& handler, Args&&... args) const {
    initiation_(wrap_(std::forward<Handler>(handler)), std::forward<Args>(args)...);
  }

 private:
  Initiation initiation_;
  Wrap wrap_;
};

}  // namespace rill::detail
