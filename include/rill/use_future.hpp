// rill/use_future.hpp - the completion token that makes an initiating
// function return a std::future.
//
//   std::future<std::size_t> n = socket.async_read_some(buffer, rill::use_future);
//
// The future receives the operation's result: nothing (future<void>), one
// value, or a std::tuple of several. A leading std::error_code that is set
// becomes a std::system_error thrown by get(); a leading std::exception_ptr
// that is set is rethrown by get(). The promise's shared state and the
// operation's memory both come from the token's allocator
// (use_future.rebind(alloc)), which is the handler's associated allocator.
// An operation destroyed without completing (its context is destroyed
// first) leaves a broken promise: get() throws std::future_error.
//
// use_future(f) is the packaged-task form: f is called with the completion
// arguments and the future holds what it returns, or what it throws.
#pragma once

#include <concepts>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <rill/async_result.hpp>
#include <rill/detail/token_adapter.hpp>
#include <rill/system_error.hpp>

namespace rill {

namespace detail {
template <typename Function, typename Allocator>
class packaged_token;
}  // namespace detail

// The completion token type of rill::use_future; Allocator is used for the
// promise's shared state and the operation.
template <typename Allocator = std::allocator<void>>
class use_future_t {
 public:
  using allocator_type = Allocator;

  constexpr use_future_t() requires std::default_initializable<Allocator> : allocator_() {}

  explicit use_future_t(const Allocator& allocator) : allocator_(allocator) {}

  // The same token with another allocator (Asio's deprecated spelling).
  template <typename OtherAllocator>
  use_future_t<OtherAllocator> operator[](const OtherAllocator& allocator) const {
    return use_future_t<OtherAllocator>(allocator);
  }

  // The same token with another allocator.
  template <typename OtherAllocator>
  use_future_t<OtherAllocator> rebind(const OtherAllocator& allocator) const {
    return use_future_t<OtherAllocator>(allocator);
  }

  allocator_type get_allocator() const { return allocator_; }

  // The packaged-task form: a token whose future holds f's result.
  template <typename Function>
  detail::packaged_token<std::decay_t<Function>, Allocator> operator()(Function&& f) const {
    return detail::packaged_token<std::decay_t<Function>, Allocator>(std::forward<Function>(f),
                                                                     allocator_);
  }

 private:
  [[no_unique_address]] Allocator allocator_;
};

inline constexpr use_future_t<> use_future;

namespace detail {

// What a future holds for completion arguments (decayed): nothing, the one
// value, or a tuple of them.
template <typename... Values>
struct future_value {
  using type = std::tuple<Values...>;
};
template <>
struct future_value<> {
  using type = void;
};
template <typename Value>
struct future_value<Value> {
  using type = Value;
};

enum class leading_error { none, error_code, exception };

// Splits the completion arguments into a leading error, if any, and the
// values that the future holds.
template <typename... Args>
struct future_result {
  static constexpr leading_error error = leading_error::none;
  using value_type = typename future_value<Args...>::type;
};
template <typename... Values>
struct future_result<std::error_code, Values...> {
  static constexpr leading_error error = leading_error::error_code;
  using value_type = typename future_value<Values...>::type;
};
template <typename... Values>
struct future_result<std::exception_ptr, Values...> {
  static constexpr leading_error error = leading_error::exception;
  using value_type = typename future_value<Values...>::type;
};

template <typename... Args>
using decayed_future_result = future_result<std::decay_t<Args>...>;

// Owns the promise. It is constructed with the token's allocator (rebound,
// as Asio does, to char) so that the shared state comes from it too.
template <typename T, typename Allocator>
class promise_owner {
 public:
  using allocator_type = Allocator;
  using future_type = std::future<T>;

  explicit promise_owner(const Allocator& a)
      : allocator_(a),
        promise_(std::allocator_arg,
                 typename std::allocator_traits<Allocator>::template rebind_alloc<char>(a)) {}

  allocator_type get_allocator() const noexcept { return allocator_; }
  future_type get_future() { return promise_.get_future(); }

 protected:
  template <typename... Values>
  void set_values(Values&&... values) {
    if constexpr (sizeof...(Values) == 0) {
      promise_.set_value();
    } else if constexpr (sizeof...(Values) == 1) {
      promise_.set_value(std::forward<Values>(values)...);
    } else {
      promise_.set_value(T(std::forward<Values>(values)...));
    }
  }

