#!/usr/bin/env bash
# dcc register's encode_utils parity against a real dccd (issue #4): --rm-patch (and its
# refusals), the attachment path shortcut, md5sum/file_size computed for file records,
# the fastq rule, upload after POST (and --no-upload-file), dry runs that change nothing,
# bad credentials, and the EU_Logs-style log files.
# usage: submission.sh DCC DCCD PROFILES_DIR
set -euo pipefail
with_s3=1
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_LAB=lab-a DCC_AWARD=U1
export DCC_LOG_DIR="$work/EU_Logs"
host_tag="127.0.0.1_$(cat "$work/port")"
T=$'\t'
edit_frame() { curl -s -u "$admin" "$url/$1/?format=json&frame=edit"; }
count() { curl -s -u "$admin" "$url/search/?type=$1&limit=0" | jq .total; }
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null

echo "1. --rm-patch: removes properties and applies the row in one PUT"
printf 'aliases\torganism\tsource\tbiosample_ontology\tpassage_number\tdescription\nbs1\thuman\tatcc\tk562\t4\tfirst\n' >"$work/bs.tsv"
"$dcc" register -p biosample -i "$work/bs.tsv" >/dev/null
printf 'record_id\tdescription\nlab-a:bs1\tthawed twice\n' >"$work/fix.tsv"
out=$("$dcc" register -p biosample -i "$work/fix.tsv" --rm-patch -r passage_number)
grep -q "PUT /lab-a%3Abs1 -> /biosamples/" <<<"$out" && grep -q "1 patched" <<<"$out" || fail "rm-patch: $out"
after=$(edit_frame lab-a:bs1)
[ "$(jq 'has("passage_number")' <<<"$after")" = false ] || fail "passage_number was not removed: $after"
[ "$(jq -r .description <<<"$after")" = "thawed twice" ] || fail "the row was not applied: $after"
[ "$(jq -r .organism <<<"$after")" = "/organisms/human/" ] || fail "other properties were lost: $after"
printf 'record_id\taliases\tpassage_number\nlab-a:bs1\tbs1-b\t7\n' >"$work/fix2.tsv"
"$dcc" register -p biosample -i "$work/fix2.tsv" --rm-patch -r description >/dev/null
after=$(edit_frame lab-a:bs1)
[ "$(jq -c .aliases <<<"$after")" = '["lab-a:bs1","lab-a:bs1-b"]' ] && [ "$(jq 'has("description")' <<<"$after")" = false ] &&
  [ "$(jq .passage_number <<<"$after")" = 7 ] || fail "rm-patch extending arrays: $after"
printf 'record_id\taliases\tdescription\nlab-a:bs1\tbs1-c\tthawed twice\n' >"$work/fix3.tsv"
"$dcc" register -p biosample -i "$work/fix3.tsv" --rm-patch -r passage_number -w >/dev/null
after=$(edit_frame lab-a:bs1-c)
[ "$(jq -c .aliases <<<"$after")" = '["lab-a:bs1-c"]' ] && [ "$(jq 'has("passage_number")' <<<"$after")" = false ] ||
  fail "rm-patch -w: $after"
printf 'record_id\taliases\nlab-a:bs1-c\tbs1\n' >"$work/fix4.tsv"
"$dcc" register -p biosample -i "$work/fix4.tsv" --patch -w >/dev/null
[ "$(edit_frame lab-a:bs1 | jq -r .description)" = "thawed twice" ] || fail "restoring the alias"

echo "2. --rm-patch refuses required, read-only and unknown properties; the record is unchanged"
before=$(edit_frame lab-a:bs1)
expect_exit 2 "cannot remove 'organism': it is required" "$dcc" register -p biosample -i "$work/fix.tsv" --rm-patch -r organism
expect_exit 2 "cannot remove 'accession': it is read-only" "$dcc" register -p biosample -i "$work/fix.tsv" --rm-patch -r description,accession
expect_exit 2 "'colour' is not a property of Biosample" "$dcc" register -p biosample -i "$work/fix.tsv" --rm-patch -r colour
expect_exit 2 "needs -r" "$dcc" register -p biosample -i "$work/fix.tsv" --rm-patch
expect_exit 2 "requires --rm-patch" "$dcc" register -p biosample -i "$work/fix.tsv" -r description
expect_exit 2 "excludes" "$dcc" register -p biosample -i "$work/fix.tsv" --patch --rm-patch -r description
[ "$(edit_frame lab-a:bs1)" = "$before" ] || fail "a refused --rm-patch changed the record"
out=$("$dcc" register -p biosample -i "$work/fix.tsv" --rm-patch -r description --dry-run)
grep -q "would PUT /lab-a%3Abs1" <<<"$out" || fail "dry-run rm-patch: $out"
[ "$(edit_frame lab-a:bs1)" = "$before" ] || fail "a dry-run --rm-patch changed the record"

echo "3. the attachment path shortcut becomes a data URI the server accepts"
printf 'protocol: grow, split, freeze\n' >"$work/protocol.txt"
printf '[{"aliases": ["doc1"], "document_type": "general protocol", "attachment": {"path": "%s"}}]' "$work/protocol.txt" >"$work/doc.json"
"$dcc" register -p document -i "$work/doc.json" >/dev/null
doc=$("$dcc" get lab-a:doc1)
[ "$(jq -r .attachment.download <<<"$doc")" = protocol.txt ] && [ "$(jq -r .attachment.type <<<"$doc")" = text/plain ] ||
  fail "attachment: $(jq -c .attachment <<<"$doc")"
curl -s -u "$alice" "$url$(jq -r '.["@id"]' <<<"$doc")$(jq -r .attachment.href <<<"$doc")" | cmp -s - "$work/protocol.txt" ||
  fail "the attachment's bytes differ"
