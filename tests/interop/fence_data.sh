#!/usr/bin/env bash
# fence data endpoints end to end (issue #5): a bearer token from an API key; POST
# /user/data/upload makes a blank index record and a presigned PUT URL for dccd's S3
# endpoint; curl PUTs the bytes; the record is filled at once (size, md5, urls); GET
# /user/data/download/{guid} signs a URL that serves the same bytes. Multipart init/
# upload/complete likewise. Denied (403), bad token (401), expired URL refused.
# usage: fence_data.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/dcc-fence-data-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
serve_extra=(--s3-listen 127.0.0.1:0 --s3-port-file "$work/s3port")
. "$here/../support/dccd_fixture.sh"
"$dccd" admin add-user "${common[@]}" --email bob@lab-b.test >/dev/null
"$dccd" admin grant "${common[@]}" --user alice@lab-a.test --resource /programs/p --methods read,create,update,delete \
  >/dev/null
passed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }

# Bad admin input: a clear message, exit 2, nothing granted or issued.
expect_refused() {  # expect_refused TEXT ARGS...
  local text=$1 out code=0
  shift
  out=$("$dccd" admin "$@" "${common[@]}" 2>&1) || code=$?
  [ "$code" = 2 ] || fail "dccd admin $* exited $code: $out"
  [[ $out == *"$text"* ]] || fail "dccd admin $* said '$out', expected '$text'"
}
expect_refused "unknown method 'write'" grant --user bob@lab-b.test --resource /programs/p --methods read,write
expect_refused "starts with '/'" grant --user bob@lab-b.test --resource programs/p --methods read
expect_refused "no user with email 'nobody@x'" grant --user nobody@x --resource /programs/p --methods read
expect_refused "has no policy" revoke --user bob@lab-b.test --resource /programs/p
expect_refused "no user with email 'nobody@x'" api-key --user nobody@x
expect_refused "http://" api-key --user bob@lab-b.test --public-url ftp://x
code=0
out=$("$dccd" serve "${common[@]}" --listen 127.0.0.1:0 --public-url ftp://x 2>&1) || code=$?
[ "$code" = 2 ] && [[ $out == *"--public-url: must start with http"* ]] || fail "serve --public-url ftp://x: $code $out"
ok "dccd admin grant/revoke/api-key and serve --public-url refuse bad input (exit 2, the reason)"
token_for() {  # token_for EMAIL
  "$dccd" admin api-key "${common[@]}" --user "$1" --expires-days 1 >"$work/cred.json"
  curl -sf -X POST "$url/user/credentials/api/access_token" -H 'Content-Type: application/json' \
    -d @"$work/cred.json" | jq -r .access_token
}
# As a person types it: curl -X POST with no body at all, and JSON sent with curl's
# default form Content-Type.
key=$(curl -sf -u "$alice" -X POST "$url/user/credentials/api/" | jq -r .api_key)
[ -n "$key" ] && [ "$key" != null ] || fail "POST /user/credentials/api/ without a body made no key"
tok=$(curl -sf -X POST "$url/user/credentials/api/access_token" -d "{\"api_key\": \"$key\"}" | jq -r .access_token)
[ -n "$tok" ] && [ "$tok" != null ] || fail "curl -d JSON did not exchange"
ok "curl -X POST without a body; curl -d with JSON as a form"
alice_tok=$(token_for alice@lab-a.test)
bob_tok=$(token_for bob@lab-b.test)
call() {  # call TOKEN METHOD PATH [BODY] -> body, then status on the last line
  curl -s -X "$2" "$url$3" -H "Authorization: bearer $1" -H 'Content-Type: application/json' \
    ${4:+-d "$4"} -w '\n%{http_code}'
}
status() { tail -n1 <<<"$1"; }
body() { sed '$d' <<<"$1"; }

# Single PUT.
head -c 300000 /dev/urandom >"$work/one.bin"
r=$(call "$alice_tok" POST /user/data/upload '{"file_name": "one.bin", "authz": ["/programs/p/projects/q"]}')
[ "$(status "$r")" = 201 ] || fail "upload: $(body "$r")"
guid=$(body "$r" | jq -r .guid)
put_url=$(body "$r" | jq -r .url)
[[ $put_url == http://127.0.0.1:*"/$guid/one.bin?"*X-Amz-Signature=* ]] || fail "not a presigned S3 URL: $put_url"
rec=$(curl -s "$url/index/$guid")
[ "$(jq -r .size <<<"$rec")" = null ] || fail "record not blank before the upload: $rec"
ok "POST /user/data/upload: 201, blank record, presigned URL"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$work/one.bin" "$put_url")
[ "$code" = 200 ] || fail "PUT to the presigned URL answered $code"
rec=$(curl -s "$url/index/$guid")
[ "$(jq -r .size <<<"$rec")" = 300000 ] || fail "record not filled: $rec"
[ "$(jq -r .hashes.md5 <<<"$rec")" = "$(md5sum "$work/one.bin" | cut -d' ' -f1)" ] || fail "md5 differs: $rec"
[ "$(jq -r '.urls[0]' <<<"$rec")" = "s3://dcc-files/$guid/one.bin" ] || fail "urls: $rec"
ok "bytes PUT through the S3 endpoint fill the record (size, md5, urls)"

# Replay of a presigned upload URL (issue 9 item 7): a second PUT to the same URL used to
# answer 200 and change the record's md5. Once the record is filled the URL is spent.
md5_before=$(curl -s "$url/index/$guid" | jq -r .hashes.md5)
printf 'evil!' >"$work/evil.bin"
code=$(curl -s -o "$work/replay.xml" -w '%{http_code}' -X PUT --data-binary @"$work/evil.bin" "$put_url")
[ "$code" = 403 ] || fail "a replayed upload URL answered $code"
grep -q '<Code>AccessDenied</Code>' "$work/replay.xml" || fail "replay refusal is not S3 AccessDenied XML: $(cat "$work/replay.xml")"
[ "$(curl -s "$url/index/$guid" | jq -r .hashes.md5)" = "$md5_before" ] || fail "the replay changed the record"
r=$(call "$alice_tok" GET "/user/data/upload/$guid")
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$work/evil.bin" "$(body "$r" | jq -r .url)")
[ "$code" = 403 ] || fail "a fresh URL for a filled record answered $code"
[ "$(curl -s "$url/index/$guid" | jq -r .hashes.md5)" = "$md5_before" ] || fail "a fresh URL changed the filled record"
ok "a spent upload URL (replayed, or fresh for a filled record) is refused (403 AccessDenied), the record unchanged"

# Concurrent PUTs to one fresh URL: exactly one fills the record, the others are refused.
r=$(call "$alice_tok" POST /user/data/upload '{"file_name": "race.bin", "authz": ["/programs/p"]}')
race_guid=$(body "$r" | jq -r .guid)
race_url=$(body "$r" | jq -r .url)
racers=()
for i in 1 2 3 4 5 6; do
  head -c 4000000 /dev/urandom >"$work/race.$i"
  curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$work/race.$i" "$race_url" >"$work/race.$i.code" &
  racers+=($!)
done
wait "${racers[@]}"  # only the PUTs: a bare `wait` also waits for the dccd this script started
winners=0
for i in 1 2 3 4 5 6; do
  case $(cat "$work/race.$i.code") in
    200) winners=$((winners + 1)); winner=$i ;;
    403) ;;
    *) fail "concurrent PUT $i answered $(cat "$work/race.$i.code")" ;;
  esac
