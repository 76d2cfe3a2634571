#!/usr/bin/env bash
# s3:// sources (issue #4): a file record whose submitted_file_name is an s3:// object gets
# md5sum/file_size computed from the object, and its bytes are streamed from the object
# into the portal's multipart upload. dccd's own S3 endpoint is the source: file A is
# uploaded the normal way and read back with the temporary credentials issued for A.
# Also: a missing object, refused credentials, no credentials, with nothing written.
# usage: s3_source.sh DCC DCCD PROFILES_DIR
set -euo pipefail
with_s3=1
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_LAB=lab-a DCC_AWARD=U1
T=$'\t'
count_files() { curl -s -u "$admin" "$url/search/?type=File&limit=0" | jq .total; }
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null

echo "1. file A uploaded the normal way; its upload credentials can read it back"
head -c $((13 << 20)) /dev/urandom >"$work/a.bam"  # 13 MiB: two ranges of 8 MiB, and two parts
md5_a=$(md5sum <"$work/a.bam" | cut -d' ' -f1)
a=$(post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$md5_a\",\"file_size\":$(stat -c %s "$work/a.bam")}")
creds=$(jq '.["@graph"][0].upload_credentials' <<<"$a")
source_url=$(jq -r .upload_url <<<"$creds")
"$dcc" upload "$(jq -r '.["@graph"][0].accession' <<<"$a")" "$work/a.bam" | grep -q "is in progress" || fail "upload of A"
export AWS_ACCESS_KEY_ID=$(jq -r .access_key <<<"$creds") AWS_SECRET_ACCESS_KEY=$(jq -r .secret_key <<<"$creds") \
  AWS_SESSION_TOKEN=$(jq -r .session_token <<<"$creds")

# dccd's upload credentials reach one key only (another key is AccessDenied, as on AWS
# without s3:ListBucket): a missing object is the key of a record D that has no bytes yet.
d=$(post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$md5_a\"}")
creds_d=$(jq '.["@graph"][0].upload_credentials' <<<"$d")
missing_url=$(jq -r .upload_url <<<"$creds_d")
as_d() { AWS_ACCESS_KEY_ID=$(jq -r .access_key <<<"$creds_d") AWS_SECRET_ACCESS_KEY=$(jq -r .secret_key <<<"$creds_d") \
  AWS_SESSION_TOKEN=$(jq -r .session_token <<<"$creds_d") "$@"; }

tsv() {  # tsv ALIAS SOURCE -> a one-row file TSV without md5sum or file_size
  printf 'aliases\tdataset\tfile_format\toutput_type\tsubmitted_file_name\n%s\tlab-a:e1\tbam\talignments\t%s\n' "$1" "$2" \
    >"$work/$1.tsv"
}

echo "2. errors first, each with nothing written: a missing object, refused and absent credentials, no endpoint"
before=$(count_files)
tsv missing "$missing_url"
as_d expect_exit 1 "no such object $missing_url" "$dcc" register -p file -i "$work/missing.tsv"
AWS_SECRET_ACCESS_KEY=wrong expect_exit 1 "refused the AWS credentials" "$dcc" register -p file -i "$work/missing.tsv"
tsv b "$source_url"
AWS_SECRET_ACCESS_KEY=wrong expect_exit 1 "refused the AWS credentials" "$dcc" register -p file -i "$work/b.tsv"
env -u AWS_ACCESS_KEY_ID "$dcc" register -p file -i "$work/b.tsv" >"$work/out" 2>"$work/err" && fail "no credentials: exit 0"
grep -q "no AWS credentials to read s3://" "$work/err" || fail "no credentials: $(cat "$work/err")"
env -u AWS_ENDPOINT_URL_S3 "$dcc" register -p file -i "$work/b.tsv" >"$work/out" 2>"$work/err" && fail "no endpoint: exit 0"
grep -q "no S3 endpoint to read s3://" "$work/err" || fail "no endpoint: $(cat "$work/err")"
[ "$(count_files)" = "$before" ] || fail "a refused s3:// source created a file record"

echo "3. file B from A's s3:// URL: md5sum/file_size from the object, uploaded from it, in progress"
out=$("$dcc" register -p file -i "$work/b.tsv")
grep -q "1 created, 0 existed, 0 patched, 0 failed" <<<"$out" || fail "register B: $out"
b=$("$dcc" get lab-a:b)
[ "$(jq -r .md5sum <<<"$b")" = "$md5_a" ] || fail "B's md5sum is not A's: $b"
[ "$(jq -r .file_size <<<"$b")" = $((13 << 20)) ] || fail "B's file_size: $b"
[ "$(jq -r .status <<<"$b")" = "in progress" ] || fail "B was not uploaded from the object: $b $out"
"$dcc" download lab-a:b -o "$work/b.bam" >/dev/null
cmp -s "$work/a.bam" "$work/b.bam" || fail "B's bytes differ from A's"

echo "4. dcc upload from an s3:// source; a missing object and refused credentials first (exit 3, 5)"
c=$(post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$md5_a\",\"file_size\":$((13 << 20))}")
acc_c=$(jq -r '.["@graph"][0].accession' <<<"$c")
as_d expect_exit 3 "no such object $missing_url" "$dcc" upload "$acc_c" "$missing_url"
AWS_SECRET_ACCESS_KEY=wrong expect_exit 5 "refused the AWS credentials" "$dcc" upload "$acc_c" "$source_url"
[ "$("$dcc" get "$acc_c" | jq -r .status)" = uploading ] || fail "a refused source changed C"
out=$("$dcc" upload "$acc_c" "$source_url" --part-size-mib 5 --concurrency 2)
grep -q "uploaded $source_url (13.0 MiB, 3 parts, 0 resumed)" <<<"$out" && grep -q "$acc_c is in progress" <<<"$out" ||
  fail "upload from s3://: $out"
echo "4 passed, 0 failed"
