#!/usr/bin/env bash
# Issue 9 item 15: with --tls-cert/--tls-key the main listener served HTTPS but the S3
# listener dropped TLS, and the URLs dccd handed out (presigned upload URLs, the S3
# endpoint of upload credentials) were hard-coded http://, so upload credentials crossed
# in clear. Now both listeners serve TLS and every URL follows the listener's scheme (or
# --public-url / --s3-public-url). Clients get a self-signed CA: curl --cacert, aws
# --ca-bundle, boto3 verify=.
# usage: tls_s3_listener.sh DCCD PROFILES_DIR
set -euo pipefail
dccd=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/dcc-tls-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
aws=/usr/bin/aws
python=/usr/bin/python3

# A CA and a server certificate for 127.0.0.1 signed by it.
ca=$work/ca.pem
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dcc test CA" -keyout "$work/ca.key" -out "$ca" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/server.csr" -CA "$ca" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
  -extfile "$work/ext" -out "$work/server.pem" 2>/dev/null

url_scheme=https
export CURL_CA_BUNDLE=$ca  # for the fixture's helpers; the checks below pass --cacert themselves
serve_extra=(--tls-cert "$work/server.pem" --tls-key "$work/server.key")
with_s3=1
. "$here/../support/dccd_fixture.sh"
unset DCC_MODE DCC_API_KEY DCC_SECRET_KEY  # CURL_CA_BUNDLE stays $ca for the fixture's post helper
s3=$AWS_ENDPOINT_URL_S3
[[ $s3 == https://127.0.0.1:* ]] || fail "the S3 endpoint is not https: $s3"
passed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }

[ "$(curl -s --cacert "$ca" "$url/_status")" = Healthy ] || fail "main listener over TLS"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$ca" "$s3/dcc-files/x")
[ "$code" = 403 ] || [ "$code" = 401 ] || fail "S3 listener over TLS answered $code"
if curl -s -m 5 -o /dev/null "http://127.0.0.1:${s3##*:}/dcc-files/x"; then
  curl_plain=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:${s3##*:}/dcc-files/x" || true)
  fail "the S3 listener answered plain http ($curl_plain)"
fi
ok "both listeners speak TLS with the given certificate; plain http to the S3 port gets no answer"

# fence: the presigned upload URL and the download URL follow the listeners' scheme.
"$dccd" admin grant "${common[@]}" --user alice@lab-a.test --resource /programs/p --methods read,create,update \
  >/dev/null
"$dccd" admin api-key "${common[@]}" --user alice@lab-a.test --expires-days 1 >"$work/cred.json"
tok=$(curl -sf --cacert "$ca" -X POST "$url/user/credentials/api/access_token" -H 'Content-Type: application/json' \
  -d @"$work/cred.json" | jq -r .access_token)
head -c 300000 /dev/urandom >"$work/one.bin"
r=$(curl -sf --cacert "$ca" -X POST "$url/user/data/upload" -H "Authorization: bearer $tok" \
  -H 'Content-Type: application/json' -d '{"file_name":"one.bin","authz":["/programs/p/projects/q"]}')
put_url=$(jq -r .url <<<"$r")
guid=$(jq -r .guid <<<"$r")
[[ $put_url == "$s3/"*X-Amz-Signature=* ]] || fail "the presigned upload URL is not on the https S3 endpoint: $put_url"
[ "$(curl -s --cacert "$ca" -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$work/one.bin" "$put_url")" = 200 ] ||
  fail "curl PUT to the presigned https URL"
get_url=$(curl -sf --cacert "$ca" "$url/user/data/download/$guid" -H "Authorization: bearer $tok" | jq -r .url)
[[ $get_url == "$url/"* ]] || fail "the signed download URL is not https: $get_url"
curl -sf --cacert "$ca" "$get_url" -o "$work/back.bin"
cmp -s "$work/one.bin" "$work/back.bin" || fail "bytes downloaded over https differ"
ok "presigned upload URL https://...S3 (curl --cacert PUT) and signed download URL https://... serve the bytes"

# ENCODE upload credentials with aws --ca-bundle and boto3 verify=.
post "$alice" experiment '{"lab":"lab-a","award":"U1","assay_term_name":"ChIP-seq","biosample_ontology":"k562","aliases":["lab-a:e1"]}' >/dev/null
head -c $((9 << 20)) /dev/urandom >"$work/big.bam"
rec=$(post "$alice" file "{\"lab\":\"lab-a\",\"award\":\"U1\",\"dataset\":\"lab-a:e1\",\"file_format\":\"bam\",\"output_type\":\"alignments\",\"md5sum\":\"$(md5sum <"$work/big.bam" | cut -d' ' -f1)\",\"file_size\":$(stat -c %s "$work/big.bam")}")
upload_url=$(jq -r '.["@graph"][0].upload_credentials.upload_url' <<<"$rec")
export AWS_ACCESS_KEY_ID=$(jq -r '.["@graph"][0].upload_credentials.access_key' <<<"$rec")
export AWS_SECRET_ACCESS_KEY=$(jq -r '.["@graph"][0].upload_credentials.secret_key' <<<"$rec")
export AWS_SESSION_TOKEN=$(jq -r '.["@graph"][0].upload_credentials.session_token' <<<"$rec")
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null
unset AWS_ENDPOINT_URL_S3
"$aws" --ca-bundle "$ca" --endpoint-url "$s3" s3 cp --no-progress "$work/big.bam" "$upload_url" >/dev/null ||
  fail "aws --ca-bundle s3 cp (multipart) over https"
if "$aws" --endpoint-url "$s3" s3 cp --no-progress "$work/big.bam" "$upload_url" >/dev/null 2>"$work/untrusted.err"; then
  fail "aws trusted the self-signed certificate without --ca-bundle"
fi
grep -qi "certificate\|SSL" "$work/untrusted.err" || fail "aws without the CA failed for another reason: $(cat "$work/untrusted.err")"
bucket_key=${upload_url#s3://}
"$python" - "$s3" "$ca" "${bucket_key%%/*}" "${bucket_key#*/}" "$work/big.bam" <<'PY' || fail "boto3 verify= over https"
import sys, boto3
from botocore.config import Config
endpoint, ca, bucket, key, path = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=endpoint, verify=ca, config=Config(s3={"addressing_style": "path"}))
data = open(path, "rb").read()
# The upload above filled the record, so its credentials are spent for writes (issue 9
# item 7); boto3 reads the object back over https instead.
assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(data)
got = s3.get_object(Bucket=bucket, Key=key, Range="bytes=100-")["Body"].read()
assert got == data[100:], "ranged GetObject over https returned other bytes"
PY
ok "aws --ca-bundle s3 cp (multipart) and boto3 verify= head_object + ranged get_object over https; no CA: refused"

# --s3-public-url: what clients are told, when a proxy fronts the listener.
kill $pid
wait $pid 2>/dev/null || true
"$dccd" serve "${common[@]}" --listen 127.0.0.1:0 --port-file "$work/port2" --tls-cert "$work/server.pem" \
  --tls-key "$work/server.key" --s3-listen 127.0.0.1:0 --s3-public-url https://s3.dcc.example.org/ >"$work/dccd2.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$work/port2" ] && break; sleep 0.1; done
url2="https://127.0.0.1:$(cat "$work/port2")"
tok=$(curl -sf --cacert "$ca" -X POST "$url2/user/credentials/api/access_token" -H 'Content-Type: application/json' \
  -d @"$work/cred.json" | jq -r .access_token)
put_url=$(curl -sf --cacert "$ca" -X POST "$url2/user/data/upload" -H "Authorization: bearer $tok" \
  -H 'Content-Type: application/json' -d '{"file_name":"two.bin","authz":["/programs/p/projects/q"]}' | jq -r .url)
[[ $put_url == https://s3.dcc.example.org/*X-Amz-Signature=* ]] || fail "--s3-public-url not used: $put_url"
ok "--s3-public-url names the S3 endpoint in presigned URLs"
echo "passed $passed"
