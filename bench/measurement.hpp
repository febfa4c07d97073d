// What one timed run of one library measured: the result type of every
// workload's run function. In a header of its own, apart from harness.hpp,
// because the io_uring build of Asio (asio_uring.cpp, a shared library) returns
// it too and must not include harness.hpp, whose counting_new.hpp defines the
// program's allocation functions.
#ifndef RILL_BENCH_MEASUREMENT_HPP
#define RILL_BENCH_MEASUREMENT_HPP

#include <cstdint>

namespace bench {

// Times and counts cover only the timed phase of the run (steady state, after
// a warm-up). Trivially copyable: it crosses the shared-library boundary.
struct measurement {
  double seconds = 0;
  std::uint64_t work = 0;        // what the rate column counts: handlers, waits, round trips, bytes
  std::uint64_t operations = 0;  // asynchronous operations: the denominator of heap allocs/op
  std::uint64_t heap_allocations = 0;  // heap allocations in the timed phase (counting_new.hpp)
  std::uint64_t arena_fallbacks = 0;   // handler_memory requests that went to the heap
  std::uint64_t checksum = 0;          // keeps payloads observable
  bool complete = false;               // the run did all the work it was given
};

}  // namespace bench

#endif  // RILL_BENCH_MEASUREMENT_HPP
