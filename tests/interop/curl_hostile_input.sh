#!/usr/bin/env bash
# Hostile input from curl (issue 9, items 1 and 5). What broke: a 50,000-character alias
# (any `pattern`-checked string) killed dccd with SIGSEGV (std::regex recursion); a JWT
# header {"alg":123} answered 500; GET /index/?file_name=%FF answered 500; GET
# /mds/metadata?a%00b=1 answered 500 with "sqlite prepare: unrecognized token" (the key
# was inlined into SQL). Now: long strings are checked by PCRE2 under a per-string cap,
# each of the others is a clear 4xx, no reply ever carries SQL text, and dccd stays up.
# usage: curl_hostile_input.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/dcc-hostile-input-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
. "$here/../support/dccd_fixture.sh"
passed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
alive() { kill -0 "$pid" 2>/dev/null && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/_status")" = 200 ] ||
  fail "dccd is down after: $*"; }
# send CODE_GLOB WHAT CURL_ARGS...: the reply's status must match CODE_GLOB; body in $work/body.
send() {
  local want=$1 what=$2 code
  shift 2
  code=$(curl -s -o "$work/body" -w '%{http_code}' "$@")
  # shellcheck disable=SC2053
  [[ $code == $want ]] || fail "$what answered $code (expected $want): $(head -c 300 "$work/body")"
  ! grep -qi "sqlite\|sql error\|syntax error" "$work/body" || fail "$what leaked SQL text: $(head -c 300 "$work/body")"
  alive "$what"
}
donor() {  # donor ALIAS: a human_donor body with one alias
  printf '{"lab": "lab-a", "award": "U1", "organism": "human", "aliases": ["%s"]}' "$1"
}
long() { head -c "$1" /dev/zero | tr '\0' "$2"; }

echo "1. long pattern-checked strings: PCRE2, no crash; over the cap a 422 that says so"
for n in 10000 50000 1000000; do
  donor "lab-a:$(long $n x)" >"$work/donor.json"
  send 201 "a valid $n-character alias" -u "$alice" -H 'Content-Type: application/json' \
    --data-binary @"$work/donor.json" "$url/human_donor"
  donor "lab-a:$(long $n x)/" >"$work/donor.json"
  send 422 "an invalid $n-character alias" -u "$alice" -H 'Content-Type: application/json' \
    --data-binary @"$work/donor.json" "$url/human_donor"
  grep -q "does not match" "$work/body" || fail "the $n-character refusal does not say why: $(head -c 300 "$work/body")"
done
ok "valid 10,000/50,000/1,000,000-character aliases are stored; invalid ones are 422"
donor "lab-a:$(long 1100000 x)" >"$work/donor.json"
send 422 "a 1.1 MB alias" -u "$alice" -H 'Content-Type: application/json' --data-binary @"$work/donor.json" \
  "$url/human_donor"
grep -q "longer than the limit of 1048576 bytes" "$work/body" || fail "no size-cap message: $(head -c 300 "$work/body")"
# Many space-separated words and a trailing space: the alias pattern's `(?:\s[...]+)*`
# group repeats 100,000 times before it fails; still a clean answer.
donor "lab-a:$(yes a | head -n 100000 | tr '\n' ' ')" >"$work/donor.json"
send 422 "200,000 characters of 'a a a ... a '" -u "$alice" -H 'Content-Type: application/json' \
  --data-binary @"$work/donor.json" "$url/human_donor"
ok "over 1 MiB: 422 naming the limit; a backtracking-heavy alias: 4xx, dccd up"
# A did of a million characters (indexd's did check used std::regex `^.*<uuid>$`).
printf '{"did": "%s", "form": "object", "size": 1, "hashes": {"md5": "0cc175b9c0f1b6a831c399e269772661"}, "urls": []}' \
  "$(long 1000000 a)" >"$work/did.json"
send '4??' "a 1,000,000-character did" -u "$admin" -H 'Content-Type: application/json' --data-binary @"$work/did.json" \
  "$url/index/"
