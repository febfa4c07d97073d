// rill/coroutine.hpp - Asio's stackless coroutine: a resumable function
// written as an ordinary function body, its resume point kept in an int.
#pragma once

namespace rill {

namespace detail {
class coroutine_ref;
}  // namespace detail

// The state of a stackless coroutine, as Asio's coroutine class. Derive a
// function object from it (or keep one as a member) and write its body
// inside reenter(coro) { ... } using the pseudo-keywords of
// <rill/yield.hpp>:
//
//   yield statement;   runs the statement (typically an asynchronous
//                      operation started with this object, or self, as
//                      its handler) and leaves the body; the next reenter
//                      resumes right after it. yield return x; and
//                      yield break; work as expected.
//   yield;             leaves the body at once, resuming there next time.
//   fork statement;    runs the statement, which typically copies the
//                      function object and reenters the copy as a child
//                      (is_child() is true in it) which continues right
//                      after the fork; the parent continues after it too.
//
// Leaving the body other than through yield (falling off its end, break,
// return) completes the coroutine: is_complete() is then true and later
// reenters skip the body. Because the resume point is a case label, a
// variable declared in the body does not survive a yield: keep state in
// members. Only one reenter block may appear in a function. As in Asio, a
// yield or fork as the body of an if needs braces under -Wdangling-else.
class coroutine {
 public:
  coroutine() noexcept = default;

  [[nodiscard]] bool is_child() const noexcept { return value_ < 0; }
  [[nodiscard]] bool is_parent() const noexcept { return !is_child(); }
  [[nodiscard]] bool is_complete() const noexcept { return value_ == -1; }

 private:
  friend class detail::coroutine_ref;
  int value_ = 0;
};

namespace detail {

// The resume point of a coroutine while its body runs. Leaving the body
// without setting a new one (not through yield) marks it complete.
class coroutine_ref {
 public:
  coroutine_ref(coroutine& c) noexcept : value_(c.value_) {}   // implicit: reenter(c) takes either
  coroutine_ref(coroutine* c) noexcept : value_(c->value_) {}  // implicit: reenter(c) takes either
  coroutine_ref(const coroutine_ref&) = delete;
  coroutine_ref& operator=(const coroutine_ref&) = delete;
  ~coroutine_ref() {
    if (!modified_) value_ = -1;
  }

  operator int() const noexcept { return value_; }  // the switch needs an int

  int& operator=(int v) noexcept {
    modified_ = true;
    return value_ = v;
  }

 private:
  int& value_;
  bool modified_ = false;
};

}  // namespace detail

}  // namespace rill

// The macros below are Asio's (ASIO_CORO_*), renamed. A resume point is a
// case label numbered after the source line of its yield or fork (so two of
// them may not share a line); -1 marks a completed coroutine and negative
// values the child side of a fork.

#define RILL_CORO_REENTER(c)                                   \
  switch (::rill::detail::coroutine_ref rill_coro_value = (c)) \
  case -1:                                                     \
    if (rill_coro_value) {                                     \
      goto terminate_coroutine;                                \
    terminate_coroutine:                                       \
      rill_coro_value = -1;                                    \
      goto bail_out_of_coroutine;                              \
    bail_out_of_coroutine:                                     \
      break;                                                   \
    } else /* fall-through */                                  \
    case 0:

#define RILL_CORO_YIELD_IMPL(n)             \
  for (rill_coro_value = (n);;)             \
    if (rill_coro_value == 0) {             \
      case (n):;                            \
        break;                              \
    } else                                  \
      switch (rill_coro_value ? 0 : 1)      \
        for (;;) /* fall-through */         \
        case -1:                            \
          if (rill_coro_value)              \
            goto terminate_coroutine;       \
          else                              \
            for (;;) /* fall-through */     \
            case 1:                         \
              if (rill_coro_value)          \
                goto bail_out_of_coroutine; \
              else /* fall-through */       \
              case 0:

#define RILL_CORO_FORK_IMPL(n)                         \
  for (rill_coro_value = -(n);; rill_coro_value = (n)) \
    if (rill_coro_value == (n)) {                      \
      case -(n):;                                      \
        break;                                         \
    } else

#define RILL_CORO_YIELD RILL_CORO_YIELD_IMPL(__LINE__)
#define RILL_CORO_FORK RILL_CORO_FORK_IMPL(__LINE__)
