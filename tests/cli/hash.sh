#!/usr/bin/env bash
# dcc hash against coreutils and Python, and its errors (issue #4: `dcc hash`).
# usage: hash.sh DCC
set -euo pipefail
dcc=$1
work=$(mktemp -d /tmp/dcc-cli-hash-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

head -c $((20 << 20 | 12345)) /dev/urandom >"$work/a.bin"
printf 'small' >"$work/small.txt"
: >"$work/empty"
out=$("$dcc" hash --no-progress "$work/a.bin" "$work/small.txt" "$work/empty")
row() { grep -F "$1"$'\t' <<<"$out"; }
for f in a.bin small.txt empty; do
  r=$(row "$work/$f")
  [ "$(cut -f3 <<<"$r")" = "$(md5sum <"$work/$f" | cut -d' ' -f1)" ] || fail "md5 of $f"
  [ "$(cut -f4 <<<"$r")" = "$(sha1sum <"$work/$f" | cut -d' ' -f1)" ] || fail "sha1 of $f"
  [ "$(cut -f5 <<<"$r")" = "$(sha256sum <"$work/$f" | cut -d' ' -f1)" ] || fail "sha256 of $f"
  [ "$(cut -f2 <<<"$r")" = "$(stat -c %s "$work/$f")" ] || fail "size of $f"
done
# The multipart ETag, computed independently: md5 of the 8 MiB parts' md5s, and the count.
want=$(/usr/bin/python3 - "$work/a.bin" <<'PY'
import hashlib, sys
data = open(sys.argv[1], "rb").read()
parts = [data[i:i + (8 << 20)] for i in range(0, len(data), 8 << 20)]
print(hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-%d" % len(parts))
PY
)
[ "$(cut -f7 <<<"$(row "$work/a.bin")")" = "$want" ] || fail "s3 etag of a.bin: want $want"
[ "$(cut -f7 <<<"$(row "$work/small.txt")")" = "$(md5sum <"$work/small.txt" | cut -d' ' -f1)" ] ||
  fail "a file smaller than a part has its md5 as ETag"
# crc32c: the CRC-32C check value of "123456789" is 0xe3069283.
printf '123456789' >"$work/check"
[ "$("$dcc" hash --format json "$work/check" | jq -r '.[0].crc32c')" = "4waSgw==" ] || fail "crc32c"

# Errors: what, where, and the documented exit status; other files are still hashed.
set +e
"$dcc" hash "$work/missing" "$work/small.txt" >"$work/out" 2>"$work/err"; rc=$?
set -e
[ $rc = 3 ] || fail "a missing file should exit 3, got $rc"
grep -q "$work/missing: no such file" "$work/err" || fail "error does not name the file: $(cat "$work/err")"
grep -q "small.txt" "$work/out" || fail "the other file was not hashed"
set +e
"$dcc" hash --format xml "$work/small.txt" >/dev/null 2>&1; rc=$?
set -e
[ $rc = 2 ] || fail "a bad flag should exit 2, got $rc"
echo "3 passed, 0 failed"
