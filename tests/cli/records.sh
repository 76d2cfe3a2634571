#!/usr/bin/env bash
# dcc get and dcc search against a real dccd (issue #4: get, search), run as a user would.
# usage: records.sh DCC DCCD PROFILES_DIR
set -euo pipefail
. "$(dirname "$0")/../support/cli_test_start.sh"
post "$alice" human_donor '{"lab":"lab-a","award":"U1","organism":"human","aliases":["lab-a:d1"],"sex":"female"}' >/dev/null
post "$alice" human_donor '{"lab":"lab-a","award":"U1","organism":"human","aliases":["lab-a:d2"],"sex":"male"}' >/dev/null

echo "1. dcc get: any identifier, several tried in turn, frames, --ignore-404"
acc=$("$dcc" get lab-a:d1 | jq -r .accession)
[[ $acc == DCCDO* ]] || fail "get by alias: $acc"
[ "$("$dcc" get "$acc" | jq -r .sex)" = female ] || fail "get by accession"
[ "$("$dcc" get "/human-donors/$acc/" | jq -r .accession)" = "$acc" ] || fail "get by @id"
[ "$("$dcc" get lab-a:missing lab-a:d2 | jq -r .sex)" = male ] || fail "the first found of several ids"
[ "$("$dcc" get lab-a:d1 --frame embedded | jq -r .lab.title)" = "Lab A" ] || fail "--frame embedded"
[ "$("$dcc" get lab-a:missing --ignore-404)" = "{}" ] || fail "--ignore-404"
set +e
"$dcc" get lab-a:missing 2>"$work/err" >/dev/null; rc=$?
set -e
[ $rc = 3 ] || fail "not found should exit 3, got $rc"
grep -q "no record for lab-a:missing" "$work/err" || fail "not-found message: $(cat "$work/err")"

echo "2. dcc search: terms, negation, links, tsv, --url, empty results"
n=$("$dcc" search type=HumanDonor lab.name=lab-a | jq length)
[ "$n" = 2 ] || fail "search found $n, expected 2"
[ "$("$dcc" search type=HumanDonor 'sex!=male' | jq -r '.[0].sex')" = female ] || fail "negation"
out=$("$dcc" search type=HumanDonor --format tsv --field accession --field sex)
[ "$(head -1 <<<"$out")" = $'accession\tsex' ] || fail "tsv header: $out"
[ "$(wc -l <<<"$out")" = 3 ] || fail "tsv rows: $out"
[ "$("$dcc" search --url '/search/?type=HumanDonor&sex=male' | jq -r '.[0].sex')" = male ] || fail "--url"
[ "$("$dcc" search type=HumanDonor sex=other)" = "[]" ] || fail "an empty search prints []"
[ "$("$dcc" search type=HumanDonor --limit 1 | jq length)" = 1 ] || fail "--limit"

echo "3. errors: bad terms, wrong credentials, no server, unreachable server"
set +e
"$dcc" search notaterm 2>"$work/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "'notaterm' is not KEY=VALUE" "$work/err" || fail "a bad term: $rc $(cat "$work/err")"
DCC_SECRET_KEY=wrongwrongwrongw "$dcc" get lab-a:d1 2>"$work/err" >/dev/null; rc=$?
[ $rc = 5 ] && grep -q "unknown access key or wrong secret" "$work/err" || fail "wrong secret: $rc $(cat "$work/err")"
env -u DCC_API_KEY -u DCC_SECRET_KEY "$dcc" get lab-a:d1 2>"$work/err" >/dev/null; rc=$?
[ $rc = 5 ] || fail "an unreleased record read anonymously should exit 5, got $rc"
env -u DCC_MODE "$dcc" get lab-a:d1 2>"$work/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "no server configured" "$work/err" || fail "no server: $rc $(cat "$work/err")"
echo '{"retries": 1}' >"$work/retries.json"
DCC_CONFIG_FILE=$work/retries.json "$dcc" --server http://127.0.0.1:1 get x 2>"$work/err" >/dev/null; rc=$?
[ $rc = 6 ] && grep -q "127.0.0.1:1" "$work/err" || fail "unreachable: $rc $(cat "$work/err")"
set -e
echo "3 passed, 0 failed"
