#!/usr/bin/env bash
# MDS query latency over N entries (default 100,000): loads them with batch POSTs, then
# times GET /mds/metadata queries with curl (best of 5), before and after indexing a path.
# usage: bench/mds/query.sh [N]   (builds nothing; uses build/dccd)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100000}
dccd=build/dccd
work=$(mktemp -d /tmp/dcc-bench-mds-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
common=(--data-dir "$work/data" --no-default-profiles --profiles profiles)
$dccd admin init "${common[@]}" >/dev/null
$dccd admin add-user "${common[@]}" --email admin@dcc.test --admin >/dev/null
admin=$($dccd admin add-key "${common[@]}" --email admin@dcc.test | jq -r '.access_key_id + ":" + .secret_access_key')
$dccd serve "${common[@]}" --listen 127.0.0.1:0 --port-file "$work/port" --no-access-log >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")"
batch=5000
start=$(date +%s.%N)
for ((b = 0; b < n; b += batch)); do
  /usr/bin/python3 - "$b" "$batch" "$n" >"$work/batch.json" <<'PY'
import json, sys
b, size, n = map(int, sys.argv[1:])
types = ["discovery_metadata", "indexed_file_object", "metadata_object"]
print(json.dumps([{"guid": f"dg.4242/{i:08d}", "data": {"_guid_type": types[i % 3], "study": {"id": f"s{i % 1000}", "n": i % 97},
                   "c": i % 10, "title": f"entry {i}"}} for i in range(b, min(b + size, n))]))
PY
  curl -sf -u "$admin" -X POST "$url/mds-admin/metadata" -H 'Content-Type: application/json' \
    --data-binary @"$work/batch.json" >/dev/null
done
echo "loaded $n entries in $(echo "$(date +%s.%N) - $start" | bc) s (batches of $batch)"
q() {  # q LABEL QUERY: best of 5, in ms
  local best=999999 t
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o /dev/null -w '%{time_total}' "$url/mds/metadata?$2")
    best=$(echo "if ($t < $best) $t else $best" | bc -l)
  done
  printf '%-58s %8.1f ms\n' "$1" "$(echo "$best * 1000" | bc -l)"
}
q "_guid_type=discovery_metadata (built-in index)" "_guid_type=discovery_metadata"
q "_guid_type=...&data=true&limit=2000" "_guid_type=discovery_metadata&data=true&limit=2000"
q "_guid_type=...&offset=30000" "_guid_type=discovery_metadata&offset=30000"
q "study.id=s7 (no index, 100 matches)" "study.id=s7&limit=2000"
q "study.id=s7&study.id=s8&c=7 (no index)" "study.id=s7&study.id=s8&c=7&limit=2000"
q "title=* (exists, full scan)" "title=*"
curl -sf -u "$admin" -X POST "$url/mds-admin/metadata_index/study.id" >/dev/null
q "study.id=s7 (after POST /metadata_index/study.id)" "study.id=s7&limit=2000"
q "study.id=s7&study.id=s8&c=7 (indexed)" "study.id=s7&study.id=s8&c=7&limit=2000"
