#!/usr/bin/env bash
# Deeply nested and out-of-range JSON (issue 9 items 2 and 5) against a real dccd, with
# curl. Each case is a function named after its defect; its first comment says what broke.
# Every refusal is a 400 in the dialect's own error shape, and dccd is still up after it.
# usage: json_depth.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
work=$(mktemp -d /tmp/dcc-json-depth-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "$0")/../support/dccd_fixture.sh"
passed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }

# nested N: N nested arrays around a 1, e.g. nested 2 is [[1]].
nested() { python3 -c "import sys; n=int(sys.argv[1]); sys.stdout.write('['*n + '1' + ']'*n)" "$1"; }
# send USER METHOD PATH FILE: prints the status on the last line after the body.
send() {
  curl -s -u "$1" -X "$2" "$url$3" -H 'Content-Type: application/json' --data-binary @"$4" -w '\n%{http_code}'
}
status() { tail -n1 <<<"$1"; }
body() { sed '$d' <<<"$1"; }
still_up() {
  kill -0 "$pid" 2>/dev/null || fail "dccd died after $1"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/_status")" = 200 ] || fail "dccd does not answer after $1"
}

deep_alias_array_crashed_encode() {
  # A 100,000-deep array inside an ENCODE alias array parsed, then the recursive
  # validation (uniqueItems compares values) overflowed the stack: SIGSEGV.
  { printf '{"name":"deep","title":"Deep","aliases":['; nested 100000; printf ']}'; } >"$work/alias.json"
  local out
  out=$(send "$admin" POST /lab "$work/alias.json")
  [ "$(status "$out")" = 400 ] || fail "deep alias array: $(status "$out") $(body "$out" | head -c 300)"
  jq -e '.code == 400 and (.detail | contains("deeper than 64"))' <<<"$(body "$out")" >/dev/null ||
    fail "deep alias array: ENCODE error body: $(body "$out" | head -c 300)"
  still_up "a deep alias array"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$admin" "$url/labs/deep/")" = 404 ] || fail "the deep lab was written"
  # 64 deep is still accepted as JSON (and then fails the schema, 422, not a crash).
  { printf '{"name":"deep","title":"Deep","aliases":'; nested 63; printf '}'; } >"$work/alias64.json"
  out=$(send "$admin" POST /lab "$work/alias64.json")
  [ "$(status "$out")" = 422 ] || fail "64 deep: $(status "$out") $(body "$out" | head -c 300)"
  ok "deep_alias_array_crashed_encode: 100,000 deep -> 400 'deeper than 64', nothing written, dccd up; 64 deep parses"
}

deep_indexd_metadata_crashed_dccd() {
  # indexd `metadata` nested 100,000 deep parsed, then a recursive walk (dump, SQLite's
  # JSON) overflowed the stack: SIGSEGV.
  { printf '{"form":"object","size":1,"hashes":{"md5":"%032x"},"urls":[],"metadata":{"a":' 1; nested 100000
    printf '}}'; } >"$work/indexd.json"
  local out
  out=$(send "$admin" POST /index/ "$work/indexd.json")
  [ "$(status "$out")" = 400 ] || fail "deep indexd metadata: $(status "$out") $(body "$out" | head -c 300)"
  jq -e '.error | contains("deeper than 64")' <<<"$(body "$out")" >/dev/null ||
    fail "deep indexd metadata: indexd error body: $(body "$out" | head -c 300)"
  still_up "a deep indexd metadata"
  [ "$(curl -s "$url/_stats/" | jq .fileCount)" = 0 ] || fail "the deep index record was written"
  ok "deep_indexd_metadata_crashed_dccd: 100,000 deep -> 400 {error}, nothing written, dccd up"
}

deep_mds_body_crashed_or_500() {
  # An MDS body 100,000 deep crashed dccd; 3,000 and 30,000 deep answered 500
  # "sqlite step: malformed JSON" (SQLite's JSON functions refuse depth > 1000).
  local n out
  for n in 100000 30000 3000 65; do
    { printf '{"x":'; nested "$n"; printf '}'; } >"$work/mds.json"
    out=$(send "$admin" POST "/mds/metadata/deep-$n" "$work/mds.json")
    [ "$(status "$out")" = 400 ] || fail "MDS $n deep: $(status "$out") $(body "$out" | head -c 300)"
    jq -e '.detail | contains("deeper than 64")' <<<"$(body "$out")" >/dev/null ||
      fail "MDS $n deep: FastAPI error body: $(body "$out" | head -c 300)"
    ! grep -qi sqlite <<<"$(body "$out")" || fail "MDS $n deep: SQL text in the reply"
    still_up "an MDS body $n deep"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/mds/metadata/deep-$n")" = 404 ] || fail "MDS deep-$n was written"
  done
  # 64 deep (the limit) is a valid entry and round-trips.
  { printf '{"x":'; nested 63; printf '}'; } >"$work/mds64.json"
  out=$(send "$admin" POST /mds/metadata/deep-64 "$work/mds64.json")
  [ "$(status "$out")" = 201 ] || fail "MDS 64 deep: $(status "$out") $(body "$out" | head -c 300)"
  [ "$(curl -s "$url/mds/metadata/deep-64" | jq -c .x)" = "$(nested 63)" ] || fail "MDS 64 deep did not round-trip"
  ok "deep_mds_body_crashed_or_500: 100,000 / 30,000 / 3,000 / 65 deep -> 400 {detail}, no SQL text; 64 deep stored"
}

huge_number_in_record_was_500() {
  # 1e400 as a number in a record body escaped the parser as an out_of_range exception:
  # 500 (ENCODE), or was taken for malformed JSON without saying why.
  local out
  printf '{"name":"num","title":"Num","phone1":1e400}' >"$work/num.json"
  out=$(send "$admin" POST /lab "$work/num.json")
  [ "$(status "$out")" = 400 ] || fail "1e400 record: $(status "$out") $(body "$out" | head -c 300)"
  jq -e '.code == 400 and (.detail | contains("1e400"))' <<<"$(body "$out")" >/dev/null ||
    fail "1e400 record: error body: $(body "$out" | head -c 300)"
  printf '{"x":-1e400}' >"$work/num.json"
  out=$(send "$admin" POST /mds/metadata/num "$work/num.json")
  [ "$(status "$out")" = 400 ] || fail "-1e400 MDS: $(status "$out") $(body "$out" | head -c 300)"
  python3 -c "import sys; sys.stdout.write('{\"x\":1' + '0'*400 + '}')" >"$work/num.json"
  out=$(send "$admin" POST /mds/metadata/num "$work/num.json")
  [ "$(status "$out")" = 400 ] || fail "a 401-digit integer: $(status "$out") $(body "$out" | head -c 300)"
  still_up "1e400"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$admin" "$url/labs/num/")" = 404 ] || fail "the 1e400 lab was written"
  # 1e308 is a double and is kept.
  printf '{"x":1e308}' >"$work/num.json"
  out=$(send "$admin" POST /mds/metadata/num "$work/num.json")
  [ "$(status "$out")" = 201 ] || fail "1e308: $(status "$out") $(body "$out" | head -c 300)"
  ok "huge_number_in_record_was_500: 1e400, -1e400, 10^400 -> 400 naming the number; 1e308 stored"
}

deep_alias_array_crashed_encode
deep_indexd_metadata_crashed_dccd
deep_mds_body_crashed_or_500
huge_number_in_record_was_500
echo "PASS: $passed cases"
