// rill/unyield.hpp - removes the pseudo-keywords of <rill/yield.hpp>, as
// Asio's <asio/unyield.hpp>. No include guard: the pair may be used repeatedly.

#ifdef reenter
#undef reenter
#endif

#ifdef yield
#undef yield
#endif

#ifdef fork
#undef fork
#endif
