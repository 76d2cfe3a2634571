#!/usr/bin/env bash
# dcc upload against a real dccd with its S3 endpoint (issue #4): verified multipart
# upload, a content error reported, resume after the client is killed, and bad input.
# usage: upload.sh DCC DCCD PROFILES_DIR
set -euo pipefail
with_s3=1
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_LAB=lab-a DCC_AWARD=U1
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null
new_file() {  # new_file PATH [MD5] -> accession
  curl -sf -u "$alice" -H 'Content-Type: application/json' -X POST "$url/file" \
    -d "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"${2:-$(md5sum <"$1" | cut -d' ' -f1)}\",\"file_size\":$(stat -c %s "$1")}" |
    jq -r '.["@graph"][0].accession'
}

echo "1. a multipart upload, verified by the portal"
head -c $((20 << 20)) /dev/urandom >"$work/a.bam"
acc=$(new_file "$work/a.bam")
out=$("$dcc" upload "$acc" "$work/a.bam")
grep -q "3 parts, 0 resumed" <<<"$out" || fail "upload: $out"
grep -q "$acc is in progress" <<<"$out" || fail "not verified: $out"

echo "   and back: dcc download verifies the md5 and writes only verified bytes"
(cd "$work" && "$dcc" download "$acc" --concurrency 3 --chunk-size-mib 1 >"$work/dl.out")
cmp -s "$work/a.bam" "$work/$acc.bam" || fail "downloaded bytes differ"
grep -q "md5 $(md5sum <"$work/a.bam" | cut -d' ' -f1) verified" "$work/dl.out" || fail "$(cat "$work/dl.out")"
[ ! -e "$work/$acc.bam.part" ] || fail "the .part file was left"
"$dcc" download "$acc" -o "$work/named.bam" >/dev/null && cmp -s "$work/a.bam" "$work/named.bam" || fail "-o"

echo "2. bytes that do not match the record: content error, exit 1"
head -c $((6 << 20)) /dev/urandom >"$work/b.bam"
acc_b=$(new_file "$work/b.bam" 00000000000000000000000000000000)
set +e
"$dcc" upload "$acc_b" "$work/b.bam" >"$work/out" 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] || fail "a content error should exit 1, got $rc"
grep -q "expected 00000000000000000000000000000000" "$work/err" || fail "the reason is not shown: $(cat "$work/err")"

echo "3. killed mid-upload, run again: stored parts are not sent again"
head -c $((96 << 20)) /dev/urandom >"$work/c.bam"
acc_c=$(new_file "$work/c.bam")
"$dcc" upload "$acc_c" "$work/c.bam" --concurrency 1 --part-size-mib 8 >/dev/null 2>&1 &
uploader=$!
for _ in $(seq 300); do
  # a finished part has a record: 00002.placed (written in place) or 00002.md5 (on its own)
  [ -n "$(find "$work/data/blobs/objects/.multipart" -name '00002.placed' -o -name '00002.md5' 2>/dev/null)" ] && break
  sleep 0.02
done
{ kill -9 $uploader; wait $uploader; } 2>/dev/null || true
[ -f "$work/c.bam.dcc-upload.json" ] || fail "no resume state was kept"
out=$("$dcc" upload "$acc_c" "$work/c.bam" --concurrency 1 --part-size-mib 8)
resumed=$(grep -o '[0-9]* resumed' <<<"$out" | cut -d' ' -f1)
[ "${resumed:-0}" -ge 2 ] || fail "expected at least 2 resumed parts: $out"
grep -q "$acc_c is in progress" <<<"$out" || fail "resumed upload not verified: $out"
[ ! -f "$work/c.bam.dcc-upload.json" ] || fail "the resume state was not removed"

echo "4. errors: missing file, a file not awaiting bytes, no endpoint, no bytes to download"
set +e
"$dcc" download "$acc_b" -o "$work/none.bam" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 3 ] && grep -q "no verified bytes" "$work/err" || fail "download without bytes: $rc $(cat "$work/err")"
[ ! -e "$work/none.bam" ] || fail "a file was written for a record without bytes"
"$dcc" upload "$acc" "$work/missing.bam" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 3 ] || fail "missing local file: exit $rc"
"$dcc" upload "$acc" "$work/a.bam" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 5 ] && grep -q 'status must be "uploading"' "$work/err" || fail "already uploaded: $rc $(cat "$work/err")"
env -u AWS_ENDPOINT_URL_S3 "$dcc" upload "$acc_b" "$work/b.bam" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "no S3 endpoint" "$work/err" || fail "no endpoint: $rc $(cat "$work/err")"
set -e
echo "5 passed, 0 failed"
