#!/usr/bin/env bash
# Builds the benchmarks optimised and runs the post-chain benchmark.
# Arguments are passed through, e.g.: bash bench/run.sh --reps=9
# The build directory is build/release (the "release" preset's directory);
# set RILL_BENCH_BUILD_DIR to use another one.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir="${RILL_BENCH_BUILD_DIR:-build/release}"

# RILL_BUILD_BENCHMARKS=ON explicitly: an existing cache may have it OFF.
cmake -S . -B "${build_dir}" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRILL_BUILD_BENCHMARKS=ON
cmake --build "${build_dir}" --target rill_bench_post_chain -j2
exec "${build_dir}/bench/rill_bench_post_chain" "$@"
