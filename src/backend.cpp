#include <rill/backend.hpp>

#include <rill/detail/reactor.hpp>
#include <rill/execution_context.hpp>

namespace rill {

backend backend_of(execution_context& ctx) { return use_service<detail::reactor>(ctx).mechanism(); }

const char* to_string(backend b) noexcept {
  switch (b) {
    case backend::automatic:
      return "automatic";
    case backend::epoll:
      return "epoll";
    case backend::io_uring:
      return "io_uring";
    case backend::io_uring_required:
      return "io_uring_required";
  }
  return "unknown";
}

}  // namespace rill
