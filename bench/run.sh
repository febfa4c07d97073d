#!/usr/bin/env bash
# Builds the benchmarks optimised and runs them, one after the other.
#
#   bash bench/run.sh                    every benchmark, default settings
#   bash bench/run.sh timers             only rill_bench_timers
#   bash bench/run.sh ping_pong --reps=9 arguments after the name go to the program
#   bash bench/run.sh --quick            arguments without a name go to every program
#
# Benchmarks: post_chain, timers, ping_pong, echo_throughput.
# The build directory is build/release (the "release" preset's directory);
# set RILL_BENCH_BUILD_DIR to use another one.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir="${RILL_BENCH_BUILD_DIR:-build/release}"
all=(post_chain timers ping_pong echo_throughput coroutines threads memory)

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

# One benchmark runs exactly as the program would on its own; several get a
# Markdown heading each. Every selected program runs even if one fails; the
# exit code is the last failure's.
if [[ ${#selected[@]} -eq 1 ]]; then
  exec "${build_dir}/bench/rill_bench_${selected[0]}" "$@"
fi
status=0
for b in "${selected[@]}"; do
  printf '## %s\n\n' "${b}"
  "${build_dir}/bench/rill_bench_${b}" "$@" || status=$?
  echo
done
exit "${status}"
