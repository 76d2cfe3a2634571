# Sourced by shell tests (tests/cli, tests/interop): starts a real dccd (temp data dir, ephemeral port) with an admin
# and alice (submits for lab-a), creates the records a submission links to, and exports
# DCC_MODE, DCC_API_KEY and DCC_SECRET_KEY as alice. Needs: dccd, profiles, work (and
# optionally serve_extra, more `dccd serve` flags, and with_s3=1 to also serve the S3
# endpoint and export AWS_ENDPOINT_URL_S3 for it; url_scheme=https when serve_extra
# has --tls-cert, with CURL_CA_BUNDLE exported for the helpers' curl); defines fail, expect_exit, post (curl
# as a given user), url, admin, alice.
fail() { echo "FAIL: $*" >&2; [ -f "$work/dccd.log" ] && tail -5 "$work/dccd.log" >&2; exit 1; }
# expect_exit RC PATTERN CMD...: runs CMD; fails unless it exits RC and its stderr matches
# PATTERN (grep). Its stdout and stderr stay in $work/out and $work/err.
expect_exit() {
  local want=$1 pattern=$2 rc
  shift 2
  set +e
  "$@" >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  [ $rc = "$want" ] || fail "$* exited $rc, expected $want: $(cat "$work/err")"
  grep -q -- "$pattern" "$work/err" || fail "$* did not say '$pattern': $(cat "$work/err")"
}
[ "${with_s3:-}" = 1 ] && serve_extra+=(--s3-listen 127.0.0.1:0 --s3-port-file "$work/s3port")
common=(--data-dir "$work/data" --no-default-profiles --profiles "$profiles")
"$dccd" admin init "${common[@]}" >/dev/null
"$dccd" admin add-user "${common[@]}" --email admin@dcc.test --admin >/dev/null
"$dccd" admin add-user "${common[@]}" --email alice@lab-a.test --lab lab-a >/dev/null
admin=$("$dccd" admin add-key "${common[@]}" --email admin@dcc.test | jq -r '.access_key_id + ":" + .secret_access_key')
alice=$("$dccd" admin add-key "${common[@]}" --email alice@lab-a.test | jq -r '.access_key_id + ":" + .secret_access_key')
"$dccd" serve "${common[@]}" --listen 127.0.0.1:0 --port-file "$work/port" ${serve_extra[@]+"${serve_extra[@]}"} \
  >"$work/dccd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url="${url_scheme:-http}://127.0.0.1:$(cat "$work/port")"
if [ "${with_s3:-}" = 1 ]; then
  for _ in $(seq 100); do [ -s "$work/s3port" ] && break; sleep 0.1; done
  export AWS_ENDPOINT_URL_S3="${url_scheme:-http}://127.0.0.1:$(cat "$work/s3port")"
fi
post() {
  local out code
  out=$(curl -s -u "$1" -H 'Content-Type: application/json' -X POST "$url/$2" -d "$3" -w '\n%{http_code}')
  code=$(tail -n1 <<<"$out")
  [[ $code == 2* ]] || fail "POST /$2 answered $code: $(sed '$d' <<<"$out")"
  sed '$d' <<<"$out"
}
# bam_record PATH: alice posts a bam file record of PATH under lab-a:e1 (post that
# experiment first); sets acc, target (its s3:// upload_url) and up_key, up_secret,
# up_token (its upload credentials), for each client's own variables.
bam_record() {
  local rec
  rec=$(post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$(md5sum "$1" | cut -d' ' -f1)\",\"file_size\":$(stat -c %s "$1")}")
  acc=$(jq -r '.["@graph"][0].accession' <<<"$rec")
  target=$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")
  up_key=$(jq -r '.["@graph"][0].upload_credentials.access_key' <<<"$rec")
  up_secret=$(jq -r '.["@graph"][0].upload_credentials.secret_key' <<<"$rec")
  up_token=$(jq -r '.["@graph"][0].upload_credentials.session_token' <<<"$rec")
}
post "$admin" lab '{"name":"lab-a","title":"Lab A"}' >/dev/null
post "$admin" award '{"name":"U1","project":"ENCODE","rfa":"ENCODE4","title":"A"}' >/dev/null
post "$admin" organism '{"name":"human","scientific_name":"Homo sapiens","taxon_id":"9606"}' >/dev/null
post "$admin" source '{"name":"atcc","title":"ATCC"}' >/dev/null
post "$admin" biosample_type '{"name":"k562","classification":"cell line","term_id":"EFO:0002067","term_name":"K562"}' >/dev/null
export DCC_MODE=$url DCC_API_KEY=${alice%%:*} DCC_SECRET_KEY=${alice#*:} HOME=$work/home DCC_CONFIG_FILE=
