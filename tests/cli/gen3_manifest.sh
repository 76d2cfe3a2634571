#!/usr/bin/env bash
# dcc manifest index, download and verify (issue #5) against a real dccd: bad rows reported
# with their lines while the rest is indexed, a kill -9 and a resume from the checkpoint,
# keyset download (both paths), verify with mismatches and its exit status.
# usage: gen3_manifest.sh DCC DCCD PROFILES_DIR
set -euo pipefail
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_API_KEY=${admin%%:*} DCC_SECRET_KEY=${admin#*:}
count() { "$dcc" manifest download -o "$work/count.tsv" >/dev/null && echo $(($(wc -l <"$work/count.tsv") - 1)); }

echo "1. index: the reference's column names and list cells; bad rows reported, the rest indexed"
cat >"$work/files.csv" <<'CSV'
GUID,md5sum,file_size,s3_path,authz,acls,filename
dg.4503/0a1b2c3d-0000-4000-8000-000000000001,0123456789abcdef0123456789abcdef,10,"['s3://b/one.bam', 's3://b/one%20copy.bam']","['/programs/p/projects/a', '/programs/p/projects/b']",['open'],one.bam
,1123456789ABCDEF0123456789abcdef,20,s3://b/two.bam,/programs/p,"a,b",two.bam
,nothex,30,s3://b/three.bam,/programs/p,,three.bam
,2123456789abcdef0123456789abcdef,-4,s3://b/four.bam,programs,,four.bam
,3123456789abcdef0123456789abcdef,50,s3://b/five.bam,/programs/p,,five.bam
CSV
set +e
"$dcc" manifest index "$work/files.csv" -o "$work/out.tsv" >"$work/log" 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] || fail "bad rows should exit 1, got $rc: $(cat "$work/err")"
grep -q "files.csv:4: md5 'nothex' is not 32 hex digits" "$work/err" || fail "line 4 report: $(cat "$work/err")"
grep -q "files.csv:5: size '-4' is not a non-negative integer; authz 'programs' is not a resource path" "$work/err" ||
  fail "line 5 report: $(cat "$work/err")"
grep -q "indexed 3 rows (3 created, 0 updated, 0 unchanged), 2 bad rows" "$work/log" || fail "summary: $(cat "$work/log")"
[ "$(head -1 "$work/out.tsv")" = $'guid\tmd5sum\tfile_size\ts3_path\tauthz\tacls\tfilename' ] || fail "output header"
[ "$(($(wc -l <"$work/out.tsv") - 1))" = 3 ] || fail "output rows: $(cat "$work/out.tsv")"
[ ! -e "$work/out.tsv.checkpoint" ] || fail "a finished run left its checkpoint"
rec=$("$dcc" index get dg.4503/0a1b2c3d-0000-4000-8000-000000000001)
[ "$(jq -c '[.urls, (.authz | sort), .acl]' <<<"$rec")" = '[["s3://b/one.bam","s3://b/one copy.bam"],["/programs/p/projects/a","/programs/p/projects/b"],["*"]]' ] ||
  fail "list cells: $rec"
two=$(awk -F'\t' '$7 == "two.bam" { print $1 }' "$work/out.tsv")
[ "$("$dcc" index get "$two" | jq -c '[.hashes.md5, .acl]')" = '["1123456789abcdef0123456789abcdef",["a","b"]]' ] ||
  fail "minted guid, lowercased md5, comma list: $("$dcc" index get "$two")"
