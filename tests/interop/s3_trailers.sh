#!/usr/bin/env bash
# Regression (issue 9 item 14): AWS CLI >= 2.23 and current SDKs send
# STREAMING-UNSIGNED-PAYLOAD-TRAILER (or STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) with
# an x-amz-checksum-* trailer by default, and dccd answered 400 NotImplemented to every
# such upload. Debian's CLI is 2.9, so tests/interop/s3_trailer.py sends the captured
# shapes (botocore signs the headers; the aws-chunked body is framed as those clients
# frame it) to a real dccd: good checksums upload, wrong ones are BadDigest and keep
# nothing, crc64nvme is a clear NotImplemented, for PutObject and UploadPart.
# usage: s3_trailers.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
work=$(mktemp -d /tmp/dcc-interop-trailer-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
with_s3=1
. "$here/../support/dccd_fixture.sh"
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY
s3=$AWS_ENDPOINT_URL_S3
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null

new_file() {  # new_file PATH: a file record of PATH; sets acc, target and the AWS_* credentials
  bam_record "$1"
  export AWS_ACCESS_KEY_ID=$up_key AWS_SECRET_ACCESS_KEY=$up_secret AWS_SESSION_TOKEN=$up_token
  export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null
}
send() { "$python" "$here/s3_trailer.py" "$s3" "$target" "$@"; }
status() { curl -s -u "$alice" "$url/$acc/" | jq -r .status; }
expect() {  # expect WANT DESCRIPTION ARGS...
  local want=$1 what=$2 got
  shift 2
  got=$(send "$@") || fail "$what: the request failed"
  [[ $got == $want ]] || fail "$what: answered '$got', expected '$want'"
  echo "   $what: $got"
}

n=0
for mode in unsigned signed; do
  for algorithm in crc32 sha256 sha1; do
    n=$((n + 1))
    echo "$n. PutObject, $mode trailer x-amz-checksum-$algorithm"
    head -c $((200000 + n)) /dev/urandom >"$work/f$n.bam"
    new_file "$work/f$n.bam"
    expect "400 BadDigest" "wrong checksum" "$work/f$n.bam" "$mode" "$algorithm" bad
    [ "$(status)" = uploading ] || fail "a BadDigest upload changed the record to $(status)"
    expect "200 $(md5sum "$work/f$n.bam" | cut -d' ' -f1)" "right checksum" "$work/f$n.bam" "$mode" "$algorithm"
    [ "$(status)" = "in progress" ] || fail "the upload did not verify: $(status)"
  done
done

echo "$((n + 1)). crc64nvme is refused before the body, as NotImplemented"
head -c 1000 /dev/urandom >"$work/nvme.bam"
new_file "$work/nvme.bam"
expect "400 NotImplemented" "crc64nvme" "$work/nvme.bam" unsigned crc64nvme
[ "$(status)" = uploading ] || fail "a refused upload changed the record"

echo "$((n + 2)). UploadPart with trailers, then Complete"
head -c $((6 << 20)) /dev/urandom >"$work/mp.bam"
new_file "$work/mp.bam"
upload=$("$python" "$here/s3_part.py" "$s3" "$target" create)
head -c $((5 << 20)) "$work/mp.bam" >"$work/p1"
tail -c +$(((5 << 20) + 1)) "$work/mp.bam" >"$work/p2"
expect "400 BadDigest" "part 1, wrong crc32" "$work/p1" unsigned crc32 bad 1 "$upload"
e1=$(send "$work/p1" unsigned crc32 1 "$upload" | cut -d' ' -f2)
[ "$e1" = "$(md5sum <"$work/p1" | cut -d' ' -f1)" ] || fail "part 1 answered $e1"
expect "400 BadDigest" "part 2, wrong signed sha256" "$work/p2" signed sha256 bad 2 "$upload"
e2=$(send "$work/p2" signed sha256 2 "$upload" | cut -d' ' -f2)
[ "$e2" = "$(md5sum <"$work/p2" | cut -d' ' -f1)" ] || fail "part 2 answered $e2"
"$python" "$here/s3_part.py" "$s3" "$target" complete "$upload" "1:$e1" "2:$e2" >/dev/null || fail "Complete failed"
[ "$(status)" = "in progress" ] || fail "the multipart upload did not verify: $(status)"
echo "   parts $e1 $e2 completed"

echo "$((n + 2)) passed, 0 failed"