done
[ "$winners" = 1 ] || fail "$winners concurrent PUTs to one URL succeeded"
[ "$(curl -s "$url/index/$race_guid" | jq -r .hashes.md5)" = "$(md5sum "$work/race.$winner" | cut -d' ' -f1)" ] ||
  fail "the record does not hold the winning PUT's bytes"
r=$(call "$alice_tok" GET "/user/data/download/$race_guid")
curl -sf "$(body "$r" | jq -r .url)" -o "$work/race.back"
cmp -s "$work/race.$winner" "$work/race.back" || fail "the served bytes are not the winning PUT's"
ok "6 concurrent PUTs to one upload URL: exactly one 200, the rest 403; record and bytes are the winner's"

r=$(call "$alice_tok" GET "/user/data/download/$guid")
[ "$(status "$r")" = 200 ] || fail "download: $(body "$r")"
get_url=$(body "$r" | jq -r .url)
curl -sf "$get_url" -o "$work/back.bin"
cmp -s "$work/one.bin" "$work/back.bin" || fail "downloaded bytes differ"
ok "GET /user/data/download/{guid}: a signed URL serving the same bytes"
code=$(curl -s -o /dev/null -w '%{http_code}' "${get_url/signature=/signature=00}")
[ "$code" = 403 ] || fail "a tampered download URL answered $code"
ok "a tampered download URL is refused (403)"
# Signed download URLs (issue 9 item 8): the MAC covered "k=v" lines, so a value with
# %0A could smuggle in another field; unsigned parameters were accepted.
expires=$(sed 's/.*[?&]expires=\([0-9]*\).*/\1/' <<<"$get_url")
code=$(curl -s -o /dev/null -w '%{http_code}' "${get_url/expires=$expires/expires=$expires%0Afilename=evil.sh}")
[ "$code" = 403 ] || fail "a %0A-injected field answered $code"
code=$(curl -s -o "$work/unsigned.json" -w '%{http_code}' "$get_url&response-content-disposition=inline")
[ "$code" = 400 ] && grep -q response-content-disposition "$work/unsigned.json" ||
  fail "an unsigned parameter answered $code: $(cat "$work/unsigned.json")"