# Indexing the same manifest again changes nothing: minted GUIDs are the same.
set +e
"$dcc" manifest index "$work/files.csv" -o "$work/out2.tsv" >"$work/log" 2>/dev/null
set -e
grep -q "indexed 3 rows (0 created, 0 updated, 3 unchanged)" "$work/log" || fail "re-run: $(cat "$work/log")"
cmp -s "$work/out.tsv" "$work/out2.tsv" || fail "a re-run minted other GUIDs"
# Record by record, as any indexd takes them: unchanged rows cost no write, a changed url
# of a given GUID is a PUT, a different size for an existing GUID is refused.
set +e
"$dcc" manifest index "$work/files.csv" -o "$work/out3.tsv" --per-record >"$work/log" 2>/dev/null
grep -q "indexed 3 rows (0 created, 0 updated, 3 unchanged).*record by record" "$work/log" || fail "per-record re-run: $(cat "$work/log")"
sed 's|s3://b/one.bam|s3://b/one-moved.bam|' "$work/files.csv" >"$work/changed.csv"
echo "dg.4503/0a1b2c3d-0000-4000-8000-000000000001,0123456789abcdef0123456789abcdef,99,s3://b/x,/programs/p,,x.bam" >>"$work/changed.csv"
"$dcc" manifest index "$work/changed.csv" -o "$work/out4.tsv" --per-record >"$work/log" 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] || fail "a refused row should exit 1, got $rc"
grep -q "changed.csv:7: a record dg.4503/0a1b2c3d-0000-4000-8000-000000000001 with a different size or md5 already exists" "$work/err" ||
  fail "size conflict: $(cat "$work/err")"
grep -q "indexed 3 rows (0 created, 1 updated, 2 unchanged), 2 bad rows, 1 refused" "$work/log" ||
  fail "per-record summary: $(cat "$work/log")"
[ "$("$dcc" index get dg.4503/0a1b2c3d-0000-4000-8000-000000000001 | jq -r '.urls[0], .size' | paste -sd' ')" = "s3://b/one-moved.bam 10" ] ||
  fail "per-record update: $("$dcc" index get dg.4503/0a1b2c3d-0000-4000-8000-000000000001)"

echo "2. kill -9 mid-run, then the same command resumes after the checkpoint's line"
big() { awk -v n="$1" 'BEGIN { print "md5\tsize\turl\tauthz"
  for (i = 1; i <= n; i++) printf "%032x\t%d\ts3://bulk/f%d\t/programs/bulk\n", i, i, i }'; }
# The first run reads a named pipe that delivers 500 rows and then stays open, so the run
# is certainly mid-manifest when it is killed; the resume reads the whole file at the same path.
mkfifo "$work/big.tsv"
{ big 500; sleep 60; } >"$work/big.tsv" &
feeder=$!
"$dcc" manifest index "$work/big.tsv" -o "$work/big.out.tsv" --batch 50 --concurrency 1 >/dev/null 2>&1 &
runner=$!
for _ in $(seq 600); do [ "$(jq .line "$work/big.out.tsv.checkpoint" 2>/dev/null)" = 501 ] && break; sleep 0.05; done
kill -9 $runner 2>/dev/null || true
wait $runner 2>/dev/null || true
kill $feeder 2>/dev/null || true
wait $feeder 2>/dev/null || true
rm "$work/big.tsv"
big 3000 >"$work/big.tsv"
line=$(jq .line "$work/big.out.tsv.checkpoint")
[ "$line" = 501 ] || fail "checkpoint before the kill: line $line, expected 501"
"$dcc" manifest index "$work/big.tsv" -o "$work/big.out.tsv" --batch 500 >"$work/log" 2>"$work/err" ||
  fail "resume: $(cat "$work/err")"
grep -q "resuming .*big.tsv after line $line" "$work/err" || fail "resume message: $(cat "$work/err")"
[ "$(($(wc -l <"$work/big.out.tsv") - 1))" = 3000 ] || fail "resumed output has $(wc -l <"$work/big.out.tsv") lines"
[ "$(cut -f1 "$work/big.out.tsv" | sort -u | wc -l)" = 3001 ] || fail "duplicate GUIDs in the output"
[ "$(count)" = 3003 ] || fail "the server holds $(count) records, expected 3003 (no duplicates after the resume)"
# A checkpoint for another manifest is refused.
echo '{"input": "/elsewhere.tsv", "line": 3, "output_bytes": 10}' >"$work/other.checkpoint"
set +e
"$dcc" manifest index "$work/big.tsv" -o "$work/big2.tsv" --checkpoint "$work/other.checkpoint" 2>"$work/err" >/dev/null; rc=$?
set -e
[ $rc = 2 ] && grep -q "the checkpoint is for /elsewhere.tsv" "$work/err" || fail "foreign checkpoint: $rc $(cat "$work/err")"

