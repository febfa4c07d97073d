// Asio built with its io_uring back end: the workloads of post_chain,
// timers, ping_pong, echo_throughput, accept_rate and udp_ping_pong instantiated once more
// against ::asio,
// compiled into the shared library rill_bench_asio_uring and called from those
// programs through asio_uring.hpp. See that header for why this is a library;
// CMakeLists.txt has the flags that keep its Asio private.
//
// This translation unit must not include harness.hpp or counting_new.hpp: the
// allocation functions are the program's (the library's calls to operator new
// and malloc bind to them at load time, so they are counted), and the
// counter is read through the function pointer the program hands over.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include <asio.hpp>

// The whole point of the library: refuse to build anything but Asio's
// io_uring configuration (epoll off, so sockets, timers and the scheduler's
// task all go through the ring, not only files).
#if !defined(ASIO_HAS_IO_URING) || !defined(ASIO_HAS_IO_URING_AS_DEFAULT) || defined(ASIO_HAS_EPOLL)
#error "asio_uring.cpp must be compiled with -DASIO_HAS_IO_URING -DASIO_DISABLE_EPOLL"
#endif

#include "asio_uring.hpp"
#include "handler_memory.hpp"
#include "measurement.hpp"

namespace bench {
namespace asio_uring_detail {
// Set by rill_bench_asio_uring() before any workload runs.
inline heap_count_fn heap_count = nullptr;
}  // namespace asio_uring_detail

// What the workloads call; in the programs this is counting_new.hpp's.
inline std::uint64_t heap_allocation_count() noexcept { return asio_uring_detail::heap_count(); }
}  // namespace bench

// One namespace per workload: the two socket workloads both include
// tcp_connections.ipp.
namespace bench_uring_post_chain {
namespace net = ::asio;
#include "post_chain_workload.ipp"
}  // namespace bench_uring_post_chain

namespace bench_uring_timers {
namespace net = ::asio;
#include "timers_workload.ipp"
}  // namespace bench_uring_timers

namespace bench_uring_ping_pong {
namespace net = ::asio;
#include "ping_pong_workload.ipp"
}  // namespace bench_uring_ping_pong

namespace bench_uring_echo {
namespace net = ::asio;
#include "echo_workload.ipp"
}  // namespace bench_uring_echo

namespace bench_uring_accept {
namespace net = ::asio;
#include "accept_workload.ipp"
}  // namespace bench_uring_accept

namespace bench_uring_udp_ping_pong {
namespace net = ::asio;
#include "udp_ping_pong_workload.ipp"
}  // namespace bench_uring_udp_ping_pong

namespace {

// Exceptions stay inside the library: a failed run is reported as an
// incomplete measurement, which the harness turns into an error.
template <typename Run>
bench::measurement guarded(const char* workload, Run run) noexcept {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asio (io_uring), %s: %s\n", workload, e.what());
  } catch (...) {
    std::fprintf(stderr, "asio (io_uring), %s: unknown exception\n", workload);
  }
  return bench::measurement{};
}

bool probe(char* why, std::size_t why_size) noexcept {
  try {
    asio::io_context ioc;
    asio::steady_timer timer(ioc);
    timer.expires_after(asio::steady_timer::duration::zero());
    bool waited = false;
    timer.async_wait([&waited](const asio::error_code& ec) { waited = !ec; });
    static_cast<void>(ioc.run());
    if (waited) return true;
    std::snprintf(why, why_size, "a zero-delay timer wait did not complete");
  } catch (const std::exception& e) {
    std::snprintf(why, why_size, "%s", e.what());
  } catch (...) {
    std::snprintf(why, why_size, "unknown exception");
  }
  return false;
}

template <std::size_t Size>
bench::measurement post_chain_sized(bool custom_alloc, std::size_t chains,
                                    std::uint64_t ops_per_chain, std::uint64_t warmup_per_chain) {
  return custom_alloc ? bench_uring_post_chain::run_post_chain<Size, true>(chains, ops_per_chain,
                                                                           warmup_per_chain)
                      : bench_uring_post_chain::run_post_chain<Size, false>(chains, ops_per_chain,
                                                                            warmup_per_chain);
}

