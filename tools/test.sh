#!/usr/bin/env bash
# Builds rill (Release, g++) and runs every test: the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake --workflow --preset release
