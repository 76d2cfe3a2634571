#!/usr/bin/env bash
# Regression (issue 9, item 17): when the demo's port (8000 by default) was taken, the
# demo printed dccd's log and nothing else: it must say the port is taken and name its
# --port 0 option. Holds a port with a plain listener, runs the demo on it.
# usage: demo_port_taken.sh DCCD
set -euo pipefail
dccd=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/dcc-demo-port-XXXXXX)
holder=""
trap '[ -n "$holder" ] && kill $holder 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(120)' "$work/port" &
holder=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

rc=0
DCC_DEMO_SKIP_BUILD=1 DCCD="$dccd" "$root/scripts/demo" --no-wait --port "$port" --data-dir "$work/data" \
  >"$work/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "the demo succeeded on a taken port"
grep -q "port $port on 127.0.0.1 is taken" "$work/out" || { cat "$work/out"; fail "the demo did not say port $port is taken"; }
grep -q -- "--port 0" "$work/out" || { cat "$work/out"; fail "the demo did not name --port 0"; }
echo "1 passed, 0 failed"
