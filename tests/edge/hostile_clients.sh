#!/usr/bin/env bash
# Issue 9 item 4: slow and greedy clients must not take the server from others. With
# cpp-httplib (a thread per connection, 64 threads) 200 connections sending one header
# byte per 0.5 s left 0 of 5 GET /_status answered within 8 s. Each CASE starts a fresh
# dccd and runs tests/edge/hostile_clients.py CASE against it.
# usage: hostile_clients.sh DCCD PROFILES_DIR CASE   (slowloris | per_client_cap | header_deadline)
set -euo pipefail
dccd=$1
profiles=$2
case=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/dcc-edge-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
cap=12
case $case in  # slowloris runs with the defaults, as a real server would
  per_client_cap) serve_extra=(--max-connections-per-client "$cap") ;;
  header_deadline) serve_extra=(--header-timeout-seconds 2) ;;
esac
. "$here/../support/dccd_fixture.sh"
port=$(cat "$work/port")
echo "$case against dccd on port $port"
extra=()
[ "$case" = per_client_cap ] && extra=("$cap")
python3 "$here/hostile_clients.py" "$case" "$port" ${extra[@]+"${extra[@]}"} || fail "$case"
kill -0 "$pid" || fail "dccd died"
echo "ok"
