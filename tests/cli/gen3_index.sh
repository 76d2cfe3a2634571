#!/usr/bin/env bash
# dcc index create|get|update|delete|query|versions and dcc drs get|access (issue #5)
# against a real dccd, with dccd's Basic admin keys; errors exit as documented.
# usage: gen3_index.sh DCC DCCD PROFILES_DIR
set -euo pipefail
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_API_KEY=${admin%%:*} DCC_SECRET_KEY=${admin#*:}
md5=0123456789abcdef0123456789abcdef
guid=dg.4503/0a1b2c3d-0000-4000-8000-000000000001

echo "1. create (minted and given did), get, query by hash, tsv"
minted=$("$dcc" index create --md5 $md5 --size 42 --url s3://b/a.bam --authz /programs/p --file-name a.bam | jq -r .did)
[[ $minted =~ ^.*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || fail "minted did: $minted"
out=$("$dcc" index create --guid $guid --md5 $md5 --size 42 --url "s3://b/x y.bam" --authz /programs/p --acl open)
[ "$(jq -r .did <<<"$out")" = $guid ] || fail "create with --guid: $out"
rev1=$(jq -r .rev <<<"$out")
rec=$("$dcc" index get $guid)
[ "$(jq -r '.size, .hashes.md5, .urls[0], .acl[0]' <<<"$rec" | paste -sd' ')" = "42 $md5 s3://b/x y.bam open" ] ||
  fail "get: $rec"
[ "$("$dcc" index query --hash md5:$md5 | jq length)" = 2 ] || fail "query by hash"
tsv=$("$dcc" index query --hash md5:$md5 --format tsv)
[ "$(head -1 <<<"$tsv")" = $'guid\turls\tauthz\tacl\tmd5\tfile_size\tfile_name' ] || fail "tsv header: $tsv"
grep -qF $'s3://b/x%20y.bam\t/programs/p\topen' <<<"$tsv" || fail "tsv row (space in a url as %20): $tsv"
[ "$("$dcc" index query --file-name a.bam | jq -r '.[0].did')" = "$minted" ] || fail "query by file name"
[ "$("$dcc" index query --limit 1 | jq length)" = 1 ] || fail "query --limit"

echo "2. update takes the current rev; a stale --rev is refused (409, exit 1) and changes nothing"
rev2=$("$dcc" index update $guid --url s3://b/x.bam --url gs://c/x.bam | jq -r .rev)
[ "$rev2" != "$rev1" ] || fail "update kept the rev"
[ "$("$dcc" index get $guid | jq -c .urls)" = '["s3://b/x.bam","gs://c/x.bam"]' ] || fail "update urls"
set +e
"$dcc" index update $guid --rev "$rev1" --file-name stale.bam 2>"$work/err" >/dev/null; rc=$?
[ $rc = 1 ] && grep -q "409" "$work/err" || fail "stale rev: $rc $(cat "$work/err")"
[ "$("$dcc" index get $guid | jq -r .file_name)" = null ] || fail "a refused update changed the record"
"$dcc" index update $guid 2>"$work/err"; rc=$?
[ $rc = 2 ] && grep -q "nothing to change" "$work/err" || fail "empty update: $rc $(cat "$work/err")"
"$dcc" index update $guid --md5 $md5 2>"$work/err"; rc=$?
[ $rc = 2 ] && grep -q "new version" "$work/err" || fail "hash update: $rc $(cat "$work/err")"
"$dcc" index create --md5 nothex --size 1 2>"$work/err"; rc=$?
[ $rc = 2 ] && grep -q "400" "$work/err" || fail "bad md5: $rc $(cat "$work/err")"
"$dcc" index create --size 1 2>"$work/err"; rc=$?
[ $rc = 2 ] && grep -q "needs --size and --md5" "$work/err" || fail "no md5: $rc $(cat "$work/err")"
"$dcc" index create --guid $guid --md5 $md5 --size 1 2>"$work/err"; rc=$?
[ $rc = 1 ] && grep -q "409" "$work/err" || fail "duplicate did: $rc $(cat "$work/err")"
set -e

echo "3. versions: a new version (body through --json), listed oldest first"
[ "$("$dcc" index versions $guid | jq length)" = 1 ] || fail "versions of a single record"
echo '{"size": 43, "hashes": {"md5": "ffffffffffffffffffffffffffffffff"}, "urls": []}' >"$work/v2.json"
v2=$("$dcc" index create --new-version-of $guid --json "$work/v2.json" | jq -r .did)
[ "$("$dcc" index versions $guid | jq -r '.[].did' | paste -sd' ')" = "$guid $v2" ] || fail "versions: $("$dcc" index versions $guid)"
[ "$("$dcc" index versions $guid --format tsv | wc -l)" = 3 ] || fail "versions tsv"

echo "4. drs get and access"
obj=$("$dcc" drs get $guid)
[ "$(jq -r '.id, .size, .checksums[0].checksum' <<<"$obj" | paste -sd' ')" = "$guid 42 $md5" ] || fail "drs get: $obj"
set +e
"$dcc" drs get dg.4503/00000000-0000-4000-8000-00000000ffff 2>"$work/err" >/dev/null; rc=$?
[ $rc = 3 ] || fail "drs get of a missing object: $rc $(cat "$work/err")"
"$dcc" drs access $guid >"$work/access" 2>"$work/err"; rc=$?
set -e
# dccd signs only locations it stores: an s3:// URL it does not hold is a DRS 404 (exit 3),
# reached through the first access method's access_id (s3).
[ $rc = 3 ] && grep -q "access/s3: HTTP 404: .*not held by this server" "$work/err" ||
  fail "drs access: $rc $(cat "$work/access" "$work/err")"

echo "5. delete; then get exits 3; writes without credentials exit 5"
"$dcc" index delete $guid >/dev/null
set +e
"$dcc" index get $guid 2>"$work/err" >/dev/null; rc=$?
[ $rc = 3 ] || fail "get after delete: $rc"
env -u DCC_API_KEY -u DCC_SECRET_KEY "$dcc" index create --md5 $md5 --size 1 2>"$work/err" >/dev/null; rc=$?
[ $rc = 5 ] || fail "anonymous create: $rc $(cat "$work/err")"
DCC_SECRET_KEY=wrongwrongwrongw "$dcc" index delete "$minted" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 5 ] || fail "wrong secret: $rc $(cat "$work/err")"
"$dcc" index get x --endpoint http://127.0.0.1:1 2>"$work/err" >/dev/null; rc=$?
[ $rc = 6 ] || fail "unreachable: $rc $(cat "$work/err")"
set -e
echo "5 passed, 0 failed"
