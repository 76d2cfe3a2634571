#!/usr/bin/env bash
# Issue 9 item 6: ranges served once, on S3 GetObject and on the signed /_blobs/ URL,
# checked with curl and boto3 by tests/edge/ranges_once.py (its docstring says what broke).
# usage: ranges_once.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/dcc-ranges-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
with_s3=1
. "$here/../support/dccd_fixture.sh"
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY
python=/usr/bin/python3  # Debian's, with python3-boto3
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null
head -c $(((5 << 20) + 12345)) /dev/urandom >"$work/f.bam"
rec=$(post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$(md5sum <"$work/f.bam" | cut -d' ' -f1)\",\"file_size\":$(stat -c %s "$work/f.bam")}")
acc=$(jq -r '.["@graph"][0].accession' <<<"$rec")
upload_url=$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")
export AWS_ACCESS_KEY_ID=$(jq -r '.["@graph"][0].upload_credentials.access_key' <<<"$rec")
export AWS_SECRET_ACCESS_KEY=$(jq -r '.["@graph"][0].upload_credentials.secret_key' <<<"$rec")
export AWS_SESSION_TOKEN=$(jq -r '.["@graph"][0].upload_credentials.session_token' <<<"$rec")
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null
bucket_key=${upload_url#s3://}
"$python" - "$AWS_ENDPOINT_URL_S3" "${bucket_key%%/*}" "${bucket_key#*/}" "$work/f.bam" <<'PY' || fail "upload"
import sys, boto3
from botocore.config import Config
endpoint, bucket, key, path = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
s3.put_object(Bucket=bucket, Key=key, Body=open(path, "rb").read())
PY
location=$(curl -s -o /dev/null -w '%{redirect_url}' -u "$alice" "$url/$acc/@@download/$acc.bam")
[[ $location == http* ]] || fail "no signed URL from @@download: '$location'"
"$python" "$here/ranges_once.py" "$work/f.bam" "$AWS_ENDPOINT_URL_S3" "${bucket_key%%/*}" "${bucket_key#*/}" \
  "$location" || fail "ranges"
kill -0 "$pid" || fail "dccd died"
echo "ok: ranges served once"
