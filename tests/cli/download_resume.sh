#!/usr/bin/env bash
# dcc download resume against a real dccd (issue #4): killed mid-download, the next run
# fetches only the ranges not yet written (counted in the server's access log) and still
# verifies the md5; a corrupted .part is caught by the md5 and nothing is left behind.
# usage: download_resume.sh DCC DCCD PROFILES_DIR
set -euo pipefail
with_s3=1
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_LAB=lab-a DCC_AWARD=U1
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null
head -c $((16 << 20)) /dev/urandom >"$work/big.bam"
printf 'aliases\tdataset\tfile_format\toutput_type\tsubmitted_file_name\nbig\tlab-a:e1\tbam\talignments\t%s\n' "$work/big.bam" >"$work/f.tsv"
"$dcc" register -p file -i "$work/f.tsv" | grep -q "in progress" || fail "seeding the file"
acc=$("$dcc" get lab-a:big | jq -r .accession)
ranges() { grep -c "GET /_blobs/" "$work/dccd.log" || true; }
kill_after() {  # kill_after OUTPUT N: a slow download killed (-9) once N ranges are recorded done
  "$dcc" download "$acc" -o "$1" --chunk-size-mib 1 --concurrency 1 --limit-rate-mib 4 >/dev/null 2>&1 &
  local downloader=$!
  for _ in $(seq 600); do
    [ -f "$1.part.json" ] && [ "$(jq '.done | length' "$1.part.json" 2>/dev/null || echo 0)" -ge "$2" ] && break
    sleep 0.02
  done
  { kill -9 $downloader; wait $downloader; } 2>/dev/null || true
}

echo "1. killed mid-download: the .part and its state of finished ranges stay"
kill_after "$work/out.bam" 3
[ -f "$work/out.bam.part" ] && [ ! -e "$work/out.bam" ] || fail "after the kill: $(ls "$work")"
done_before=$(jq '.done | length' "$work/out.bam.part.json")
[ "$done_before" -ge 3 ] && [ "$done_before" -lt 16 ] || fail "the kill did not land mid-download: $done_before of 16"

echo "2. run again: only the missing ranges are fetched, and the md5 is verified"
before=$(ranges)
out=$("$dcc" download "$acc" -o "$work/out.bam" --chunk-size-mib 1 --concurrency 2)
fetched=$(($(ranges) - before))
[ "$fetched" -ge 1 ] || fail "the resumed download fetched nothing (is the access log counting ranges?)"
echo "   $done_before of 16 ranges were done; fetched $fetched"
[ "$fetched" -le $((16 - done_before)) ] || fail "fetched $fetched ranges; $done_before of 16 were already done"
grep -q "MiB resumed), md5 $(md5sum <"$work/big.bam" | cut -d' ' -f1) verified" <<<"$out" || fail "resume: $out"
cmp -s "$work/big.bam" "$work/out.bam" || fail "the resumed file differs"
[ ! -e "$work/out.bam.part" ] && [ ! -e "$work/out.bam.part.json" ] || fail "the .part or its state was left"

echo "3. a finished range corrupted on disk: the md5 catches it and nothing is left"
kill_after "$work/c.bam" 2
printf 'garbage' | dd of="$work/c.bam.part" bs=1 seek=10 conv=notrunc 2>/dev/null
set +e
"$dcc" download "$acc" -o "$work/c.bam" --chunk-size-mib 1 >/dev/null 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] && grep -q "downloaded md5 is" "$work/err" || fail "corruption not caught: $rc $(cat "$work/err")"
[ ! -e "$work/c.bam" ] && [ ! -e "$work/c.bam.part" ] && [ ! -e "$work/c.bam.part.json" ] || fail "left behind: $(ls "$work")"
"$dcc" download "$acc" -o "$work/c.bam" >/dev/null && cmp -s "$work/big.bam" "$work/c.bam" || fail "a clean retry"
echo "3 passed, 0 failed"
