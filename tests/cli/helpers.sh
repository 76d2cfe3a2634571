#!/usr/bin/env bash
# The encode_utils helper commands against a real dccd (issue #4): check-not-posted,
# get-aliases, get-accessions, get-replicate-numbers, replicate-fastqs,
# report-fastq-content-errors, add-controlled-by (positional replicate matching),
# upload-creds and url-list, on records seeded here; bad input changes nothing.
# usage: helpers.sh DCC DCCD PROFILES_DIR
set -euo pipefail
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_LAB=lab-a DCC_AWARD=U1
T=$'\t'
acc() { "$dcc" get "$1" | jq -r .accession; }

# Seed through the CLI: experiments, replicates and FASTQs (md5s differ: raw files' md5s are unique).
cat >"$work/exps.tsv" <<TSV
aliases${T}assay_term_name${T}biosample_ontology
e1${T}ChIP-seq${T}k562
c1${T}ChIP-seq${T}k562
e2${T}ChIP-seq${T}k562
TSV
"$dcc" register -p experiment -i "$work/exps.tsv" >/dev/null
# The control's biological replicates are numbered 3 and 5 (and 5 has two technical replicates).
cat >"$work/reps.tsv" <<TSV
aliases${T}experiment${T}biological_replicate_number${T}technical_replicate_number
e1-r1${T}lab-a:e1${T}1${T}1
e1-r2${T}lab-a:e1${T}2${T}1
c1-r3${T}lab-a:c1${T}3${T}1
c1-r5${T}lab-a:c1${T}5${T}1
c1-r5t2${T}lab-a:c1${T}5${T}2
e2-r1${T}lab-a:e2${T}1${T}1
TSV
"$dcc" register -p replicate -i "$work/reps.tsv" >/dev/null
n=0
fastq() {  # fastq ALIAS EXPERIMENT REPLICATE READ
  n=$((n + 1))
  printf '%s\tlab-a:%s\tlab-a:%s\tfastq\treads\tpaired-ended\t%s\t%032x\t%d\n' "$1" "$2" "$3" "$4" "$n" $((n * 100))
}
{
  printf 'aliases\tdataset\treplicate\tfile_format\toutput_type\trun_type\tpaired_end\tmd5sum\tfile_size\n'
  fastq e1-r1-1 e1 e1-r1 1; fastq e1-r1-2 e1 e1-r1 2; fastq e1-r2-1 e1 e1-r2 1; fastq e1-r2-2 e1 e1-r2 2
  fastq c1-r3-1 c1 c1-r3 1; fastq c1-r3-2 c1 c1-r3 2; fastq c1-r5-1 c1 c1-r5 1; fastq c1-r5-2 c1 c1-r5 2
  fastq c1-r5t2-1 c1 c1-r5t2 1
  fastq e2-r1-1 e2 e2-r1 1
} >"$work/fastqs.tsv"
"$dcc" register -p file -i "$work/fastqs.tsv" >/dev/null

echo "1. check-not-posted prints only the identifiers without a record"
printf '# ids\nlab-a:e1\n\nlab-a:nope\n' >"$work/ids.txt"
out=$("$dcc" check-not-posted -i "$work/ids.txt" lab-a:nope2)
[ "$out" = $'lab-a:nope\nlab-a:nope2' ] || fail "check-not-posted: $out"
"$dcc" check-not-posted -i "$work/ids.txt" -o "$work/missing.txt"
[ "$(cat "$work/missing.txt")" = lab-a:nope ] || fail "-o: $(cat "$work/missing.txt")"
DCC_SECRET_KEY=wrong expect_exit 5 "wrong secret" "$dcc" check-not-posted lab-a:e1 -o "$work/never.txt"
[ ! -e "$work/never.txt" ] || fail "a failed run wrote its -o file"
expect_exit 3 "no such file" "$dcc" check-not-posted -i "$work/none.txt"
expect_exit 2 "no identifiers" "$dcc" check-not-posted

echo "2. get-aliases, get-accessions (with -l), get-replicate-numbers"
e1=$(acc lab-a:e1)
[ "$("$dcc" get-aliases "$e1")" = "$e1${T}lab-a:e1" ] || fail "get-aliases: $("$dcc" get-aliases "$e1")"
[ "$("$dcc" get-aliases "$e1" --format json | jq -r '.[0].aliases[0]')" = lab-a:e1 ] || fail "get-aliases json"
printf 'e1\nlab-a:c1\n' >"$work/aliases.txt"
out=$("$dcc" get-accessions -i "$work/aliases.txt" -l lab-a)
[ "$out" = "e1${T}$e1"$'\n'"lab-a:c1${T}$(acc lab-a:c1)" ] || fail "get-accessions: $out"
rep_uuid=$("$dcc" get lab-a:e1-r2 | jq -r .uuid)
out=$("$dcc" get-accessions lab-a:e1-r2)
[ "$out" = "lab-a:e1-r2${T}$rep_uuid" ] || fail "get-accessions falls back to the uuid: $out"
DCC_LAB= expect_exit 2 "has no prefix" "$dcc" get-accessions e1
expect_exit 3 "no record for 'lab-a:gone'" "$dcc" get-accessions lab-a:gone lab-a:e1
[ "$(cat "$work/out")" = "lab-a:e1${T}$e1" ] || fail "the found alias is still printed: $(cat "$work/out")"
out=$("$dcc" get-replicate-numbers lab-a:e1-r2 lab-a:c1-r5t2)
[ "$out" = "lab-a:e1-r2${T}2${T}1"$'\n'"lab-a:c1-r5t2${T}5${T}2" ] || fail "get-replicate-numbers: $out"
expect_exit 2 "is not a replicate" "$dcc" get-replicate-numbers lab-a:e1

