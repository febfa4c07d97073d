#!/usr/bin/env bash
# Builds and runs the demo: the echo server of Asio's custom allocation
# example, in rill, under load from clients on loopback, printing throughput
# and heap allocations per operation (0 after warm-up). Extra arguments go to
# the demo (e.g. --seconds 5 --connections 64).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target rill_example_echo_demo
exec build/release/examples/allocation/rill_example_echo_demo "$@"
