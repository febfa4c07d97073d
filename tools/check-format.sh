#!/usr/bin/env bash
# Fails if any C++ file in the repository is not clang-formatted.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.hpp' '*.cpp' '*.ipp')
clang-format --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files clean"
