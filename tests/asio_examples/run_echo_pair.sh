#!/usr/bin/env bash
# Starts an echo server (Asio example ported to rill) on a free loopback
# port, sends one line with the matching client, and checks the reply is
# what Asio's client prints: "Reply is: <line>".
set -euo pipefail
# Each of server and client may carry arguments ("prog mode"); split on spaces.
# A third argument names the port of a server that always listens on one
# fixed port (Asio's coroutine echo servers use 55555).
server=$1
client=$2
fixed_port=${3:-}
message="hello from rill $$"

for attempt in 1 2 3 4 5; do
  port=${fixed_port:-$(( 20000 + (RANDOM * 7 + attempt * 131) % 40000 ))}
  $server "$port" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  # Give the server up to ~5 s to start listening.
  for _ in $(seq 50); do
    sleep 0.1
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    output=$(printf '%s\n' "$message" | timeout 10 $client 127.0.0.1 "$port" 2>&1) || continue
    # Asio's blocking client catches the exception and exits 0: a server
    # that is not listening yet shows as this line, not as a failure.
    if grep -qF "Connection refused" <<<"$output"; then continue; fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if grep -qF "Reply is: $message" <<<"$output"; then
      echo "ok: port $port: $output"
      exit 0
    fi
    echo "unexpected client output: $output" >&2
    exit 1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "attempt $attempt: server on port $port did not answer; retrying" >&2
done
echo "server never answered" >&2
exit 1
