#!/usr/bin/env bash
# dcc manifest merge (issue #5): exact and partial (Aho-Corasick) matching of a metadata
# manifest against an indexing manifest, run as a user would. No server needed.
# usage: gen3_merge.sh DCC
set -euo pipefail
dcc=$1
work=$(mktemp -d /tmp/dcc-cli-merge-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf 'guid\tsample_id\turls\tmd5\n' >"$work/idx.tsv"
printf 'dg.1/g1\tS1\ts3://b/study/S1/a.bam\taa\n' >>"$work/idx.tsv"
printf 'dg.1/g2\tS1\ts3://b/study/S1/b.bam\tbb\n' >>"$work/idx.tsv"
printf 'dg.1/g3\tS12\ts3://b/study/S12/c.bam\tcc\n' >>"$work/idx.tsv"
printf 'dg.1/g4\tS3\ts3://b/other/x.bam\tdd\n' >>"$work/idx.tsv"
# CSV with a BOM, a quoted cell holding the delimiter, and a row that matches nothing.
printf '\xef\xbb\xbfsubmitted_sample_id,note\nS1,"one, two"\nS12,x\nS9,none\n' >"$work/md.csv"

echo "1. exact: one metadata row to every GUID with its key, unmatched rows reported"
"$dcc" manifest merge "$work/idx.tsv" "$work/md.csv" -o "$work/out.tsv" >"$work/log" 2>"$work/err" ||
  fail "exact merge: $(cat "$work/err")"
expected=$'guid\tsubmitted_sample_id\tnote\tsample_id\turls\tmd5
dg.1/g1\tS1\tone, two\tS1\ts3://b/study/S1/a.bam\taa
dg.1/g2\tS1\tone, two\tS1\ts3://b/study/S1/b.bam\tbb
dg.1/g3\tS12\tx\tS12\ts3://b/study/S12/c.bam\tcc'
[ "$(cat "$work/out.tsv")" = "$expected" ] || fail "exact output:
$(cat "$work/out.tsv")"
grep -q "md.csv:4: no GUID for key 'S9'" "$work/err" || fail "unmatched row report: $(cat "$work/err")"
grep -q "3 rows written" "$work/log" || fail "summary: $(cat "$work/log")"

echo "2. partial: the key inside a URL (S1 also occurs in S12's URL: it gets all three)"
"$dcc" manifest merge "$work/idx.tsv" "$work/md.csv" -o "$work/p.tsv" --partial --indexing-key urls \
  --no-indexing-columns >/dev/null 2>&1 || fail "partial merge"
expected=$'guid\tsubmitted_sample_id\tnote
dg.1/g1\tS1\tone, two
dg.1/g2\tS1\tone, two
dg.1/g3\tS1\tone, two
dg.1/g3\tS12\tx'
[ "$(cat "$work/p.tsv")" = "$expected" ] || fail "partial output:
$(cat "$work/p.tsv")"

echo "3. errors: a missing key column, a missing file, nothing written"
set +e
"$dcc" manifest merge "$work/idx.tsv" "$work/md.csv" -o "$work/bad.tsv" --metadata-key nope 2>"$work/err"; rc=$?
[ $rc = 2 ] && grep -q "md.csv: the metadata manifest has no column 'nope'" "$work/err" || fail "bad key: $rc $(cat "$work/err")"
[ ! -e "$work/bad.tsv" ] || fail "a failed merge wrote its output"
"$dcc" manifest merge "$work/missing.tsv" "$work/md.csv" -o "$work/bad.tsv" 2>"$work/err"; rc=$?
[ $rc = 3 ] && grep -q "missing.tsv: no such manifest" "$work/err" || fail "missing file: $rc $(cat "$work/err")"
set -e
echo "3 passed, 0 failed"
