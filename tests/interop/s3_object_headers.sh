#!/usr/bin/env bash
# Regression (issue 9 item 11): `aws s3 cp s3://bucket/key out` failed with
# `fatal error: 'LastModified'`, because GetObject and HeadObject sent no Last-Modified.
# Now GET and HEAD send Last-Modified (IMF-fixdate, the commit time), ETag (the multipart
# ETag for an object completed from parts, as S3), Content-Length, Accept-Ranges and the
# x-amz-checksum-* digests dccd computed; checked with Debian's AWS CLI, boto3 and curl.
# usage: s3_object_headers.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
aws=/usr/bin/aws
python=/usr/bin/python3
work=$(mktemp -d /tmp/dcc-interop-s3hdr-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
with_s3=1
. "$here/../support/dccd_fixture.sh"
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY
s3=$AWS_ENDPOINT_URL_S3
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null
# Downloads in one GET: ranged GETs are issue 9 item 6's (tests/interop/s3_ranges*), not this test's.
printf '[default]\ns3 =\n  multipart_threshold = 64MB\n' >"$work/aws-download.conf"

upload() {  # upload FILE THRESHOLD: a file record, its bytes sent by `aws s3 cp`; sets key, bucket
  local md5 size rec
  md5=$(md5sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  rec=$(post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$md5\",\"file_size\":$size}")
  target=$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")
  bucket_key=${target#s3://}
  bucket=${bucket_key%%/*}
  key=${bucket_key#*/}
  export AWS_ACCESS_KEY_ID=$(jq -r '.["@graph"][0].upload_credentials.access_key' <<<"$rec")
  export AWS_SECRET_ACCESS_KEY=$(jq -r '.["@graph"][0].upload_credentials.secret_key' <<<"$rec")
  export AWS_SESSION_TOKEN=$(jq -r '.["@graph"][0].upload_credentials.session_token' <<<"$rec")
  export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
  printf '[default]\ns3 =\n  multipart_threshold = %s\n  multipart_chunksize = 5MB\n' "$2" >"$work/aws-upload.conf"
  AWS_CONFIG_FILE=$work/aws-upload.conf "$aws" --endpoint-url "$s3" s3 cp --no-progress "$1" "$target" >/dev/null ||
    fail "aws s3 cp upload of $1 failed"
}

check() {  # check FILE EXPECTED_ETAG
  local file=$1 etag=$2 head
  echo "   aws s3 cp s3://…/key out"
  AWS_CONFIG_FILE=$work/aws-download.conf "$aws" --endpoint-url "$s3" s3 cp --no-progress "$target" "$work/out" \
    >"$work/cp.out" 2>&1 || fail "aws s3 cp download failed: $(cat "$work/cp.out")"
  cmp -s "$file" "$work/out" || fail "downloaded bytes differ"
  echo "   aws s3api head-object"
  head=$(AWS_CONFIG_FILE=/dev/null "$aws" --endpoint-url "$s3" s3api head-object --bucket "$bucket" --key "$key") ||
    fail "head-object failed"
  [ "$(jq -r .ContentLength <<<"$head")" = "$(stat -c %s "$file")" ] || fail "ContentLength wrong: $head"
  [ "$(jq -r .ETag <<<"$head")" = "\"$etag\"" ] || fail "ETag is $(jq -r .ETag <<<"$head"), expected \"$etag\""
  [ "$(jq -r .AcceptRanges <<<"$head")" = bytes ] || fail "AcceptRanges wrong: $head"
  modified=$(jq -r .LastModified <<<"$head")
  [ -n "$modified" ] && [ "$modified" != null ] || fail "no LastModified: $head"
  # Committed within this test's run (the clock of the machine that runs both).
  age=$(($(date +%s) - $(date -d "$modified" +%s)))
  [ "$age" -ge 0 ] && [ "$age" -lt 600 ] || fail "LastModified $modified is not the commit time"
  echo "   curl -I: the raw headers"
  AWS_CONFIG_FILE=/dev/null "$python" - "$s3" "$bucket" "$key" >"$work/presigned" <<'PY'
import sys, boto3
from botocore.config import Config
# boto3 1.26 presigns with SigV2 query auth unless told otherwise; dccd verifies SigV4 only.
s3 = boto3.client("s3", endpoint_url=sys.argv[1],
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
print(s3.generate_presigned_url("head_object", Params={"Bucket": sys.argv[2], "Key": sys.argv[3]}, ExpiresIn=300))
PY
  curl -sfI "$(cat "$work/presigned")" | tr -d '\r' >"$work/headers" ||
    fail "HEAD of a presigned URL failed: $(curl -sI "$(cat "$work/presigned")" | head -1) $(grep HEAD "$work/dccd.log" | tail -2)"
  grep -Eq '^Last-Modified: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$' \
    "$work/headers" || fail "Last-Modified is not an IMF-fixdate: $(cat "$work/headers")"
  grep -qi "^Content-Length: $(stat -c %s "$file")$" "$work/headers" || fail "no Content-Length: $(cat "$work/headers")"
  sha256=$(openssl dgst -sha256 -binary "$file" | base64)
  sha1=$(openssl dgst -sha1 -binary "$file" | base64)
  grep -qi "^x-amz-checksum-sha256: $sha256$" "$work/headers" || fail "x-amz-checksum-sha256 missing or wrong: $(cat "$work/headers")"
  grep -qi "^x-amz-checksum-sha1: $sha1$" "$work/headers" || fail "x-amz-checksum-sha1 missing or wrong"
  grep -qi "^x-amz-checksum-crc32c: " "$work/headers" || fail "x-amz-checksum-crc32c missing"
  echo "   boto3: head_object, get_object with ChecksumMode, download_file"
  AWS_CONFIG_FILE=/dev/null "$python" - "$s3" "$bucket" "$key" "$file" "$etag" "$sha256" <<'PY' || fail "boto3 checks failed"
import sys, boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
endpoint, bucket, key, path, etag, sha256 = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
want = open(path, "rb").read()
head = s3.head_object(Bucket=bucket, Key=key)
assert head["ContentLength"] == len(want), head
assert head["ETag"] == '"%s"' % etag, head
assert head["LastModified"].year >= 2024, head
got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
assert got["Body"].read() == want
assert got["ChecksumSHA256"] == sha256, got
assert got["LastModified"] == head["LastModified"], (got, head)
s3.download_file(bucket, key, path + ".boto3", Config=TransferConfig(multipart_threshold=64 << 20))
assert open(path + ".boto3", "rb").read() == want
PY
}

echo "1. a single PutObject: ETag is the md5"
head -c 300000 /dev/urandom >"$work/small.bam"
upload "$work/small.bam" 64MB
check "$work/small.bam" "$(md5sum "$work/small.bam" | cut -d' ' -f1)"

echo "2. a multipart upload (5 MiB parts): ETag is the multipart ETag"
head -c $((11 << 20)) /dev/urandom >"$work/big.bam"
upload "$work/big.bam" 5MB
parts_md5=$(for i in 0 1 2; do dd if="$work/big.bam" bs=5M skip=$i count=1 status=none | md5sum | cut -d' ' -f1; done | xxd -r -p | md5sum | cut -d' ' -f1)
check "$work/big.bam" "$parts_md5-3"

echo "3 passed, 0 failed"