code=$(curl -s -o /dev/null -w '%{http_code}' "${get_url/filename=one.bin/filename=two.bin}")
[ "$code" = 403 ] || fail "a modified filename answered $code"
curl -sf "$get_url" -o "$work/back2.bin" && cmp -s "$work/one.bin" "$work/back2.bin" || fail "the valid URL stopped working"
ok "signed download URL: %0A injection and a modified field 403, an unsigned parameter 400, the URL as issued works"

# Denied, unauthenticated, bad token.
[ "$(status "$(call "$bob_tok" GET "/user/data/download/$guid")")" = 403 ] || fail "bob read alice's record"
[ "$(status "$(call "$bob_tok" POST /user/data/upload '{"file_name":"x","authz":["/programs/p"]}')")" = 403 ] ||
  fail "bob uploaded into /programs/p"
[ "$(status "$(call "$bob_tok" POST /user/data/upload '{"file_name":"x"}')")" = 403 ] ||
  fail "bob uploaded without file_upload on /data_file"
ok "denied paths: 403"
[ "$(status "$(call "${alice_tok}x" GET "/user/data/download/$guid")")" = 401 ] || fail "bad token not 401"
[ "$(status "$(call "" POST /user/data/upload '{"file_name":"x"}')")" = 401 ] || fail "no token not 401"
[ "$(status "$(call "$alice_tok" POST /user/data/upload '{"authz":["/programs/p"]}')")" = 400 ] ||
  fail "missing file_name not 400"
ok "bad or missing token: 401; missing file_name: 400"

# An expired presigned URL is refused and leaves the record blank.
r=$(call "$alice_tok" POST /user/data/upload '{"file_name": "late.bin", "authz": ["/programs/p"], "expires_in": 1}')
late_guid=$(body "$r" | jq -r .guid)
late_url=$(body "$r" | jq -r .url)
sleep 2
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$work/one.bin" "$late_url")
[ "$code" = 403 ] || fail "an expired upload URL answered $code"
[ "$(curl -s "$url/index/$late_guid" | jq -r .size)" = null ] || fail "expired upload filled the record"
ok "an expired upload URL is refused (403) and the record stays blank"
r=$(call "$bob_tok" GET "/user/data/upload/$late_guid")
[ "$(status "$r")" = 403 ] || fail "bob got an upload URL for alice's record: $(status "$r")"
r=$(call "$alice_tok" GET "/user/data/upload/$late_guid?expires_in=600")
[ "$(status "$r")" = 200 ] || fail "GET /user/data/upload/{guid}: $(body "$r")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$work/one.bin" "$(body "$r" | jq -r .url)")
[ "$code" = 200 ] || fail "PUT to the fresh URL answered $code"
[ "$(curl -s "$url/index/$late_guid" | jq -r .size)" = 300000 ] || fail "retry did not fill the record"
ok "GET /user/data/upload/{guid}: a fresh URL for the uploader (403 for others) fills the record"