printf '[{"aliases": ["doc2"], "document_type": "general protocol", "attachment": {"path": "%s"}}]' "$work/none.txt" >"$work/doc2.json"
expect_exit 1 "doc2.json:1: .*none.txt: no such attachment file" "$dcc" register -p document -i "$work/doc2.json"
printf 'x' >"$work/blob.weird"
printf '[{"aliases": ["doc3"], "document_type": "general protocol", "attachment": {"path": "%s"}}]' "$work/blob.weird" >"$work/doc3.json"
expect_exit 1 "cannot tell the mime type of 'blob.weird'" "$dcc" register -p document -i "$work/doc3.json"
[ "$(count Document)" = 1 ] || fail "a refused attachment created a document"

echo "4. file records: md5sum and file_size computed, the file uploaded after the POST"
head -c $((9 << 20)) /dev/urandom >"$work/r1.fastq.gz"
cat >"$work/files.tsv" <<TSV
aliases${T}dataset${T}file_format${T}output_type${T}run_type${T}paired_end${T}submitted_file_name
r1${T}lab-a:e1${T}fastq${T}reads${T}single-ended${T}1${T}$work/r1.fastq.gz
TSV
out=$("$dcc" register -p file -i "$work/files.tsv")
grep -q "uploaded $work/r1.fastq.gz (9437184 bytes, 2 parts) -> in progress" <<<"$out" || fail "upload after POST: $out"
f=$("$dcc" get lab-a:r1)
[ "$(jq -r .md5sum <<<"$f")" = "$(md5sum <"$work/r1.fastq.gz" | cut -d' ' -f1)" ] || fail "md5sum: $f"
[ "$(jq -r .file_size <<<"$f")" = 9437184 ] || fail "file_size: $f"
[ "$(jq -r .status <<<"$f")" = "in progress" ] || fail "status after upload: $f"
[ "$(jq 'has("paired_end")' <<<"$f")" = false ] || fail "paired_end kept on a single-ended fastq: $f"

echo "5. --no-upload-file posts the record only; dry runs send nothing"
head -c 1000 /dev/urandom >"$work/r2.fastq.gz"
sed -e 's/^r1/r2/' -e "s|r1.fastq.gz|r2.fastq.gz|" "$work/files.tsv" >"$work/files2.tsv"
before=$(curl -s -u "$admin" "$url/search/?type=File&format=json" | jq -c '[.["@graph"][] | .uuid] | sort')
out=$("$dcc" register -p file -i "$work/files2.tsv" --dry-run)
grep -q "would POST /file" <<<"$out" && grep -q "\"md5sum\":\"$(md5sum <"$work/r2.fastq.gz" | cut -d' ' -f1)\"" <<<"$out" ||
  fail "dry run: $out"
[ "$(curl -s -u "$admin" "$url/search/?type=File&format=json" | jq -c '[.["@graph"][] | .uuid] | sort')" = "$before" ] ||
  fail "the dry run wrote"
out=$("$dcc" register -p file -i "$work/files2.tsv" --no-upload-file)
! grep -q uploaded <<<"$out" || fail "--no-upload-file uploaded: $out"
[ "$("$dcc" get lab-a:r2 | jq -r .status)" = uploading ] || fail "--no-upload-file: the file is not awaiting bytes"

echo "6. bad credentials and a bad TSV write nothing"
n=$(count Biosample)
printf 'aliases\torganism\tsource\tbiosample_ontology\nbs7\thuman\tatcc\tk562\n' >"$work/bs7.tsv"
DCC_SECRET_KEY=wrong expect_exit 5 "wrong secret (check DCC_API_KEY and DCC_SECRET_KEY)" "$dcc" register -p biosample -i "$work/bs7.tsv"
printf 'aliases\torganism\tsource\tbiosample_ontology\tpassage_number\nbs8\thuman\tatcc\tk562\tmany\n' >"$work/bad.tsv"
expect_exit 2 "bad.tsv:2:5" "$dcc" register -p biosample -i "$work/bad.tsv"
[ "$(count Biosample)" = "$n" ] || fail "a refused register wrote"

echo "7. the log files: debug, error and posted, per host"
logs="$work/EU_Logs/log_eu_${host_tag}"
[ -f "${logs}_debug.txt" ] && [ -f "${logs}_error.txt" ] && [ -f "${logs}_posted.txt" ] || fail "log files: $(ls "$work/EU_Logs")"
bs1=$("$dcc" get lab-a:bs1 | jq -r .accession)
grep -qE "^[0-9-]{10} [0-9:]{8},[0-9]{3}:eu_post:${T}lab-a:bs1${T}${T}${bs1}\$" "${logs}_posted.txt" ||
  fail "posted log: $(cat "${logs}_posted.txt")"
grep -q "eu_post:${T}lab-a:doc1${T}${T}[0-9a-f-]\{36\}\$" "${logs}_posted.txt" || fail "posted log uses the uuid without an accession"
[ "$(grep -c eu_post "${logs}_posted.txt")" = 4 ] || fail "posted lines: $(cat "${logs}_posted.txt")"
grep -q "eu_debug:${T}PUT /lab-a%3Abs1 {" "${logs}_debug.txt" || fail "debug log has no PUT"
grep -q "eu_debug:${T}DRY RUN: would POST /file {" "${logs}_debug.txt" || fail "debug log has no dry run"
grep -q "eu_error:${T}DRY RUN is enabled." "${logs}_error.txt" || fail "error log has no dry-run line"
grep -q "eu_error:${T}.*cannot tell the mime type" "${logs}_error.txt" || fail "error log: $(cat "${logs}_error.txt")"
! grep -q "$DCC_SECRET_KEY" "$work"/EU_Logs/* || fail "a secret reached the logs"
echo "7 passed, 0 failed"
