#!/usr/bin/env bash
# Request-body limits (issue 9 item 3) against a real dccd, with curl: per-route limits,
# the small limit for callers without verified credentials, and the process-wide budget
# for bytes held in bodies and parsed documents. Each case is a function named after its
# defect; its first comment says what broke. Memory is read from /proc/<pid>/status.
# usage: body_limits.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
work=$(mktemp -d /tmp/dcc-body-limits-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; exec 3>&- 4>&- 5>&- 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "$0")/../support/dccd_fixture.sh"
passed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
mib_of() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$pid/status"; }  # VmRSS, VmHWM
zeros() {  # zeros BYTES FILE: a JSON array [0,0,...,0] of about BYTES bytes
  python3 -c "import sys; n=int(sys.argv[1])//2; sys.stdout.write('[' + '0,'*n + '0]')" "$1" >"$2"
}

anonymous_token_exchange_amplified_memory() {
  # A 60 MiB body [0,0,...] to the anonymous POST /user/credentials/api/access_token
  # was read whole and parsed into a DOM: RSS grew from 16 MiB to 1 GiB per request.
  zeros $((60 << 20)) "$work/zeros.json"
  local code i
  for i in 1 2 3 4; do  # Content-Length given: refused before the body is read
    code=$(curl -s -o "$work/out" -w '%{http_code}' -X POST "$url/user/credentials/api/access_token" \
      -H 'Content-Type: application/json' --data-binary @"$work/zeros.json" || true)
    [ "$code" = 413 ] || fail "60 MiB token exchange ($i): $code $(head -c 300 "$work/out")"
  done
  jq -e '.error | contains("larger than this route accepts")' "$work/out" >/dev/null ||
    fail "token exchange 413 body: $(head -c 300 "$work/out")"
  # Chunked (no Content-Length): cut off at the route's limit, not read to the end.
  code=$(curl -s -o "$work/out" -w '%{http_code}' -X POST "$url/user/credentials/api/access_token" \
    -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$work/zeros.json" || true)
  [ "$code" = 413 ] || fail "60 MiB chunked token exchange: $code $(head -c 300 "$work/out")"
  local peak
  peak=$(mib_of VmHWM)
  [ "$peak" -le 256 ] || fail "dccd's peak RSS reached $peak MiB on refused anonymous bodies"
  # A real exchange still works.
  "$dccd" admin api-key "${common[@]}" --user alice@lab-a.test --expires-days 1 >"$work/cred.json"
  code=$(curl -s -o "$work/out" -w '%{http_code}' -X POST "$url/user/credentials/api/access_token" \
    -H 'Content-Type: application/json' --data-binary @"$work/cred.json")
  [ "$code" = 200 ] && jq -e '.access_token | length > 100' "$work/out" >/dev/null ||
    fail "token exchange: $code $(head -c 300 "$work/out")"
  ok "anonymous_token_exchange_amplified_memory: 60 MiB (sized and chunked) -> 413; peak RSS $peak MiB; a real exchange works"
}

anonymous_caller_got_the_record_limit() {
  # Every route took the global 64 MiB body from anyone: an anonymous 60 MiB write to
  # a record route was read and parsed before the caller was found to be anonymous.
  local code
  code=$(curl -s -o "$work/out" -w '%{http_code}' -X POST "$url/mds/metadata/anon" \
    -H 'Content-Type: application/json' --data-binary @"$work/zeros.json" || true)
  [ "$code" = 413 ] || fail "anonymous 60 MiB MDS write: $code $(head -c 300 "$work/out")"
  jq -e '.detail | contains("without verified credentials")' "$work/out" >/dev/null ||
    fail "anonymous 413 body: $(head -c 300 "$work/out")"
  # Wrong credentials are no better than none.
  code=$(curl -s -o "$work/out" -w '%{http_code}' -u "${alice%%:*}:wrong" -X POST "$url/lab" \
    -H 'Content-Type: application/json' --data-binary @"$work/zeros.json" || true)
  [ "$code" = 401 ] || fail "60 MiB with a wrong secret: $code $(head -c 300 "$work/out")"
  # An authenticated 60 MiB array of numbers is read, but its DOM (64 B a value) could
  # never fit the 256 MiB budget: 413, and memory stays bounded.
  code=$(curl -s -o "$work/out" -w '%{http_code}' -u "$admin" -X POST "$url/mds/metadata/zeros" \
    -H 'Content-Type: application/json' --data-binary @"$work/zeros.json" || true)
  [ "$code" = 413 ] || fail "authenticated 60 MiB [0,...]: $code $(head -c 300 "$work/out")"
  local peak
  peak=$(mib_of VmHWM)
  [ "$peak" -le 512 ] || fail "dccd's peak RSS reached $peak MiB on one 60 MiB [0,...]"
  ok "anonymous_caller_got_the_record_limit: anonymous 60 MiB -> 413, wrong secret -> 401, authenticated [0,...] -> 413 (peak RSS $peak MiB)"
}

large_attachment_record_still_accepted() {
  # Per-route limits must not refuse the largest legitimate record: a document with a
  # ~20 MiB data-URI attachment, sent by an authenticated submitter.
  head -c $((15 << 20)) /dev/urandom >"$work/blob.bin"
  { printf '{"lab":"lab-a","award":"U1","document_type":"general protocol","aliases":["lab-a:big-doc"],'
    printf '"attachment":{"download":"big.txt","type":"text/plain","href":"data:text/plain;base64,'
    base64 -w0 "$work/blob.bin"
    printf '"}}'; } >"$work/doc.json"
  local code size
  size=$(stat -c %s "$work/doc.json")
  [ "$size" -gt $((20 << 20)) ] || fail "the test document is only $size bytes"
  code=$(curl -s -o "$work/out" -w '%{http_code}' -u "$alice" -X POST "$url/document" \
    -H 'Content-Type: application/json' --data-binary @"$work/doc.json")
  [ "$code" = 201 ] || fail "a $size-byte document with an attachment: $code $(head -c 300 "$work/out")"
  curl -sf -u "$alice" "$url/lab-a:big-doc/@@download/attachment/big.txt" -o "$work/back.bin" ||
    fail "download of the attachment"
  cmp -s "$work/blob.bin" "$work/back.bin" || fail "the attachment's bytes differ"
  # The same body without credentials is refused at once.
  code=$(curl -s -o "$work/out" -w '%{http_code}' -X POST "$url/document" \
    -H 'Content-Type: application/json' --data-binary @"$work/doc.json" || true)
  [ "$code" = 413 ] || fail "the same document anonymously: $code"
  ok "large_attachment_record_still_accepted: $size-byte document -> 201, attachment bytes equal; anonymous -> 413"
}

# hold FD PATH BYTES: opens a request as admin declaring BYTES of body, sends 1 KiB of
# it and keeps the connection open, so dccd holds (and has charged) the whole body.
hold() {
  local fd=$1 path=$2 bytes=$3 port=${url##*:}
  eval "exec $fd<>/dev/tcp/127.0.0.1/$port"
  printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' \
    "$path" "$(printf '%s' "$admin" | base64 -w0)" "$bytes" >&"$fd"
  printf '[%01024d' 0 >&"$fd"
}

concurrent_large_bodies_had_no_budget() {
  # Nothing bounded the bytes held by concurrent bodies: 64 threads x 64 MiB bodies
  # (and their DOMs) were within anyone's reach. With a budget, the request that would
  # pass it gets 503 with Retry-After, never an allocation.
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  "$dccd" serve "${common[@]}" --listen 127.0.0.1:0 --port-file "$work/port2" --body-budget-mib 16 \
    --max-body-mib 8 >>"$work/dccd.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/port2" ] && break; sleep 0.1; done
  url="http://127.0.0.1:$(cat "$work/port2")"
  # 6 MiB in one string: a small document, so only the body's bytes count.
  python3 -c "import sys; sys.stdout.write('{\"a\":\"' + 'x' * (6 << 20) + '\"}')" >"$work/six.json"
  hold 3 /mds/metadata/held-1 $((6 << 20))
  hold 4 /mds/metadata/held-2 $((6 << 20))
  hold 5 /mds/metadata/held-3 $((6 << 20))
  # Two held bodies (12 MiB) leave less than 6 MiB of the 16: a third whole body waits.
  local code="" i
  for i in $(seq 50); do
    code=$(curl -s -D "$work/headers" -o "$work/out" -w '%{http_code}' -u "$admin" -X POST "$url/mds/metadata/full-$i" \
      -H 'Content-Type: application/json' --data-binary @"$work/six.json" || true)
    [ "$code" = 503 ] && break
    sleep 0.1
  done
  [ "$code" = 503 ] || fail "a body past the budget: $code $(head -c 300 "$work/out")"
  grep -qi '^Retry-After: 1' "$work/headers" || fail "503 without Retry-After: $(cat "$work/headers")"
  jq -e '.detail | contains("retry shortly")' "$work/out" >/dev/null || fail "503 body: $(head -c 300 "$work/out")"
  kill -0 "$pid" || fail "dccd died under the budget"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/_status")" = 200 ] || fail "/_status under the budget"
  # Closing the held requests gives their bytes back; the write then goes through.
  exec 3>&- 4>&- 5>&-
  for i in $(seq 50); do
    code=$(curl -s -o "$work/out" -w '%{http_code}' -u "$admin" -X POST "$url/mds/metadata/small" \
      -H 'Content-Type: application/json' --data-binary '{"a":1}' || true)
    [ "$code" = 201 ] && break
    sleep 0.1
  done
  [ "$code" = 201 ] || fail "after the held bodies closed: $code $(head -c 300 "$work/out")"
  # A document larger than the whole budget could never fit: 413, not 503 (3 M values).
  zeros $((6 << 20)) "$work/six-zeros.json"
  code=$(curl -s -o "$work/out" -w '%{http_code}' -u "$admin" -X POST "$url/mds/metadata/zeros" \
    -H 'Content-Type: application/json' --data-binary @"$work/six-zeros.json" || true)
  [ "$code" = 413 ] || fail "a 6 MiB [0,...] whose DOM passes the budget: $code $(head -c 300 "$work/out")"
  "$dccd" serve --help | grep -q -- '--body-budget-mib' || fail "serve --help does not document the budget"
  ok "concurrent_large_bodies_had_no_budget: past the 16 MiB budget -> 503 Retry-After: 1, /_status answers; released on close"
}

anonymous_token_exchange_amplified_memory
anonymous_caller_got_the_record_limit
large_attachment_record_still_accepted
concurrent_large_bodies_had_no_budget
echo "PASS: $passed cases"
