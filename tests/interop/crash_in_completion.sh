#!/usr/bin/env bash
# A client that lost the final acknowledgement learns that its upload succeeded (issue 9
# item 9). dccd used to die between publishing an upload's bytes and committing the record
# they fill (or the upload's own state), and then a retried S3 CompleteMultipartUpload
# answered 403 "file is in progress, not uploading" and tus HEAD /tus/<id> answered 404.
# For each kill point inside completion (DCC_TEST_CRASH_AT, test only), dccd is SIGKILLed
# there, restarted on the same data dir, and the client retries: boto3 sends the same
# complete_multipart_upload (the same ETag, the stored bytes intact), curl sends tus HEAD
# (200, Upload-Offset == Upload-Length) and PATCH at the full offset (204). The file record
# ends "in progress" with the uploaded bytes.
# usage: crash_in_completion.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3  # Debian's, with python3-boto3
work=$(mktemp -d /tmp/dcc-crash-completion-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
serve_extra=(--s3-listen 127.0.0.1:0 --s3-port-file "$work/s3port")
. "$here/../support/dccd_fixture.sh"
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY
passed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }

# restart [CRASH_POINT]: stops dccd (it may already be dead) and starts it on the same data.
restart() {
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -f "$work/port" "$work/s3port"
  DCC_TEST_CRASH_AT=${1:-} "$dccd" serve "${common[@]}" --listen 127.0.0.1:0 --port-file "$work/port" \
    "${serve_extra[@]}" >>"$work/dccd.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && [ -s "$work/s3port" ] && break; sleep 0.1; done
  [ -s "$work/s3port" ] || fail "dccd did not restart"
  url="http://127.0.0.1:$(cat "$work/port")"
  s3="http://127.0.0.1:$(cat "$work/s3port")"
}
# died: dccd killed itself at the crash point (SIGKILL: exit status 137).
died() {
  local rc=0
  wait "$pid" || rc=$?
  pid=""
  [ "$rc" = 137 ] || fail "dccd exited $rc, not by SIGKILL at the crash point"
}
get() { curl -s -u "$alice" "$url/$1"; }
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null
new_file() {  # new_file PATH -> the POST response for a file record declaring PATH's md5 and size
  post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$(md5sum "$1" | cut -d' ' -f1)\",\"file_size\":$(stat -c %s "$1")}"
}
use_credentials() {
  export AWS_ACCESS_KEY_ID=$(jq -r '.["@graph"][0].upload_credentials.access_key' <<<"$1")
  export AWS_SECRET_ACCESS_KEY=$(jq -r '.["@graph"][0].upload_credentials.secret_key' <<<"$1")
  export AWS_SESSION_TOKEN=$(jq -r '.["@graph"][0].upload_credentials.session_token' <<<"$1")
  export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null
}
# downloaded_is ACCESSION FILE: the file is "in progress" and serves exactly FILE's bytes.
downloaded_is() {
  [ "$(get "$1/" | jq -r .status)" = "in progress" ] || fail "$1 is '$(get "$1/" | jq -r .status)', not in progress"
  local location
  location=$(curl -s -o /dev/null -D - -u "$alice" "$url/$1/@@download/$1.bam" | tr -d '\r' |
    awk -F': ' 'tolower($1) == "location" {print $2}')
  curl -sf "$url$location" -o "$work/back.bin" || fail "download of $1 failed"
  cmp -s "$2" "$work/back.bin" || fail "$1 serves other bytes than were uploaded"
}
# A final PATCH and the tus client's questions after the restart.
tus_header() { tr -d '\r' <"$1" | awk -F': ' -v h="$2" 'tolower($1) == tolower(h) {print $2}'; }

head -c $((5 * 1024 * 1024 + 4096)) /dev/urandom >"$work/multi.bin"
head -c $((1024 * 1024 + 7)) /dev/urandom >"$work/tus.bin"
tus_size=$(stat -c %s "$work/tus.bin")
for point in complete-before-publish complete-after-publish complete-after-record; do
  # S3 multipart (boto3): dccd dies inside CompleteMultipartUpload.
  restart "$point"
  rec=$(new_file "$work/multi.bin")
  acc=$(jq -r '.["@graph"][0].accession' <<<"$rec")
  use_credentials "$rec"
  "$python" "$here/s3_complete_retry.py" start "$s3" "$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")" \
    "$work/multi.bin" "$work/mpu.json" || fail "boto3 start ($point)"
  died
  restart
  "$python" "$here/s3_complete_retry.py" retry "$s3" "$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")" \
    "$work/multi.bin" "$work/mpu.json" || fail "boto3 retry after $point"
  downloaded_is "$acc" "$work/multi.bin"
  ok "$point: boto3's retried CompleteMultipartUpload answers the ETag; the record holds the bytes"

  # tus (curl): dccd dies inside the PATCH that carries the last byte.
  restart "$point"
  acc=$(new_file "$work/tus.bin" | jq -r '.["@graph"][0].accession')
  loc=$(curl -s -u "$alice" -X POST "$url/tus/" -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $tus_size" \
    -H "Upload-Metadata: file $(printf %s "$acc" | base64)" -D - -o /dev/null | tr -d '\r' |
    awk -F': ' 'tolower($1) == "location" {print $2}')
  [ -n "$loc" ] || fail "tus create answered no Location"
  id=${loc##*/}
  code=$(curl -s -o /dev/null -w '%{http_code}' -u "$alice" -X PATCH "$url/tus/$id" -H 'Tus-Resumable: 1.0.0' \
    -H 'Upload-Offset: 0' -H 'Expect:' -H 'Content-Type: application/offset+octet-stream' --data-binary @"$work/tus.bin" || true)
  [ "$code" = 000 ] || fail "the final PATCH answered $code although dccd was to die inside it ($point)"
  died
  restart
  code=$(curl -s -o /dev/null -D "$work/head" -w '%{http_code}' -u "$alice" -I "$url/tus/$id" -H 'Tus-Resumable: 1.0.0')
  [ "$code" = 200 ] || fail "tus HEAD after $point answered $code"
  [ "$(tus_header "$work/head" Upload-Offset)" = "$tus_size" ] && [ "$(tus_header "$work/head" Upload-Length)" = "$tus_size" ] ||
    fail "tus HEAD after $point: $(cat "$work/head")"
  code=$(curl -s -o /dev/null -D "$work/patch" -w '%{http_code}' -u "$alice" -X PATCH "$url/tus/$id" \
    -H 'Tus-Resumable: 1.0.0' -H "Upload-Offset: $tus_size" -H 'Content-Type: application/offset+octet-stream' --data-binary '')
  [ "$code" = 204 ] && [ "$(tus_header "$work/patch" Upload-Offset)" = "$tus_size" ] ||
    fail "tus PATCH at the full offset after $point answered $code: $(cat "$work/patch")"
  downloaded_is "$acc" "$work/tus.bin"
  ok "$point: tus HEAD answers the full offset, PATCH there 204; the record holds the bytes"
done
# Nothing of the journal is left once every completion finished.
[ -z "$(find "$work/data/blobs" -path '*.completing/*' -type f)" ] || fail "journal entries left: $(find "$work/data/blobs" -path '*.completing/*')"
ok "no completion journal entries left"
echo "$passed passed, 0 failed"