ok "a 1,000,000-character did: 4xx, dccd up"

echo "2. anonymous 500s that are 4xx"
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
for header in '{"alg":123}' '{"alg":null}' '{"alg":["RS256"]}' '{"alg":{"x":1}}' '[]' '"x"' 'not json'; do
  jwt="$(b64url "$header").$(b64url '{"pur":"access"}').$(b64url sig)"
  send 401 "a bearer JWT with header $header" -H "Authorization: Bearer $jwt" "$url/user/user"
  printf '{"api_key": "%s"}' "$jwt" >"$work/key.json"
  send 401 "an API key JWT with header $header" -H 'Content-Type: application/json' --data-binary @"$work/key.json" \
    "$url/user/credentials/api/access_token"
done
ok "JWT headers with a non-string alg (and other junk) are 401 on the bearer and API-key paths"
for path in '/index/?file_name=%FF' '/index/index/?file_name=%FF' '/index/?%FF=1' '/mds/metadata?a=%C3' \
  '/search/?type=Biosample&q=%FF%FE' '/drs/v1/objects?x=%80'; do
  send 400 "GET $path" -g "$url$path"
  grep -q "UTF-8" "$work/body" || fail "GET $path does not say what is wrong: $(cat "$work/body")"
done
ok "query text that is not UTF-8 is 400 naming the parameter"
send 400 "GET /mds/metadata?a%00b=1" "$url/mds/metadata?a%00b=1"
grep -q "control characters" "$work/body" || fail "the NUL key refusal does not say why: $(cat "$work/body")"
ok "a NUL in an MDS key is 400, without SQL text"

echo "3. odd MDS and indexd query keys and values: never 500, never SQL text"
# Entries whose keys hold the odd characters, so that the filters below can match, and a
# bound (non-plain) path that finds one: keys with ', $, [ and spaces are not SQL text.
cat >"$work/mds.json" <<'JSON'
[{"guid": "h1", "data": {"a'b": "1", "a$b": "$", "a[0]": "[", "a": {"b": "."}, "$": 1, "a b": "x"}},
 {"guid": "h2", "data": {"a": 1}}]
JSON
send 201 "POST /mds-admin/metadata" -u "$admin" -H 'Content-Type: application/json' --data-binary @"$work/mds.json" \
  "$url/mds-admin/metadata"
send 200 "GET /mds/metadata?a%27b=1" "$url/mds/metadata?a%27b=1"
[ "$(cat "$work/body")" = '["h1"]' ] || fail "a filter on the key a'b: $(cat "$work/body")"
send 200 "GET /mds/metadata?a%20b=x" "$url/mds/metadata?a%20b=x"
[ "$(cat "$work/body")" = '["h1"]' ] || fail "a filter on the key 'a b': $(cat "$work/body")"
send 200 "GET /mds/metadata?a=1" "$url/mds/metadata?a=1"
[ "$(cat "$work/body")" = '["h2"]' ] || fail "a plain filter: $(cat "$work/body")"
ok "keys with quotes, \$, [ and spaces filter as bound JSON paths"
n=0
# Keys and values as sent (already percent-encoded where curl would not pass them raw).
for key in a a%27b a%22b a%24b a.b a%5B0%5D %24 %24.a a%27%3B-- a%00 %0A "$(long 3000 k)" x.%FF; do
  for value in 1 %27 %22 %24 . %5B %00 %FF "%27)%20OR%201%3D1--" "$(long 3000 v)" '*' '%5C*'; do
    for base in /mds/metadata /mds/metadata?data=true /index/ /index/index; do
      sep='?'; [[ $base == *\?* ]] && sep='&'
      send '[24]??' "GET $base$sep$key=$value" -g "$url$base$sep$key=$value"
      n=$((n + 1))
    done
  done
done
ok "$n odd query strings: 2xx or 4xx, no SQL text, dccd up"

echo "$passed passed, 0 failed"
