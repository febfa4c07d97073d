// rill/detail/config.hpp - what this platform offers, as Asio's detail/config.hpp.
#pragma once

// rill targets Linux only, so these are constants rather than probes. They
// exist so that code written for Asio (#if defined(ASIO_HAS_LOCAL_SOCKETS),
// with ASIO_ replaced by RILL_) keeps compiling the same branches.

// AF_UNIX stream and datagram sockets: rill/local/.
#define RILL_HAS_LOCAL_SOCKETS 1
// Stream-oriented POSIX descriptors (pipes, terminals): rill/posix/.
#define RILL_HAS_POSIX_STREAM_DESCRIPTOR 1
// Signals are installed with sigaction(); signal() exists too. Asio defines
// both for its signal_set (there is no ASIO_HAS_SIGNAL_SET).
#define RILL_HAS_SIGACTION 1
#define RILL_HAS_SIGNAL 1
