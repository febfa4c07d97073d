#!/usr/bin/env bash
# Builds and runs the demo: a chain of posted handlers using a per-chain
# handler_memory block, printing handlers per second and heap allocations per
# handler. Extra arguments go to the demo (e.g. --seconds 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target rill_example_allocation_demo
exec build/release/examples/allocation/rill_example_allocation_demo "$@"
