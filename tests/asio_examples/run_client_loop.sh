#!/usr/bin/env bash
# Runs an example that serves one connection at a time on 127.0.0.1:55555
# (Asio's operations/composed_* examples), connecting to it and reading
# everything it sends, until it exits; then compares what the example
# printed with the expected file (recorded from the example built against
# Asio with the same client).
#   run_client_loop.sh PROGRAM EXPECTED_FILE
set -uo pipefail
prog=$1
out=$(mktemp)
"$prog" >"$out" 2>&1 &
pid=$!
deadline=$((SECONDS + 40))
while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
  if { exec 3<>/dev/tcp/127.0.0.1/55555; } 2>/dev/null; then
    timeout 15 cat <&3 >/dev/null
    exec 3<&- 3>&-
  else
    sleep 0.05
  fi
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if diff -u "$2" "$out"; then
  echo "ok: output matches $2"
  rm -f "$out"
  exit 0
fi
rm -f "$out"
exit 1
