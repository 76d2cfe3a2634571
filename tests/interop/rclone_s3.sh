#!/usr/bin/env bash
# Regression (issue 9 items 12 and 13): rclone (Debian's 1.60) could not upload to dccd.
# Its bucket check `PUT /<bucket>` answered 405 (S3 answers 409 BucketAlreadyOwnedByYou
# for one's own bucket, which rclone accepts), and its CompleteMultipartUpload, written by
# Go's encoding/xml with ETags as `&#34;…&#34;`, was refused as InvalidPart. Here an
# unmodified rclone, configured from the environment only (no config file), uploads with
# the credentials a file record hands out (one key), in one PUT and in 5 MiB parts, and
# downloads both, comparing bytes.
# usage: rclone_s3.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
rclone=/usr/bin/rclone
# rclone 1.60 cannot load a custom CA bundle into its transport and fails at start when
# AWS_CA_BUNDLE is set (as on machines with a private CA); this endpoint is plain http.
unset AWS_CA_BUNDLE
work=$(mktemp -d /tmp/dcc-interop-rclone-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
with_s3=1
. "$here/../support/dccd_fixture.sh"
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY
s3=$AWS_ENDPOINT_URL_S3
unset AWS_ENDPOINT_URL_S3
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null
export RCLONE_CONFIG=$work/rclone.conf  # absent: rclone runs on the flags and environment below
export RCLONE_S3_PROVIDER=Other RCLONE_S3_ENDPOINT=$s3 RCLONE_S3_REGION=us-east-1 RCLONE_S3_ENV_AUTH=false

new_file() {  # new_file PATH: a file record of PATH; sets acc, target and the RCLONE_S3_* keys
  bam_record "$1"
  export RCLONE_S3_ACCESS_KEY_ID=$up_key RCLONE_S3_SECRET_ACCESS_KEY=$up_secret RCLONE_S3_SESSION_TOKEN=$up_token
}
status() { curl -s -u "$alice" "$url/$acc/" | jq -r .status; }
run_rclone() {  # run_rclone WHAT ARGS...: rclone with its requests logged to $work/rclone.log
  local what=$1
  shift
  "$rclone" -vv --dump headers --retries 1 --low-level-retries 1 "$@" >"$work/rclone.log" 2>&1 ||
    fail "rclone $what failed: $(grep -E 'ERROR|HTTP/1.1 [45]' "$work/rclone.log" | head -5)"
}

n=0
for size in $((300 << 10)) $((12 << 20)); do
  n=$((n + 1))
  head -c "$size" /dev/urandom >"$work/f$n.bam"
  new_file "$work/f$n.bam"
  remote=":s3:${target#s3://}"
  echo "$n. rclone copyto of $size bytes (upload cutoff and chunk size 5 MiB)"
  run_rclone upload copyto --s3-upload-cutoff 5M --s3-chunk-size 5M "$work/f$n.bam" "$remote"
  [ "$(status)" = "in progress" ] || fail "the upload did not verify: $(status)"
  if [ "$size" -gt $((5 << 20)) ]; then
    grep -q "uploadId=" "$work/rclone.log" || fail "rclone did not upload in parts"
    echo "   in $(grep -c 'PUT .*partNumber=' "$work/rclone.log") parts"
  fi
  echo "   download with rclone copyto, and rclone check"
  run_rclone download copyto "$remote" "$work/back$n.bam"
  cmp -s "$work/f$n.bam" "$work/back$n.bam" || fail "downloaded bytes differ"
  mkdir -p "$work/dir$n" && cp "$work/f$n.bam" "$work/dir$n/${target##*/}"
  run_rclone check check "$work/dir$n" "${remote%/*}" --one-way
done

echo "$((n + 1)). the bucket check answers as S3 does, and only for one's own bucket"
bucket=${target#s3://}
bucket=${bucket%%/*}
"$rclone" mkdir ":s3:$bucket" >"$work/mkdir-own.log" 2>&1 ||
  fail "rclone mkdir of the own bucket failed: $(tail -3 "$work/mkdir-own.log")"
if "$rclone" --retries 1 --low-level-retries 1 mkdir ":s3:someone-elses-bucket" >"$work/mkdir.log" 2>&1; then
  fail "rclone mkdir of another bucket succeeded"
fi
grep -q "AccessDenied" "$work/mkdir.log" || fail "expected AccessDenied: $(tail -3 "$work/mkdir.log")"

echo "$((n + 1)) passed, 0 failed"
