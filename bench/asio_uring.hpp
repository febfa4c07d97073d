// The interface to Asio built with its io_uring back end, for the benchmarks
// that compare rill with the better of Asio's two Linux back ends.
//
// Asio is header-only and configured by macros, so an epoll build and an
// io_uring build of it cannot live in one executable: every asio:: template
// and static would exist twice with different definitions (an ODR violation
// the linker would "resolve" by picking one). The io_uring instantiations of
// the workloads are therefore compiled into a shared library of their own,
// rill_bench_asio_uring (asio_uring.cpp, built with -DASIO_HAS_IO_URING
// -DASIO_DISABLE_EPOLL, -fvisibility=hidden, -Bsymbolic and a version script),
// which exports one extern "C" function and nothing else; its Asio stays
// private to it. What crosses the boundary is this table of plain function
// pointers and the trivially copyable bench::measurement.
//
// Programs include this header through harness.hpp when CMake defines
// RILL_BENCH_ASIO_URING (the library was built and is linked in).
#ifndef RILL_BENCH_ASIO_URING_HPP
#define RILL_BENCH_ASIO_URING_HPP

#include <cstddef>
#include <cstdint>

#include "measurement.hpp"

namespace bench {

// The workloads, each run exactly as the epoll instantiation in the program
// runs it (same *_workload.ipp, same arguments). A run that throws (e.g. the
// ring cannot be set up) prints the reason to stderr and returns a
// measurement with complete == false.
struct asio_uring_api {
  // Whether io_uring works here (kernel, seccomp, io_uring_disabled): sets
  // up a ring and completes one timer wait on it. If not, writes the reason
  // to `why` (NUL-terminated, at most `why_size` bytes) and returns false.
  bool (*probe)(char* why, std::size_t why_size) noexcept;

  // post_chain_workload.ipp: handler_size is 8, 256 or 2048.
  measurement (*post_chain)(std::size_t handler_size, bool custom_alloc, std::size_t chains,
                            std::uint64_t ops_per_chain, std::uint64_t warmup_per_chain) noexcept;
  // timers_workload.ipp
  measurement (*timers)(bool custom_alloc, std::size_t timers, std::uint64_t waits_per_timer,
                        std::uint64_t warmup_per_timer) noexcept;
  // ping_pong_workload.ipp
  measurement (*ping_pong)(bool custom_alloc, std::size_t connections,
                           std::uint64_t round_trips_per_connection,
                           std::uint64_t warmup_per_connection) noexcept;
  // echo_workload.ipp
  measurement (*echo)(bool custom_alloc, std::size_t connections,
                      std::uint64_t messages_per_connection,
                      std::uint64_t warmup_per_connection) noexcept;
  // accept_workload.ipp
  measurement (*accept)(bool custom_alloc, std::size_t in_flight, std::uint64_t connections,
                        std::uint64_t warmup) noexcept;
  // udp_ping_pong_workload.ipp
  measurement (*udp_ping_pong)(bool custom_alloc, std::size_t pairs,
                               std::uint64_t round_trips_per_pair,
                               std::uint64_t warmup_per_pair) noexcept;
};

// The program's heap allocation counter (counting_new.hpp lives in the
// program; the library's allocations reach the program's malloc and operator
// new, but it cannot see the program's counters, which are hidden in it).
using heap_count_fn = std::uint64_t (*)() noexcept;

}  // namespace bench

// The library's only exported symbol. Stores `heap_count` for the workloads'
// use and returns the table (static storage; never null).
extern "C" const bench::asio_uring_api* rill_bench_asio_uring(bench::heap_count_fn heap_count);

#endif  // RILL_BENCH_ASIO_URING_HPP