echo "3. download: keyset pages through /bulk/export and through GET /index/, TSV and CSV"
"$dcc" manifest download -o "$work/all.tsv" --page-size 700 >"$work/log"
grep -q "downloaded 3003 records in 5 pages (/bulk/export" "$work/log" || fail "export: $(cat "$work/log")"
"$dcc" manifest download -o "$work/all.csv" --no-export >"$work/log"
grep -q "downloaded 3003 records in 3 pages (/index/, 1024 per page)" "$work/log" || fail "index paging: $(cat "$work/log")"
[ "$(tr ',' '\t' <"$work/all.csv" | md5sum)" = "$(md5sum <"$work/all.tsv")" ] || fail "the two paths disagree"
[ "$(head -1 "$work/all.csv")" = "guid,urls,authz,acl,md5,file_size,file_name" ] || fail "csv header"
grep -q "^dg.4503/0a1b2c3d-0000-4000-8000-000000000001,s3://b/one%20copy.bam s3://b/one-moved.bam," "$work/all.csv" ||
  fail "sorted urls with %20: $(grep 0a1b2c3d "$work/all.csv")"
[ ! -e "$work/all.csv.part" ] || fail "the .part file was left"

echo "4. verify: everything matches (exit 0); then mismatches, one line per field, exit 1"
"$dcc" manifest verify "$work/all.tsv" --batch 400 >"$work/mismatch" 2>"$work/err" || fail "verify: $(cat "$work/err")"
[ ! -s "$work/mismatch" ] || fail "mismatches on a fresh download: $(head "$work/mismatch")"
grep -q "verified 3003 rows: 0 mismatched" "$work/err" || fail "verify summary: $(cat "$work/err")"
cat >"$work/wrong.tsv" <<'TSV'
guid	md5	size	url	authz	acl	file_name
dg.4503/0a1b2c3d-0000-4000-8000-000000000001	0123456789abcdef0123456789abcdef	11	s3://b/one.bam	/programs/p/projects/a	*	one.bam
dg.4503/0a1b2c3d-0000-4000-8000-0000000000ff	0123456789abcdef0123456789abcdef	1	s3://x	/programs/p		
TSV
set +e
"$dcc" manifest verify "$work/wrong.tsv" -o "$work/errors.log" 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] || fail "mismatches should exit 1, got $rc"
expected='dg.4503/0a1b2c3d-0000-4000-8000-000000000001|authz|expected ["/programs/p/projects/a"]|actual ["/programs/p/projects/a","/programs/p/projects/b"]
dg.4503/0a1b2c3d-0000-4000-8000-000000000001|file_size|expected 11|actual 10
dg.4503/0a1b2c3d-0000-4000-8000-000000000001|urls|expected ["s3://b/one.bam"]|actual ["s3://b/one copy.bam","s3://b/one-moved.bam"]
dg.4503/0a1b2c3d-0000-4000-8000-0000000000ff|no_record|expected a record|actual none'
[ "$(cat "$work/errors.log")" = "$expected" ] || fail "mismatch lines:
$(cat "$work/errors.log")"
set +e
"$dcc" manifest verify "$work/missing.tsv" 2>"$work/err"; rc=$?
[ $rc = 3 ] || fail "missing manifest: $rc"
printf 'md5\tsize\n' >"$work/noguid.tsv"
"$dcc" manifest verify "$work/noguid.tsv" 2>"$work/err"; rc=$?
[ $rc = 2 ] && grep -q "no guid column" "$work/err" || fail "no guid column: $rc $(cat "$work/err")"
env -u DCC_API_KEY -u DCC_SECRET_KEY "$dcc" manifest index "$work/files.csv" -o "$work/anon.tsv" 2>"$work/err" >/dev/null; rc=$?
set -e
[ $rc = 5 ] || fail "anonymous index should exit 5, got $rc: $(cat "$work/err")"
echo "4 passed, 0 failed"
