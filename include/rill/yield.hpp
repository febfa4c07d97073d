// rill/yield.hpp - the pseudo-keywords of rill::coroutine: reenter, yield
// and fork, as Asio's <asio/yield.hpp>. Include <rill/unyield.hpp> after the
// code that uses them. No include guard: the pair may be used repeatedly.

#include <rill/coroutine.hpp>

#ifndef reenter
#define reenter(c) RILL_CORO_REENTER(c)
#endif

#ifndef yield
#define yield RILL_CORO_YIELD
#endif

#ifndef fork
#define fork RILL_CORO_FORK
#endif
