// rill/version.hpp - the library version.
#pragma once

// major * 100000 + minor * 100 + patch, like ASIO_VERSION.
#define RILL_VERSION 100  // 0.1.0
