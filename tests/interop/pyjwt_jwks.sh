#!/usr/bin/env bash
# Interop: a third-party JWT library (Debian's python3-jwt, PyJWT) verifies the tokens a
# real dccd issues against its published JWKS (issue #5). The API key is made offline
# with `dccd admin api-key`, as a deployment's bootstrap would.
# usage: pyjwt_jwks.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3  # Debian's, with python3-jwt
work=$(mktemp -d /tmp/dcc-interop-jwt-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
. "$here/../support/dccd_fixture.sh"
"$dccd" admin api-key "${common[@]}" --user alice@lab-a.test --expires-days 1 >"$work/credentials.json"
token=$(curl -s -X POST "$url/user/credentials/cdis/access_token" -H 'Content-Type: application/json' \
  -d @"$work/credentials.json" | jq -r .access_token)
[ -n "$token" ] && [ "$token" != null ] || fail "no access token from the API key"
"$python" "$here/pyjwt_jwks.py" "$url" "$work/credentials.json" "$token"
