#!/usr/bin/env bash
# dcc mds get|create|update|delete|query and dcc manifest ingest-metadata|verify-metadata
# (issue #5) against a real dccd's metadata service (/mds, /mds-admin).
# usage: gen3_mds.sh DCC DCCD PROFILES_DIR
set -euo pipefail
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_API_KEY=${admin%%:*} DCC_SECRET_KEY=${admin#*:}

echo "1. create, 409 without --overwrite, shallow merge, get, query (dotted keys, --data), delete"
"$dcc" mds create dg.1/abc --data '{"_guid_type": "discovery_metadata", "gen3_discovery": {"name": "x", "n": 3}}' >/dev/null
echo '{"b": 2}' >"$work/b.json"
"$dcc" mds create dg.1/def --data @"$work/b.json" >/dev/null
set +e
"$dcc" mds create dg.1/abc --data '{"a": 1}' 2>"$work/err" >/dev/null; rc=$?
[ $rc = 1 ] && grep -q "409" "$work/err" || fail "create over an existing guid: $rc $(cat "$work/err")"
"$dcc" mds create dg.1/x --data '[1]' 2>"$work/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "must be a JSON object" "$work/err" || fail "bad --data: $rc $(cat "$work/err")"
set -e
"$dcc" mds update dg.1/abc --data '{"extra": 1}' --merge >/dev/null
[ "$("$dcc" mds get dg.1/abc | jq -c '[.extra, .gen3_discovery.n, ._guid_type]')" = '[1,3,"discovery_metadata"]' ] ||
  fail "merge update: $("$dcc" mds get dg.1/abc)"
[ "$("$dcc" mds query _guid_type=discovery_metadata gen3_discovery.n=3 | jq -c .)" = '["dg.1/abc"]' ] || fail "query"
[ "$("$dcc" mds query 'b=*' --data | jq -c .)" = '{"dg.1/def":{"b":2}}' ] || fail "query --data with *"
[ "$("$dcc" mds query --limit 1 | jq length)" = 1 ] || fail "query --limit"
"$dcc" mds update dg.1/abc --data '{"only": true}' >/dev/null
[ "$("$dcc" mds get dg.1/abc | jq -c .)" = '{"only":true}' ] || fail "replace update"
"$dcc" mds delete dg.1/abc >/dev/null
set +e
"$dcc" mds get dg.1/abc 2>"$work/err" >/dev/null; rc=$?
[ $rc = 3 ] || fail "get after delete: $rc"
"$dcc" mds update dg.1/abc --data '{}' 2>"$work/err" >/dev/null; rc=$?
[ $rc = 3 ] || fail "update of a missing guid: $rc"
env -u DCC_API_KEY -u DCC_SECRET_KEY "$dcc" mds create dg.1/anon --data '{}' 2>"$work/err" >/dev/null; rc=$?
[ $rc = 5 ] || fail "anonymous write: $rc $(cat "$work/err")"
set -e

echo "2. ingest-metadata: cells as JSON, a namespace, _guid_type from the index"
g=$("$dcc" index create --md5 0123456789abcdef0123456789abcdef --size 1 | jq -r .did)
{ printf 'guid\tage\tinfo\tname\n'
  printf '%s\t42\t{"a": [1, 2]}\t'"'"'bob'"'"'\n' "$g"
  printf 'dg.1/notindexed\t7\tnull\ttrue\n'
  printf '\t1\t2\t3\n'; } >"$work/md.tsv"
set +e
"$dcc" manifest ingest-metadata "$work/md.tsv" --metadata-source dbgap >"$work/log" 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] && grep -q "md.tsv:4: no guid" "$work/err" || fail "a row without a guid: $rc $(cat "$work/err")"
grep -q "ingested 2 rows: 0 failed, 1 unreadable" "$work/log" || fail "ingest summary: $(cat "$work/log")"
[ "$("$dcc" mds get "$g" | jq -c .)" = '{"_guid_type":"indexed_file_object","dbgap":{"age":42,"info":{"a":[1,2]},"name":"bob"}}' ] ||
  fail "ingested indexed row: $("$dcc" mds get "$g")"
[ "$("$dcc" mds get dg.1/notindexed | jq -c .)" = '{"_guid_type":"metadata_object","dbgap":{"age":7,"info":null,"name":true}}' ] ||
  fail "ingested other row: $("$dcc" mds get dg.1/notindexed)"

echo "3. verify-metadata: all match (exit 0), then a changed value and a missing guid (exit 1)"
sed -i '$d' "$work/md.tsv"
"$dcc" manifest verify-metadata "$work/md.tsv" >"$work/out" 2>"$work/err" || fail "verify-metadata: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "mismatches right after ingest: $(cat "$work/out")"
"$dcc" mds update "$g" --data '{"dbgap": {"age": 41, "info": {"a": [1, 2]}, "name": "bob"}}' >/dev/null
printf 'dg.1/none\t1\t\t\n' >>"$work/md.tsv"
set +e
"$dcc" manifest verify-metadata "$work/md.tsv" -o "$work/errors.log" 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] || fail "mismatches should exit 1, got $rc"
[ "$(cat "$work/errors.log")" = "$g|dbgap.age|expected 42|actual 41
dg.1/none|no_record|expected metadata|actual none" ] || fail "mismatch lines: $(cat "$work/errors.log")"
echo "3 passed, 0 failed"
