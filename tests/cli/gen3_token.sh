#!/usr/bin/env bash
# Gen3 API-key auth in dcc (issue #5) against a real dccd: credentials.json lookup, the
# commons URL from the key's iss, bearer tokens on index writes, a token expiring in the
# middle of a manifest run (refreshed, the run goes on), and a key revoked mid-run (one
# refresh attempt, then a clear failure and a resumable checkpoint).
# usage: gen3_token.sh DCC DCCD PROFILES_DIR
set -euo pipefail
writer=""
. "$(dirname "$0")/../support/cli_test_start.sh"
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$writer" ] && kill $writer 2>/dev/null; rm -rf "$work"' EXIT
# Bearer tokens only: no Basic keys in the environment.
unset DCC_API_KEY DCC_SECRET_KEY DCC_MODE
"$dccd" admin api-key "${common[@]}" --user admin@dcc.test --expires-days 1 >"$work/credentials.json"
md5=0123456789abcdef0123456789abcdef
rows() {  # rows FIRST LAST: manifest rows without a guid
  for i in $(seq "$1" "$2"); do printf '%032x\t%d\ts3://tok/f%d\t/programs/tok\n' "$i" "$i" "$i"; done
}

echo "1. --auth FILE: the endpoint comes from the key's iss; writes carry bearer tokens"
did=$("$dcc" index create --auth "$work/credentials.json" --md5 $md5 --size 1 --url s3://tok/a | jq -r .did)
[ "$("$dcc" index get "$did" --auth "$work/credentials.json" | jq -r .size)" = 1 ] || fail "create with a token"
mkdir -p "$HOME/.gen3"
cp "$work/credentials.json" "$HOME/.gen3/mine.json"
GEN3_API_KEY=mine "$dcc" index delete "$did" >/dev/null || fail "GEN3_API_KEY=mine (~/.gen3/mine.json)"

echo "2. bad credentials: missing, not JSON, refused by the server"
set +e
"$dcc" index get x --auth nosuch 2>"$work/err" >/dev/null; rc=$?
[ $rc = 3 ] && grep -q "no Gen3 credentials file (tried .*/.gen3/nosuch, .*/.gen3/nosuch.json, nosuch)" "$work/err" ||
  fail "missing credentials: $rc $(cat "$work/err")"
echo "{" >"$work/broken.json"
"$dcc" index get x --auth "$work/broken.json" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "broken.json: not a credentials.json" "$work/err" || fail "broken credentials: $rc $(cat "$work/err")"
jq '.api_key |= (split(".") | .[2] = "AAAA" | join("."))' "$work/credentials.json" >"$work/forged.json"
"$dcc" index create --auth "$work/forged.json" --md5 $md5 --size 1 2>"$work/err" >/dev/null; rc=$?
[ $rc = 5 ] && grep -q "failed to get an access token from .*/user/credentials/api/access_token (HTTP 401)" "$work/err" ||
  fail "forged key: $rc $(cat "$work/err")"
set -e

echo "3. a 1-second token expires in the middle of a manifest run: refreshed, nothing lost"
mkfifo "$work/rows.tsv"
{ printf 'md5\tsize\turl\tauthz\n'; rows 1 20; sleep 3; rows 21 40; } >"$work/rows.tsv" &
writer=$!
"$dcc" manifest index "$work/rows.tsv" -o "$work/out.tsv" --auth "$work/credentials.json" --token-expires-in 1 \
  --batch 10 --concurrency 2 >"$work/log" 2>"$work/err" || fail "run across an expiry: $(cat "$work/err")"
writer=""
grep -q "indexed 40 rows (40 created" "$work/log" || fail "summary: $(cat "$work/log")"
n=$(sed -n 's/.*; \([0-9]*\) token exchanges$/\1/p' "$work/log")
[ "${n:-0}" -ge 2 ] || fail "expected a refresh after the pause: $(cat "$work/log")"

echo "4. the key is revoked mid-run: one refresh is tried, then exit 5 and a checkpoint to resume from"
key_id=$(jq -r .key_id "$work/credentials.json")
mkfifo "$work/more.tsv"
# The writer revokes the key once both first batches are committed (the checkpoint says
# line 21), then sends the rest.
{ printf 'md5\tsize\turl\tauthz\n'; rows 41 60
  for _ in $(seq 600); do [ "$(jq .line "$work/more.out.tsv.checkpoint" 2>/dev/null)" = 21 ] && break; sleep 0.05; done
  curl -s -o /dev/null -u "$admin" -X DELETE "$url/user/credentials/api/$key_id"; rows 61 80; } >"$work/more.tsv" &
writer=$!
set +e
"$dcc" manifest index "$work/more.tsv" -o "$work/more.out.tsv" --auth "$work/credentials.json" --batch 10 \
  --concurrency 1 >"$work/log" 2>"$work/err"; rc=$?
set -e
writer=""
[ $rc = 5 ] || fail "a revoked key should exit 5, got $rc: $(cat "$work/err")"
grep -q "stopped: .*failed to get an access token.*(HTTP 401).*expired or revoked" "$work/err" ||
  fail "revoked key message: $(cat "$work/err")"
grep -q "rerun the same command to resume after line 21" "$work/err" || fail "resume hint: $(cat "$work/err")"
[ "$(jq .line "$work/more.out.tsv.checkpoint")" = 21 ] || fail "checkpoint: $(cat "$work/more.out.tsv.checkpoint")"
echo "4 passed, 0 failed"
