#!/usr/bin/env bash
# dcc config show: layer order, recursive merge, redaction, and errors (issue #4, config).
# usage: config.sh DCC
set -euo pipefail
dcc=$1
work=$(mktemp -d /tmp/dcc-cli-config-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export HOME=$work/home XDG_CONFIG_HOME=
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY DCC_LAB DCC_AWARD DCC_CONFIG_FILE
mkdir -p "$HOME/.config/dcc"
cat >"$HOME/.config/dcc/config.json" <<'JSON'
{"mode": "prod", "lab": "user-lab",
 "servers": {"prod": {"url": "https://prod.example.org"}, "dev": {"url": "https://dev.example.org"}},
 "secret_key": "user-secret", "transfer": {"part_size_mib": 8, "concurrency": 4}}
JSON
echo '{"servers": {"dev": {"url": "http://127.0.0.1:8000"}}, "transfer": {"concurrency": 16}}' >"$work/a.json"
echo '{"lab": "file-lab"}' >"$work/b.json"

# Files in order, then the environment; objects merge key by key.
out=$(DCC_CONFIG_FILE="$work/a.json:$work/b.json" DCC_AWARD=U54 "$dcc" config show)
[ "$(jq -r .lab <<<"$out")" = "file-lab" ] || fail "DCC_CONFIG_FILE's later file should win"
[ "$(jq -r .servers.dev.url <<<"$out")" = "http://127.0.0.1:8000" ] || fail "nested override"
[ "$(jq -r .servers.prod.url <<<"$out")" = "https://prod.example.org" ] || fail "recursive merge lost a sibling"
[ "$(jq -r .transfer.part_size_mib <<<"$out")" = "8" ] || fail "recursive merge lost part_size_mib"
[ "$(jq -r .transfer.concurrency <<<"$out")" = "16" ] || fail "nested number override"
[ "$(jq -r .award <<<"$out")" = "U54" ] || fail "DCC_AWARD is a real default"
[ "$(jq -r .secret_key <<<"$out")" = "REDACTED" ] || fail "the secret was shown"
grep -q user-secret <<<"$out" && fail "the secret leaked"
out=$(DCC_LAB=env-lab DCC_CONFIG_FILE="$work/b.json" "$dcc" config show --explain)
grep -q $'^/lab\tenv-lab\tenv DCC_LAB$' <<<"$out" || fail "the environment should win over files: $out"
grep -q $'^/mode\tprod\t'"$HOME/.config/dcc/config.json"'$' <<<"$out" || fail "origin of /mode: $out"
grep -q $'^/secret_key\tREDACTED' <<<"$out" || fail "explain shows secrets"

# Errors: a malformed file is named with line:col; a missing DCC_CONFIG_FILE entry is exit 3.
printf '{\n  "lab": "x",\n  oops\n}\n' >"$work/bad.json"
set +e
DCC_CONFIG_FILE="$work/bad.json" "$dcc" config show >/dev/null 2>"$work/err"; rc=$?
[ $rc = 2 ] || fail "malformed config should exit 2, got $rc"
grep -q "$work/bad.json:3:3" "$work/err" || fail "the error does not locate the problem: $(cat "$work/err")"
DCC_CONFIG_FILE="$work/none.json" "$dcc" config show >/dev/null 2>"$work/err"; rc=$?
[ $rc = 3 ] || fail "a missing DCC_CONFIG_FILE should exit 3, got $rc"
grep -q "none.json" "$work/err" || fail "the missing file is not named"
set -e
echo "3 passed, 0 failed"
