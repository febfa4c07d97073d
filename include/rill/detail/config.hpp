// rill/detail/config.hpp - what this platform offers, as Asio's detail/config.hpp.
#pragma once

// rill targets Linux only, so these are constants rather than probes. They
// exist so that code written for Asio (#if defined(ASIO_HAS_LOCAL_SOCKETS),
// with ASIO_ replaced by RILL_) keeps compiling the same branches.

// AF_UNIX stream and datagram sockets: rill/local/.
#define RILL_HAS_LOCAL_SOCKETS 1
