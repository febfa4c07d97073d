// rill/basic_streambuf_fwd.hpp - declarations of basic_streambuf and its ref.
#pragma once

#include <memory>

namespace rill {

// The default template arguments live here, so that headers which only
// mention the types need not include <streambuf>.
template <typename Allocator = std::allocator<char>>
class basic_streambuf;

template <typename Allocator = std::allocator<char>>
class basic_streambuf_ref;

}  // namespace rill
