#!/usr/bin/env bash
# dcc register against a real dccd (issue #4): TSV and JSON, casting, checking before
# sending, --continue, idempotent re-runs, --dry-run, --patch with and without -w.
# usage: register.sh DCC DCCD PROFILES_DIR
set -euo pipefail
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_LAB=lab-a DCC_AWARD=U1  # real defaults, unlike the reference client
count() { curl -s -u "$admin" "$url/search/?type=$1&limit=0" | jq .total; }

T=$'\t'
cat >"$work/donors.tsv" <<TSV
# donors for the test
aliases${T}organism${T}sex${T}#note
d1${T}human${T}female${T}ignored column
# a comment line
[d2, donor-two]${T}human${T}male${T}
TSV
echo "1. TSV: comments skipped, aliases prefixed with DCC_LAB, arrays with brackets"
out=$("$dcc" register -p human_donor -i "$work/donors.tsv")
grep -q "2 created, 0 existed" <<<"$out" || fail "first run: $out"
[ "$("$dcc" get lab-a:donor-two | jq -r .sex)" = male ] || fail "the bracketed array alias"
[ "$("$dcc" get lab-a:d1 | jq -r .lab)" = "/labs/lab-a/" ] || fail "DCC_LAB was not applied"

echo "2. re-running the same file is idempotent"
out=$("$dcc" register -p human_donor -i "$work/donors.tsv")
grep -q "0 created, 2 existed" <<<"$out" || fail "second run: $out"
[ "$(count HumanDonor)" = 2 ] || fail "duplicates were created"

echo "3. every bad cell is reported as file:line:col and nothing is sent"
cat >"$work/bad.tsv" <<TSV
aliases${T}organism${T}source${T}biosample_ontology${T}passage_number
bs1${T}human${T}atcc${T}k562${T}four
bs2${T}human${T}atcc${T}k562${T}2
bs3${T}human${T}atcc${T}k562${T}3.5
TSV
set +e
"$dcc" register -p biosample -i "$work/bad.tsv" >"$work/out" 2>"$work/err"; rc=$?
set -e
[ $rc = 2 ] || fail "bad cells should exit 2, got $rc"
grep -q "bad.tsv:2:5: passage_number: 'four' is not an integer" "$work/err" || fail "$(cat "$work/err")"
grep -q "bad.tsv:4:5: passage_number: '3.5' is not an integer" "$work/err" || fail "$(cat "$work/err")"
grep -q "nothing was sent" "$work/err" || fail "no 'nothing was sent'"
[ "$(count Biosample)" = 0 ] || fail "a record was written despite errors"
printf 'aliases\tcolour\nx\tblue\n' >"$work/unknown.tsv"
set +e
"$dcc" register -p biosample -i "$work/unknown.tsv" 2>"$work/err" >/dev/null; rc=$?
set -e
[ $rc = 2 ] && grep -q "unknown.tsv:1:2: 'colour' is not a property of Biosample" "$work/err" || fail "unknown column: $rc $(cat "$work/err")"

echo "4. --continue sends the good rows and lists the bad"
set +e
out=$("$dcc" register -p biosample -i "$work/bad.tsv" --continue 2>"$work/err"); rc=$?
set -e
[ $rc = 1 ] || fail "--continue with bad lines should exit 1, got $rc"
grep -q "1 created, 0 existed, 0 patched, 0 failed, 2 bad line(s) skipped" <<<"$out" || fail "$out"
[ "$(count Biosample)" = 1 ] || fail "the good row was not sent"

echo "5. --dry-run sends nothing; a server refusal names the line"
printf '[{"aliases": ["bs9"], "organism": "human", "source": "atcc", "biosample_ontology": "k562"}]' >"$work/one.json"
out=$("$dcc" register -p biosample -i "$work/one.json" --dry-run)
grep -q "would POST /biosample" <<<"$out" && grep -q '"lab-a:bs9"' <<<"$out" || fail "dry run: $out"
[ "$(count Biosample)" = 1 ] || fail "the dry run wrote"
printf '[{"aliases": ["bs8"], "organism": "martian", "source": "atcc", "biosample_ontology": "k562"}]' >"$work/refused.json"
set +e
"$dcc" register -p biosample -i "$work/refused.json" >/dev/null 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] && grep -q "refused.json:1: .*'martian' not found" "$work/err" || fail "server refusal: $rc $(cat "$work/err")"

echo "6. --patch by record_id: arrays extend by default, -w replaces"
printf 'record_id\taliases\tdescription\nlab-a:bs2\tbs2-extra\tpatched\n' >"$work/patch.tsv"
out=$("$dcc" register -p biosample -i "$work/patch.tsv" --patch)
grep -q "1 patched" <<<"$out" || fail "patch: $out"
[ "$("$dcc" get lab-a:bs2 | jq -c .aliases)" = '["lab-a:bs2","lab-a:bs2-extra"]' ] || fail "aliases were not extended"
printf 'record_id\taliases\nlab-a:bs2\tbs2-only\n' >"$work/patch2.tsv"
"$dcc" register -p biosample -i "$work/patch2.tsv" --patch -w >/dev/null
[ "$("$dcc" get lab-a:bs2-only | jq -c .aliases)" = '["lab-a:bs2-only"]' ] || fail "-w did not replace"
echo "6 passed, 0 failed"