// The handler sizes post_chain.cpp uses; another size is a build mismatch.
bench::measurement post_chain(std::size_t handler_size, bool custom_alloc, std::size_t chains,
                              std::uint64_t ops_per_chain,
                              std::uint64_t warmup_per_chain) noexcept {
  return guarded("post chains", [&]() -> bench::measurement {
    switch (handler_size) {
      case 8:
        return post_chain_sized<8>(custom_alloc, chains, ops_per_chain, warmup_per_chain);
      case 256:
        return post_chain_sized<256>(custom_alloc, chains, ops_per_chain, warmup_per_chain);
      case 2048:
        return post_chain_sized<2048>(custom_alloc, chains, ops_per_chain, warmup_per_chain);
      default:
        std::fprintf(stderr, "asio (io_uring): no post chain with %zu-byte handlers\n",
                     handler_size);
        return bench::measurement{};
    }
  });
}

bench::measurement timers(bool custom_alloc, std::size_t count, std::uint64_t waits_per_timer,
                          std::uint64_t warmup_per_timer) noexcept {
  return guarded("timers", [&] {
    return custom_alloc
               ? bench_uring_timers::run_timers<true>(count, waits_per_timer, warmup_per_timer)
               : bench_uring_timers::run_timers<false>(count, waits_per_timer, warmup_per_timer);
  });
}

bench::measurement ping_pong(bool custom_alloc, std::size_t connections,
                             std::uint64_t round_trips_per_connection,
                             std::uint64_t warmup_per_connection) noexcept {
  return guarded("ping-pong", [&] {
    return custom_alloc ? bench_uring_ping_pong::run_ping_pong<true>(
                              connections, round_trips_per_connection, warmup_per_connection)
                        : bench_uring_ping_pong::run_ping_pong<false>(
                              connections, round_trips_per_connection, warmup_per_connection);
  });
}

bench::measurement echo(bool custom_alloc, std::size_t connections,
                        std::uint64_t messages_per_connection,
                        std::uint64_t warmup_per_connection) noexcept {
  return guarded("echo throughput", [&] {
    return custom_alloc ? bench_uring_echo::run_echo<true>(connections, messages_per_connection,
                                                           warmup_per_connection)
                        : bench_uring_echo::run_echo<false>(connections, messages_per_connection,
                                                            warmup_per_connection);
  });
}

bench::measurement accept(bool custom_alloc, std::size_t in_flight, std::uint64_t connections,
                          std::uint64_t warmup) noexcept {
  return guarded("accept rate", [&] {
    return custom_alloc ? bench_uring_accept::run_accept<true>(in_flight, connections, warmup)
                        : bench_uring_accept::run_accept<false>(in_flight, connections, warmup);
  });
}

bench::measurement udp_ping_pong(bool custom_alloc, std::size_t pairs,
                                 std::uint64_t round_trips_per_pair,
                                 std::uint64_t warmup_per_pair) noexcept {
  return guarded("UDP ping-pong", [&] {
    return custom_alloc ? bench_uring_udp_ping_pong::run_udp_ping_pong<true>(
                              pairs, round_trips_per_pair, warmup_per_pair)
                        : bench_uring_udp_ping_pong::run_udp_ping_pong<false>(
                              pairs, round_trips_per_pair, warmup_per_pair);
  });
}

constexpr bench::asio_uring_api api{&probe, &post_chain, &timers,       &ping_pong,
                                    &echo,  &accept,     &udp_ping_pong};

}  // namespace

// Default visibility: the one symbol the version script leaves global.
extern "C" __attribute__((visibility("default"))) const bench::asio_uring_api*
rill_bench_asio_uring(bench::heap_count_fn heap_count) {
  bench::asio_uring_detail::heap_count = heap_count;
  return &api;
}
