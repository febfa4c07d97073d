#!/usr/bin/env bash
# Installs the Debian packages rill's build, tests, examples and benchmarks
# need, if any is missing. Safe to run again; needs root (or sudo) only when
# something is missing.
set -euo pipefail

packages=(cmake ninja-build g++ clang clang-format clang-tidy libgtest-dev libgmock-dev
          libasio-dev liburing-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "rill: installing missing Debian packages: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