# DELETE /user/data/{guid}: the record and its bytes.
blob=$(find "$work/data/blobs" -path "*$guid/one.bin" | head -1)
[ -n "$blob" ] || fail "no blob for $guid"
[ "$(status "$(call "$bob_tok" DELETE "/user/data/$guid")")" = 403 ] || fail "bob deleted alice's file"
r=$(call "$alice_tok" DELETE "/user/data/$guid")
[ "$(status "$r")" = 204 ] || fail "DELETE /user/data/{guid}: $(body "$r")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/index/$guid")" = 404 ] || fail "record still there"
[ ! -e "$blob" ] || fail "blob still there: $blob"
[ "$(status "$(call "$alice_tok" DELETE "/user/data/$guid")")" = 404 ] || fail "second delete not 404"
ok "DELETE /user/data/{guid}: record and bytes gone (403 for others, then 404)"

# Multipart: two parts (5 MiB + 1 KiB).
head -c $((5 * 1024 * 1024 + 1024)) /dev/urandom >"$work/big.bin"
split -b $((5 * 1024 * 1024)) -d "$work/big.bin" "$work/part."
r=$(call "$alice_tok" POST /user/data/multipart/init '{"file_name": "big.bin", "authz": ["/programs/p"]}')
[ "$(status "$r")" = 201 ] || fail "multipart init: $(body "$r")"
mguid=$(body "$r" | jq -r .guid)
upload_id=$(body "$r" | jq -r .uploadId)
parts="[]"
for n in 1 2; do
  r=$(call "$alice_tok" POST /user/data/multipart/upload \
    "{\"key\": \"$mguid/big.bin\", \"uploadId\": \"$upload_id\", \"partNumber\": $n}")
  [ "$(status "$r")" = 200 ] || fail "multipart upload URL: $(body "$r")"
  etag=$(curl -sf -X PUT --data-binary @"$work/part.0$((n - 1))" -D - -o /dev/null "$(body "$r" | jq -r .presigned_url)" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "etag" {print $2}')
  parts=$(jq -c --argjson n "$n" --arg e "$etag" '. + [{"PartNumber": $n, "ETag": $e}]' <<<"$parts")
done
r=$(call "$bob_tok" POST /user/data/multipart/complete "{\"key\": \"$mguid/big.bin\", \"uploadId\": \"$upload_id\", \"parts\": $parts}")
[ "$(status "$r")" = 403 ] || fail "bob completed alice's upload: $(status "$r")"
r=$(call "$alice_tok" POST /user/data/multipart/complete "{\"key\": \"$mguid/big.bin\", \"uploadId\": \"$upload_id\", \"parts\": $parts}")
[ "$(status "$r")" = 200 ] || fail "multipart complete: $(body "$r")"
rec=$(curl -s "$url/index/$mguid")
[ "$(jq -r .size <<<"$rec")" = $((5 * 1024 * 1024 + 1024)) ] || fail "multipart record not filled: $rec"
[ "$(jq -r .hashes.md5 <<<"$rec")" = "$(md5sum "$work/big.bin" | cut -d' ' -f1)" ] || fail "multipart md5: $rec"
[[ $(jq -r .hashes.etag <<<"$rec") == *-2 ]] || fail "multipart etag: $rec"
ok "multipart init/upload/complete fills the record (size, md5, etag -2)"
r=$(call "$alice_tok" POST /user/data/multipart/complete "{\"key\": \"$mguid/big.bin\", \"uploadId\": \"$upload_id\", \"parts\": $parts}")
[ "$(status "$r")" = 200 ] || fail "a retried multipart complete: $(body "$r")"
r=$(call "$alice_tok" POST /user/data/multipart/upload \
  "{\"key\": \"$mguid/big.bin\", \"uploadId\": \"$upload_id\", \"partNumber\": 1}")
if [ "$(status "$r")" = 200 ]; then
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$work/evil.bin" "$(body "$r" | jq -r .presigned_url)")
  [ "$code" = 403 ] || [ "$code" = 404 ] || fail "a part PUT after the completion answered $code"
fi
r=$(call "$alice_tok" GET "/user/data/upload/$mguid")
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$work/evil.bin" "$(body "$r" | jq -r .url)")
[ "$code" = 403 ] || fail "a single PUT onto a multipart-filled record answered $code"
[ "$(curl -s "$url/index/$mguid" | jq -r .hashes.md5)" = "$(md5sum "$work/big.bin" | cut -d' ' -f1)" ] ||
  fail "the multipart record changed after its completion"
ok "multipart: a retried complete answers 200; later part or single PUTs are refused; the record unchanged"

echo "$passed passed, 0 failed"
