#!/usr/bin/env bash
# Builds and runs a few test files against the library without building the
# whole suite: for iterating on one feature. The library is built (target
# rill only, incrementally) in build/quick-$QUICK_NAME; the tests are linked
# with the shared test support and GoogleTest.
#   QUICK_NAME=tokens tools/quick-test.sh tests/use_future_test.cpp [-- gtest args]
set -euo pipefail
cd "$(dirname "$0")/.."
name=${QUICK_NAME:-default}
dir=build/quick-$name
tests=()
while [[ $# -gt 0 && $1 != -- ]]; do tests+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
if [[ ! -f $dir/build.ninja ]]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRILL_BUILD_TESTS=OFF \
    -DRILL_BUILD_EXAMPLES=OFF -DRILL_BUILD_BENCHMARKS=OFF >/dev/null
fi
cmake --build "$dir" --target rill -j1 >/dev/null
mkdir -p "$dir/t"
g++ -std=c++20 -g -O1 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -pthread \
  -Iinclude -Itests "${tests[@]}" tests/support/*.cpp "$dir"/librill.a -luring \
  -lgtest -lgtest_main -o "$dir/t/quick_tests"
exec timeout 120 "$dir/t/quick_tests" "$@"
