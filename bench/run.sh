#!/usr/bin/env bash
# Builds the benchmarks optimised and runs them, one after the other.
#
#   bash bench/run.sh                    every benchmark, default settings
#   bash bench/run.sh timers             only rill_bench_timers
#   bash bench/run.sh ping_pong --reps=9 arguments after the name go to the program
#   bash bench/run.sh --quick            arguments without a name go to every program
#   bash bench/run.sh --svg=docs/benchmarks.svg
#                                        also draw the run's "rill / best Asio" ratios
#                                        as an SVG bar chart (bench/svg_chart.awk)
#
# Benchmarks: post_chain, timers, ping_pong, echo_throughput, accept_rate, udp_ping_pong,
# coroutines, threads, memory. The first five also run Asio's io_uring build
# when liburing is installed (tools/deps.sh), and compare rill with the
# faster Asio.
# The build directory is build/release (the "release" preset's directory);
# set RILL_BENCH_BUILD_DIR to use another one.
set -euo pipefail

# --svg=FILE is run.sh's own, wherever it is; everything else goes to the
# programs. A relative FILE is relative to the caller's directory.
svg=""
args=()
for a in "$@"; do
  case "${a}" in
    --svg=*) svg="${a#--svg=}" ;;
    *) args+=("${a}") ;;
  esac
done
set -- "${args[@]}"
invocation="bash bench/run.sh${*:+ $*}"  # for the chart's subtitle
if [[ -n "${svg}" && "${svg}" != /* ]]; then svg="${PWD}/${svg}"; fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir="${RILL_BENCH_BUILD_DIR:-build/release}"
all=(post_chain timers ping_pong echo_throughput accept_rate udp_ping_pong coroutines threads memory)

selected=("${all[@]}")
if [[ $# -gt 0 && "$1" != -* ]]; then
  name="${1#rill_bench_}"
  shift
  found=0
  for b in "${all[@]}"; do [[ "$b" == "${name}" ]] && found=1; done
  if [[ ${found} -eq 0 ]]; then
    echo "unknown benchmark '${name}'; one of: ${all[*]}" >&2
    exit 2
  fi
  selected=("${name}")
fi

targets=()
for b in "${selected[@]}"; do targets+=("rill_bench_${b}"); done

# RILL_BUILD_BENCHMARKS=ON explicitly: an existing cache may have it OFF.
cmake -S . -B "${build_dir}" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRILL_BUILD_BENCHMARKS=ON
cmake --build "${build_dir}" --target "${targets[@]}" -j2

# With --svg, every program appends its rows to one results file (see
# harness.hpp, RILL_BENCH_RESULTS), drawn once all have run.
results=""
if [[ -n "${svg}" ]]; then
  results="$(mktemp)"
  trap 'rm -f "${results}"' EXIT
  export RILL_BENCH_RESULTS="${results}"
fi

# One benchmark runs exactly as the program would on its own; several get a
# Markdown heading each. Every selected program runs even if one fails; the
# exit code is the last failure's.
status=0
if [[ ${#selected[@]} -eq 1 ]]; then
  "${build_dir}/bench/rill_bench_${selected[0]}" "$@" || status=$?
else
  for b in "${selected[@]}"; do
    printf '## %s\n\n' "${b}"
    "${build_dir}/bench/rill_bench_${b}" "$@" || status=$?
    echo
  done
fi

if [[ -n "${svg}" ]]; then
  subtitle="${invocation}; $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r)"
  if [[ -s "${results}" ]] &&
    awk -F '\t' -v subtitle="${subtitle}" -f bench/svg_chart.awk "${results}" >"${svg}.tmp"; then
    mv "${svg}.tmp" "${svg}"
    echo "chart written to ${svg}" >&2
  else
    rm -f "${svg}.tmp"
    echo "no chart: no results to draw" >&2
    status=1
  fi
fi
exit "${status}"
