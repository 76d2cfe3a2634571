"""PutObject or UploadPart with an aws-chunked body ending in a checksum trailer, in the
shape newer AWS CLIs (>= 2.23) and SDKs send it and Debian's (2.9) cannot:
x-amz-content-sha256 STREAMING-UNSIGNED-PAYLOAD-TRAILER (botocore's AwsChunkedWrapper:
`<hex>\\r\\n<data>\\r\\n` ... `0\\r\\n<name>:<b64>\\r\\n\\r\\n`) or
STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (chunk signatures chained from the seed, then
`x-amz-trailer-signature`, as in the S3 API Reference's example). The headers are signed
by botocore's SigV4Auth; the body is framed here. Credentials come from the AWS_* environment.
usage: s3_trailer.py ENDPOINT s3://BUCKET/KEY FILE unsigned|signed ALGORITHM [bad] [PART_NUMBER UPLOAD_ID]
Prints "STATUS CODE-or-ETAG"."""
import base64
import hashlib
import hmac
import http.client
import os
import re
import sys
import urllib.parse
import zlib

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

endpoint, url, path, mode, algorithm, *rest = sys.argv[1:]
bad = bool(rest) and rest[0] == "bad"
rest = rest[1:] if bad else rest
bucket, key = url[len("s3://"):].split("/", 1)
data = open(path, "rb").read()

if algorithm == "crc32":
    digest = (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")
elif algorithm in ("sha1", "sha256"):
    digest = hashlib.new(algorithm, data).digest()
elif algorithm == "crc64nvme":
    digest = b"\0" * 8  # dccd refuses it before reading the body
else:
    sys.exit("s3_trailer.py: algorithm %s is not computed here" % algorithm)
checksum = base64.b64encode(digest).decode()
if bad:
    checksum = base64.b64encode(bytes(b ^ 0xFF for b in digest)).decode()
trailer_name = "x-amz-checksum-" + algorithm
content_sha = "STREAMING-UNSIGNED-PAYLOAD-TRAILER" if mode == "unsigned" else "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
target = "/%s/%s" % (bucket, urllib.parse.quote(key))
if rest:
    target += "?partNumber=%s&uploadId=%s" % (rest[0], rest[1])

creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                    os.environ.get("AWS_SESSION_TOKEN"))
region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
request = AWSRequest(method="PUT", url=endpoint + target, headers={
    "Content-Encoding": "aws-chunked",
    "X-Amz-Content-SHA256": content_sha,
    "X-Amz-Decoded-Content-Length": str(len(data)),
    "X-Amz-Trailer": trailer_name,
})
SigV4Auth(creds, "s3", region).add_auth(request)
amz_date = request.headers["X-Amz-Date"]
seed = re.search(r"Signature=([0-9a-f]{64})", request.headers["Authorization"]).group(1)
scope = "%s/%s/s3/aws4_request" % (amz_date[:8], region)


def hmac_sha256(k, msg):
    return hmac.new(k, msg.encode(), hashlib.sha256).digest()


signing_key = hmac_sha256(hmac_sha256(hmac_sha256(hmac_sha256(
    ("AWS4" + creds.secret_key).encode(), amz_date[:8]), region), "s3"), "aws4_request")
empty = hashlib.sha256(b"").hexdigest()
previous = seed
wire = bytearray()
size = 65536
pieces = [data[i:i + size] for i in range(0, len(data), size)] + [b""]
for piece in pieces:
    if mode == "signed":
        to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, empty,
                             hashlib.sha256(piece).hexdigest()])
        previous = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
        wire += ("%x;chunk-signature=%s\r\n" % (len(piece), previous)).encode()
    else:
        wire += ("%x\r\n" % len(piece)).encode()
    if piece:
        wire += piece + b"\r\n"
canonical = "%s:%s\n" % (trailer_name, checksum)
wire += canonical.replace("\n", "\r\n").encode()
if mode == "signed":
    to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    wire += ("x-amz-trailer-signature:%s\r\n" % hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()).encode()
wire += b"\r\n"

host = urllib.parse.urlsplit(endpoint)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
headers = dict(request.headers.items())
headers["Content-Length"] = str(len(wire))
conn.request("PUT", target, body=bytes(wire), headers=headers)
response = conn.getresponse()
body = response.read().decode(errors="replace")
code = re.search(r"<Code>([^<]*)</Code>", body)
print(response.status, code.group(1) if code else response.getheader("ETag", "").strip('"'))