  [[no_unique_address]] Allocator allocator_;
  std::promise<T> promise_;
};

// The handler behind use_future for completion arguments Args (decayed).
// Move-only: it owns the promise, so a handler destroyed uninvoked breaks
// it and the waiting side learns so.
template <typename Allocator, typename... Args>
class promise_handler
    : public promise_owner<typename future_result<Args...>::value_type, Allocator> {
  using result = future_result<Args...>;
  using base = promise_owner<typename result::value_type, Allocator>;

 public:
  explicit promise_handler(const use_future_t<Allocator>& token) : base(token.get_allocator()) {}

  template <typename... CallArgs>
  void operator()(CallArgs&&... args) {
    if constexpr (result::error == leading_error::none) {
      this->set_values(std::forward<CallArgs>(args)...);
    } else {
      complete_with_error(std::forward<CallArgs>(args)...);
    }
  }

 private:
  template <typename Error, typename... Values>
  void complete_with_error(Error&& error, Values&&... values) {
    if (!error) {
      this->set_values(std::forward<Values>(values)...);
    } else if constexpr (result::error == leading_error::error_code) {
      this->promise_.set_exception(std::make_exception_ptr(system_error(error)));
    } else {
      this->promise_.set_exception(error);
    }
  }
};

template <typename Allocator, typename Signature>
struct promise_handler_for {
  template <typename... Args>
  using with = promise_handler<Allocator, std::decay_t<Args>...>;
  using type = typename signature_arguments<Signature, with>::type;
};

// use_future(f): the function and the allocator, until the operation makes
// the handler.
template <typename Function, typename Allocator>
class packaged_token {
 public:
  packaged_token(Function f, const Allocator& a) : function_(std::move(f)), allocator_(a) {}

  Function function_;
  [[no_unique_address]] Allocator allocator_;
};

// The handler behind use_future(f): calls f with the completion arguments
// and stores its result, or the exception it throws, in the promise.
template <typename Function, typename Allocator, typename Result>
class packaged_handler : public promise_owner<Result, Allocator> {
  using base = promise_owner<Result, Allocator>;

 public:
  explicit packaged_handler(packaged_token<Function, Allocator>&& token)
      : base(token.allocator_), function_(std::move(token.function_)) {}
  explicit packaged_handler(const packaged_token<Function, Allocator>& token)
      : base(token.allocator_), function_(token.function_) {}

  template <typename... Args>
  void operator()(Args&&... args) {
    try {
      if constexpr (std::is_void_v<Result>) {
        std::invoke(function_, std::forward<Args>(args)...);
        this->promise_.set_value();
      } else {
        this->promise_.set_value(std::invoke(function_, std::forward<Args>(args)...));
      }
    } catch (...) {
      this->promise_.set_exception(std::current_exception());
    }
  }

 private:
  Function function_;
};

template <typename Function, typename Allocator, typename Signature>
struct packaged_handler_for {
  template <typename... Args>
  using with = packaged_handler<Function, Allocator, std::invoke_result_t<Function&, Args...>>;
  using type = typename signature_arguments<Signature, with>::type;
};

// The async_result of both forms: make the handler, take its future, start
// the operation, return the future. The legacy form (handler type,
// constructor, get) is there for code written against it.
template <typename Handler>
class future_async_result {
 public:
  using completion_handler_type = Handler;
  using return_type = typename Handler::future_type;

  explicit future_async_result(completion_handler_type& h) : future_(h.get_future()) {}
  future_async_result(const future_async_result&) = delete;
  future_async_result& operator=(const future_async_result&) = delete;

  return_type get() { return std::move(future_); }

  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static return_type initiate(Initiation&& initiation, RawCompletionToken&& token, Args&&... args) {
    completion_handler_type handler(std::forward<RawCompletionToken>(token));
    return_type future = handler.get_future();
    std::forward<Initiation>(initiation)(std::move(handler), std::forward<Args>(args)...);
    return future;
  }

 private:
  return_type future_;
};

}  // namespace detail

template <typename Allocator, completion_signature Signature>
class async_result<use_future_t<Allocator>, Signature>
    : public detail::future_async_result<
          typename detail::promise_handler_for<Allocator, Signature>::type> {
 public:
  using detail::future_async_result<
      typename detail::promise_handler_for<Allocator, Signature>::type>::future_async_result;
};

template <typename Function, typename Allocator, completion_signature Signature>
class async_result<detail::packaged_token<Function, Allocator>, Signature>
    : public detail::future_async_result<
          typename detail::packaged_handler_for<Function, Allocator, Signature>::type> {
 public:
  using detail::future_async_result<typename detail::packaged_handler_for<
      Function, Allocator, Signature>::type>::future_async_result;
};

}  // namespace rill
