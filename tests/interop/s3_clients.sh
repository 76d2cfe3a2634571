#!/usr/bin/env bash
# Interop: unmodified S3 clients (Debian's AWS CLI v2 and python3-boto3) upload through
# dccd's S3 endpoint with the credentials a file record hands out (issue #3).
# usage: s3_clients.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
aws=/usr/bin/aws  # Debian's awscli; a pip-installed aws earlier on PATH is not the one under test
python=/usr/bin/python3  # Debian's, with python3-boto3
work=$(mktemp -d /tmp/dcc-interop-s3-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
serve_extra=(--s3-listen 127.0.0.1:0 --s3-port-file "$work/s3port")
. "$here/../support/dccd_fixture.sh"
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY  # this test speaks S3 and curl, not dcc
data=$work/data
for _ in $(seq 100); do [ -s "$work/s3port" ] && break; sleep 0.1; done
s3="http://127.0.0.1:$(cat "$work/s3port")"
get() { curl -s -u "$alice" "$url/$1"; }
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null

new_file() {  # new_file PATH [MD5] -> the POST response for a file record of PATH
  local md5=${2:-$(md5sum "$1" | cut -d' ' -f1)} size
  size=$(stat -c %s "$1")
  post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$md5\",\"file_size\":$size}"
}
use_credentials() {  # exports the AWS_* variables from a file record response
  export AWS_ACCESS_KEY_ID=$(jq -r '.["@graph"][0].upload_credentials.access_key' <<<"$1")
  export AWS_SECRET_ACCESS_KEY=$(jq -r '.["@graph"][0].upload_credentials.secret_key' <<<"$1")
  export AWS_SESSION_TOKEN=$(jq -r '.["@graph"][0].upload_credentials.session_token' <<<"$1")
  export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null
}

echo "1. aws s3 cp of 64 MiB (multipart) with the issued upload_credentials"
head -c $((64 << 20)) /dev/urandom >"$work/big.bam"
rec=$(new_file "$work/big.bam")
acc=$(jq -r '.["@graph"][0].accession' <<<"$rec")
upload_url=$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")
use_credentials "$rec"
"$aws" --endpoint-url "$s3" s3 cp --no-progress "$work/big.bam" "$upload_url" >/dev/null || fail "aws s3 cp failed"
status=$(get "$acc/" | jq -r .status)
[ "$status" = "in progress" ] || fail "file is '$status' after the upload, expected 'in progress'"
echo "   file $acc is in progress"

echo "   downloads: 307 to a signed URL; ranges, HEAD, Content-Disposition; permissions"
headers=$(curl -s -o /dev/null -D - -u "$alice" "$url/$acc/@@download/$acc.bam")
grep -q "^HTTP/1.1 307" <<<"$headers" || fail "@@download did not answer 307: $headers"
location=$(grep -i '^Location:' <<<"$headers" | tr -d '\r' | cut -d' ' -f2)
curl -s -D "$work/dl.headers" -o "$work/dl.bam" "$url$location"
[ "$(md5sum <"$work/dl.bam" | cut -d' ' -f1)" = "$(md5sum <"$work/big.bam" | cut -d' ' -f1)" ] || fail "downloaded bytes differ"
grep -qi "^Content-Disposition: attachment; filename=$acc.bam" "$work/dl.headers" || fail "no Content-Disposition: $(cat "$work/dl.headers")"
range=$(curl -s -H 'Range: bytes=100-199' -w ' %{http_code}' -o "$work/range.bin" "$url$location")
[ "$range" = " 206" ] && cmp -s "$work/range.bin" <(tail -c +101 "$work/big.bam" | head -c 100) || fail "ranged download wrong ($range)"
[ "$(curl -s -I "$url$location" | grep -i '^Content-Length' | tr -d '\r' | cut -d' ' -f2)" = "$((64 << 20))" ] || fail "HEAD lacks the length"
last=${location: -1}
tampered="${location%?}$([ "$last" = 0 ] && echo 1 || echo 0)"  # always a different last digit
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url$tampered")" = 403 ] || fail "a tampered signature was served"
[ "$(curl -s -o /dev/null -w '%{http_code}' -u "$alice" "$url/$acc/@@download/other.bam")" = 404 ] || fail "a wrong name was not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/$acc/@@download/$acc.bam")" = 401 ] || fail "an unreleased file was downloadable anonymously"
curl -s -u "$admin" -X PATCH "$url/$acc" -d '{"status":"released"}' >/dev/null
[ "$(curl -s -o /dev/null -w '%{http_code}' -L "$url/$acc/@@download/$acc.bam")" = 200 ] || fail "a released file was not public"

echo "2. the same credentials may not write another key"
bucket_key=${upload_url#s3://}
other="s3://${bucket_key%%/*}/someone-elses/file.bam"
if "$aws" --endpoint-url "$s3" s3 cp --no-progress "$work/big.bam" "$other" 2>"$work/denied.err" >/dev/null; then
  fail "a write to $other was accepted"
fi
grep -q "AccessDenied" "$work/denied.err" || fail "expected AccessDenied, got: $(cat "$work/denied.err")"
echo "   refused: $(grep -o 'AccessDenied[^.]*' "$work/denied.err" | head -1)"

echo "3. a wrong declared md5 ends in content error, and nothing is kept"
head -c 100000 /dev/urandom >"$work/small.bam"
rec=$(new_file "$work/small.bam" 00000000000000000000000000000000)
acc=$(jq -r '.["@graph"][0].accession' <<<"$rec")
use_credentials "$rec"
url_small=$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")
"$aws" --endpoint-url "$s3" s3 cp --no-progress "$work/small.bam" "$url_small" >/dev/null 2>&1 || true
doc=$(curl -s -u "$admin" "$url/$acc/")
[ "$(jq -r .status <<<"$doc")" = "content error" ] || fail "expected content error, got $(jq -r .status <<<"$doc")"
jq -r .content_error_detail <<<"$doc" | grep -q "expected 00000000000000000000000000000000" ||
  fail "content_error_detail does not say declared versus received: $(jq -r .content_error_detail <<<"$doc")"
[ -z "$(find "$data/blobs/objects" -name "$acc.bam")" ] || fail "the rejected bytes were kept"
echo "   $(jq -r .content_error_detail <<<"$doc")"

echo "4. boto3: multipart upload in 5 MiB parts, then a ranged GET"
head -c $((12 << 20)) /dev/urandom >"$work/boto.bam"
rec=$(new_file "$work/boto.bam")
acc=$(jq -r '.["@graph"][0].accession' <<<"$rec")
use_credentials "$rec"
"$python" "$here/boto3_multipart.py" "$s3" "$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")" \
  "$work/boto.bam" || fail "boto3 multipart or ranged GET failed"
[ "$(get "$acc/" | jq -r .status)" = "in progress" ] || fail "boto3 upload did not verify"

echo "5. bad signatures are refused"
export AWS_SECRET_ACCESS_KEY=wrong-secret-wrong-secret-wrong-secret-xx
if "$aws" --endpoint-url "$s3" s3 cp --no-progress "$work/small.bam" "$url_small" 2>"$work/sig.err" >/dev/null; then
  fail "a request signed with the wrong secret was accepted"
fi
grep -q "SignatureDoesNotMatch" "$work/sig.err" || fail "expected SignatureDoesNotMatch: $(cat "$work/sig.err")"

echo "6 passed, 0 failed"
