// rill/backend.hpp - which kernel mechanism an io_context waits with.
#pragma once

namespace rill {

class execution_context;

// The mechanism behind a context's I/O and timers, chosen when its first I/O
// object or timer is made (a context that only runs posted handlers never
// chooses). Operations behave the same on both; only their cost differs.
//  - automatic: io_uring where the kernel offers what rill needs, epoll
//    otherwise, silently. The environment variable RILL_BACKEND
//    (epoll, io_uring, io_uring_required, automatic) replaces this default.
//  - epoll: always epoll.
//  - io_uring: io_uring if available; otherwise one line on stderr
//    ("rill: io_uring unavailable (<reason>); using epoll") and epoll.
//  - io_uring_required: io_uring, or std::system_error when the first I/O
//    object or timer is made.
// An explicit choice (anything but automatic) given to the io_context
// constructor wins over the environment variable.
enum class backend { automatic, epoll, io_uring, io_uring_required };

// The mechanism ctx's I/O objects use: epoll or io_uring (never automatic
// or io_uring_required). Makes the choice now if no I/O object or timer
// has yet.
backend backend_of(execution_context& ctx);

// "automatic", "epoll", "io_uring" or "io_uring_required".
const char* to_string(backend b) noexcept;

}  // namespace rill
