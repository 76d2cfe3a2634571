#!/usr/bin/env bash
# Interop: how dccd keeps multipart parts (docs/s3_multipart.md), driven step by step with
# boto3 so the test can look at the data directory between steps: parts of one size are
# written in place into one staged file, in any order; a part that breaks the layout is
# kept on its own and Complete copies; parts survive a restart; Complete may list a
# subset; a wrong declared md5 publishes nothing.
# usage: s3_multipart_parts.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3  # Debian's, with python3-boto3
work=$(mktemp -d /tmp/dcc-interop-parts-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
serve_extra=(--s3-listen 127.0.0.1:0 --s3-port-file "$work/s3port")
. "$here/../support/dccd_fixture.sh"
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY
blobs=$work/data/blobs
for _ in $(seq 100); do [ -s "$work/s3port" ] && break; sleep 0.1; done
s3="http://127.0.0.1:$(cat "$work/s3port")"
get() { curl -s -u "$alice" "$url/$1"; }
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null

mib=$((1 << 20))
head -c $((21 * mib)) /dev/urandom >"$work/data.bin"
# new_file MD5 SIZE: a file record; sets acc and target (its upload URL) and the AWS_* credentials
new_file() {
  local rec
  rec=$(post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$1\",\"file_size\":$2}")
  acc=$(jq -r '.["@graph"][0].accession' <<<"$rec")
  target=$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")
  export AWS_ACCESS_KEY_ID=$(jq -r '.["@graph"][0].upload_credentials.access_key' <<<"$rec")
  export AWS_SECRET_ACCESS_KEY=$(jq -r '.["@graph"][0].upload_credentials.secret_key' <<<"$rec")
  export AWS_SESSION_TOKEN=$(jq -r '.["@graph"][0].upload_credentials.session_token' <<<"$rec")
  export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null
}
slice() { dd if="$1" bs=1M iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none; }  # slice FILE OFFSET LENGTH
step() { "$python" "$here/s3_part.py" "$s3" "$target" "$@"; }
put() { step put "$upload" "$1" "$work/data.bin" "$2" "$3"; }  # put NUMBER OFFSET LENGTH -> ETag
status_is() { [ "$(get "$acc/" | jq -r .status)" = "$1" ] || fail "$acc is '$(get "$acc/" | jq -r .status)', expected '$1'"; }
downloaded_md5() {
  local location
  location=$(curl -s -o /dev/null -w '%{redirect_url}' -u "$alice" "$url/$acc/@@download/$acc.bam")
  curl -sf "$location" | md5sum | cut -d' ' -f1
}
prefix_md5() { slice "$work/data.bin" 0 "$1" | md5sum | cut -d' ' -f1; }
# published_prefix LENGTH WHAT: the record verified and serves the first LENGTH bytes
published_prefix() {
  status_is "in progress"
  [ "$(downloaded_md5)" = "$(prefix_md5 "$1")" ] || fail "$2: the published bytes differ"
}
restart() {
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$work/port" "$work/s3port"
  "$dccd" serve "${common[@]}" --listen 127.0.0.1:0 --port-file "$work/port" "${serve_extra[@]}" >>"$work/dccd.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && [ -s "$work/s3port" ] && break; sleep 0.1; done
  url="http://127.0.0.1:$(cat "$work/port")"
  s3="http://127.0.0.1:$(cat "$work/s3port")"
}

echo "1. parts of 5 MiB sent out of order (3, 1, 4 of 1 MiB, 2) land in one staged file; Complete copies nothing"
new_file "$(prefix_md5 $((16 * mib)))" $((16 * mib))
upload=$(step create)
e3=$(put 3 $((10 * mib)) $((5 * mib)))
e1=$(put 1 0 $((5 * mib)))
e4=$(put 4 $((15 * mib)) $mib)
e2=$(put 2 $((5 * mib)) $((5 * mib)))
[ -f "$blobs/staging/parts-$upload" ] || fail "no staged file parts-$upload: the parts were not written in place"
[ "$(find "$blobs/objects/.multipart/$upload" -name '0000?' | wc -l)" = 0 ] || fail "parts were stored on their own: $(ls "$blobs/objects/.multipart/$upload")"
[ "$(find "$blobs/objects/.multipart/$upload" -name '*.placed' | wc -l)" = 4 ] || fail "expected 4 in-place part records"
[ "$(step list "$upload" | cut -d' ' -f1 | tr '\n' ' ')" = "1 2 3 4 " ] || fail "ListParts: $(step list "$upload")"
etag=$(step complete "$upload" 1:$e1 2:$e2 3:$e3 4:$e4) || fail "Complete failed: $etag"
[[ $etag == *-4 ]] || fail "multipart ETag '$etag'"
published_prefix $((16 * mib)) "parts in place"
[ ! -e "$blobs/staging/parts-$upload" ] && [ -z "$(find "$blobs/objects/.multipart/$upload" -type f)" ] ||
  fail "the upload's parts were left behind"
echo "   $acc: ETag $etag, bytes match, nothing left behind"

echo "2. a part larger than the first one breaks the layout: it is kept on its own and Complete copies"
new_file "$(prefix_md5 $((19 * mib)))" $((19 * mib))
upload=$(step create)
e1=$(put 1 0 $((6 * mib)))
e2=$(put 2 $((6 * mib)) $((7 * mib)))
e3=$(put 3 $((13 * mib)) $((6 * mib)))
[ -f "$blobs/objects/.multipart/$upload/00002" ] || fail "the 7 MiB part 2 was not kept on its own"
[ -f "$blobs/objects/.multipart/$upload/00001.placed" ] || fail "part 1 was not written in place"
etag=$(step complete "$upload" 1:$e1 2:$e2 3:$e3) || fail "Complete failed: $etag"
published_prefix $((19 * mib)) "parts copied"
echo "   $acc: ETag $etag, bytes match"

echo "3. in-place parts survive a restart: ListParts reports them, the upload goes on"
new_file "$(prefix_md5 $((12 * mib)))" $((12 * mib))
upload=$(step create)
e1=$(put 1 0 $((5 * mib)))
e2=$(put 2 $((5 * mib)) $((5 * mib)))
restart
listed=$(step list "$upload")
[ "$listed" = "$(printf '1 %s %d\n2 %s %d' "$e1" $((5 * mib)) "$e2" $((5 * mib)))" ] || fail "ListParts after a restart: $listed"
e3=$(put 3 $((10 * mib)) $((2 * mib)))
etag=$(step complete "$upload" 1:$e1 2:$e2 3:$e3) || fail "Complete after a restart failed: $etag"
published_prefix $((12 * mib)) "after a restart"
echo "   $acc: parts 1-2 listed after the restart, completed with part 3"

echo "4. Complete may list a subset: parts 1-2 of 3 (the staged file is cut), then parts 1 and 3"
new_file "$(prefix_md5 $((10 * mib)))" $((10 * mib))
upload=$(step create)
e1=$(put 1 0 $((5 * mib))); e2=$(put 2 $((5 * mib)) $((5 * mib))); e3=$(put 3 $((10 * mib)) $((5 * mib)))
etag=$(step complete "$upload" 1:$e1 2:$e2) || fail "Complete of parts 1-2 failed: $etag"
published_prefix $((10 * mib)) "parts 1-2 of 3"
new_file "$( (slice "$work/data.bin" 0 $((5 * mib)); slice "$work/data.bin" $((10 * mib)) $((5 * mib))) | md5sum | cut -d' ' -f1)" $((10 * mib))
upload=$(step create)
e1=$(put 1 0 $((5 * mib))); e2=$(put 2 $((5 * mib)) $((5 * mib))); e3=$(put 3 $((10 * mib)) $((5 * mib)))
etag=$(step complete "$upload" 1:$e1 3:$e3) || fail "Complete of parts 1 and 3 failed: $etag"
status_is "in progress"
[ "$(downloaded_md5)" = "$( (slice "$work/data.bin" 0 $((5 * mib)); slice "$work/data.bin" $((10 * mib)) $((5 * mib))) | md5sum | cut -d' ' -f1)" ] ||
  fail "parts 1 and 3 were not joined"
echo "   both subsets published the bytes they name"

echo "5. a part sent again replaces the old one: its old ETag is refused"
new_file "$(prefix_md5 $((10 * mib)))" $((10 * mib))
upload=$(step create)
old=$(put 1 $((11 * mib)) $((5 * mib)))
e1=$(put 1 0 $((5 * mib))); e2=$(put 2 $((5 * mib)) $((5 * mib)))
out=$(step complete "$upload" 1:$old 2:$e2) && fail "Complete with a replaced part's ETag succeeded"
grep -q "InvalidPart" <<<"$out" || fail "expected InvalidPart, got: $out"
etag=$(step complete "$upload" 1:$e1 2:$e2) || fail "Complete failed: $etag"
status_is "in progress"
echo "   refused: $out"

echo "6. a wrong declared md5: content error, nothing published, the parts are gone"
new_file 00000000000000000000000000000000 $((10 * mib))
upload=$(step create)
e1=$(put 1 0 $((5 * mib))); e2=$(put 2 $((5 * mib)) $((5 * mib)))
out=$(step complete "$upload" 1:$e1 2:$e2) && fail "Complete with a wrong md5 succeeded"
status_is "content error"
get "$acc/" | jq -r .content_error_detail | grep -q "expected 00000000000000000000000000000000" || fail "no declared-versus-received detail"
[ -z "$(find "$blobs/objects" -name "$acc.bam")" ] || fail "the rejected bytes were published"
[ ! -e "$blobs/staging/parts-$upload" ] || fail "the rejected staged file was kept"
echo "   refused: $out"
echo "PASS"
