#!/usr/bin/env bash
# Starts Asio's coroutine chat server (ported to rill) on a free loopback
# port, joins it with two clients, and checks that a line sent by one client
# reaches both of them (the chat room delivers every line to everyone).
set -uo pipefail
server=$1
for attempt in 1 2 3 4 5; do
  port=$(( 20000 + (RANDOM * 7 + attempt * 131) % 40000 ))
  $server "$port" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    sleep 0.1
    kill -0 "$pid" 2>/dev/null || break
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || continue
    exec 4<>"/dev/tcp/127.0.0.1/$port"
    sleep 0.2  # both participants have joined the room
    printf 'hello room %s\n' "$$" >&3
    IFS= read -r -t 10 line3 <&3
    IFS= read -r -t 10 line4 <&4
    exec 3<&- 3>&- 4<&- 4>&-
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [[ $line3 == "hello room $$" && $line4 == "hello room $$" ]]; then
      echo "ok: both participants got: $line3"
      exit 0
    fi
    echo "unexpected lines: [$line3] [$line4]" >&2
    exit 1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "attempt $attempt: chat server on port $port did not answer; retrying" >&2
done
exit 1