echo "3. replicate-fastqs: BIO_TECH_READ and the accession, filtered by -b/-t"
out=$("$dcc" replicate-fastqs -e lab-a:c1)
[ "$(cut -f1 <<<"$out" | tr '\n' ' ')" = "3_1_1 3_1_2 5_1_1 5_1_2 5_2_1 " ] || fail "replicate-fastqs: $out"
[ "$(head -1 <<<"$out" | cut -f2)" = "$(acc lab-a:c1-r3-1)" ] || fail "replicate-fastqs accession: $out"
[ "$("$dcc" replicate-fastqs -e lab-a:c1 -b 5 -t 2)" = "5_2_1${T}$(acc lab-a:c1-r5t2-1)" ] || fail "-b -t"
expect_exit 3 "no record" "$dcc" replicate-fastqs -e lab-a:nope

echo "4. report-fastq-content-errors"
curl -sf -u "$admin" -H 'Content-Type: application/json' -X PATCH "$url/lab-a:e1-r2-2" \
  -d '{"status":"content error","content_error_detail":"file size 10 does not match 20"}' >/dev/null ||
  fail "could not mark a content error"
out=$("$dcc" report-fastq-content-errors "$e1" lab-a:c1)
[ "$out" = "$e1${T}$(acc lab-a:e1-r2-2)${T}file size 10 does not match 20" ] || fail "content errors: $out"

echo "5. add-controlled-by: positional replicate matching, same read, every technical replicate"
id() { "$dcc" get "$1" | jq -r '.["@id"]'; }
curl -sf -u "$alice" -H 'Content-Type: application/json' -X PATCH "$url/lab-a:e1" -d '{"possible_controls":["lab-a:c1"]}' >/dev/null
curl -sf -u "$alice" -H 'Content-Type: application/json' -X PATCH "$url/lab-a:e2" -d '{"possible_controls":["lab-a:c1"]}' >/dev/null
out=$("$dcc" add-controlled-by -e lab-a:e1 --dry-run)
grep -q "4 file(s) would be patched" <<<"$out" || fail "dry run: $out"
[ "$("$dcc" get lab-a:e1-r1-1 | jq -c .controlled_by)" = "[]" ] || fail "the dry run patched"
out=$("$dcc" add-controlled-by -e lab-a:e1)
grep -q "4 file(s) patched" <<<"$out" || fail "add-controlled-by: $out"
cb() { "$dcc" get "$1" | jq -r '.controlled_by | join(" ")'; }
[ "$(cb lab-a:e1-r1-1)" = "$(id lab-a:c1-r3-1)" ] || fail "rep 1 read 1 -> control rep 3 read 1: $(cb lab-a:e1-r1-1)"
[ "$(cb lab-a:e1-r1-2)" = "$(id lab-a:c1-r3-2)" ] || fail "rep 1 read 2: $(cb lab-a:e1-r1-2)"
[ "$(cb lab-a:e1-r2-1)" = "$(id lab-a:c1-r5-1) $(id lab-a:c1-r5t2-1)" ] || fail "rep 2 read 1: $(cb lab-a:e1-r2-1)"
[ "$(cb lab-a:e1-r2-2)" = "$(id lab-a:c1-r5-2)" ] || fail "rep 2 read 2: $(cb lab-a:e1-r2-2)"
before=$("$dcc" get lab-a:e2-r1-1 | jq -c .controlled_by)
expect_exit 2 "the experiment has 1 biological replicate(s) with FASTQs but each control has 2; nothing was written" \
  "$dcc" add-controlled-by -e lab-a:e2
[ "$("$dcc" get lab-a:e2-r1-1 | jq -c .controlled_by)" = "$before" ] || fail "a refused add-controlled-by wrote"
expect_exit 2 "no possible_controls" "$dcc" add-controlled-by -e lab-a:c1

echo "6. upload-creds and url-list"
f=$(acc lab-a:e2-r1-1)
out=$("$dcc" upload-creds "$f")
[[ $(jq -r '.[0].upload_url' <<<"$out") == s3://*"$f"* ]] && [ "$(jq -r '.[0].session_token | length > 0' <<<"$out")" = true ] ||
  fail "upload-creds: $out"
[ "$("$dcc" upload-creds "$f" --format tsv | cut -f1)" = "$f" ] || fail "upload-creds tsv"
expect_exit 5 "status" "$dcc" upload-creds "$(acc lab-a:e1-r2-2)"
expect_exit 3 "no file record" "$dcc" upload-creds DCCFF000AAA
"$dcc" url-list "$f" -o "$work/urls.tsv" 2>"$work/err"
[ "$(head -1 "$work/urls.tsv")" = TsvHttpData-1.0 ] || fail "url-list header: $(cat "$work/urls.tsv")"
md5=$("$dcc" get "$f" | jq -r .md5sum)
want="$url$("$dcc" get "$f" | jq -r .href)${T}"
grep -qF "$want" "$work/urls.tsv" || fail "url-list URL: $(cat "$work/urls.tsv")"
[ "$(sed -n 2p "$work/urls.tsv" | cut -f3)" = "$(xxd -r -p <<<"$md5" | base64)" ] || fail "url-list md5: $(cat "$work/urls.tsv")"
grep -q "not released" "$work/err" || fail "no warning for an unreleased file"
expect_exit 2 "no href" "$dcc" url-list lab-a:e1 -o "$work/bad-urls.tsv"
[ ! -e "$work/bad-urls.tsv" ] || fail "a refused url-list wrote"
echo "6 passed, 0 failed"
