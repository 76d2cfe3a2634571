#!/usr/bin/env python3
"""Issue 9 item 6: every ranged GET applied the Range twice (our handler served the range,
then cpp-httplib cut it again): `curl -r 100-` got two Content-Range headers and a body
100 bytes short; `-r N-` near the end announced Content-Length 2^64-x; boto3 download_file
failed on its last `bytes=N-` part. Each form is checked with curl and boto3, comparing
bytes, on S3 GetObject and on the signed /_blobs/ URL.

usage: ranges_once.py LOCAL_FILE S3_ENDPOINT BUCKET KEY BLOB_URL [CA_BUNDLE]
(the AWS_* credentials in the environment may read BUCKET/KEY)
"""
import os
import subprocess
import sys
import tempfile

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def curl(url, range_header, ca):
    """(status, headers as a list of (lower name, value), body) of one GET with curl."""
    with tempfile.NamedTemporaryFile() as hdr, tempfile.NamedTemporaryFile() as out:
        cmd = ["curl", "-s", "-D", hdr.name, "-o", out.name, "-H", "Range: " + range_header, url]
        if ca:
            cmd[1:1] = ["--cacert", ca]
        subprocess.run(cmd, check=True)
        lines = open(hdr.name, "rb").read().decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:] if line)]
        return status, headers, open(out.name, "rb").read()


def expected(data, spec):
    """(status, body) the RFC asks for; for a multi-range, None (checked separately)."""
    size = len(data)
    r = spec[len("bytes="):]
    if "," in r:
        return None
    a, _, b = r.partition("-")
    if a == "":
        n = min(int(b), size)
        return 206, data[size - n:]
    first = int(a)
    if first >= size:
        return 416, None
    last = min(int(b), size - 1) if b else size - 1
    return 206, data[first:last + 1]


def check(where, spec, data, status, headers, body):
    want = expected(data, spec)
    ranges = [v for k, v in headers if k == "content-range"]
    lengths = [v for k, v in headers if k == "content-length"]
    if len(ranges) > 1:
        fail(f"{where} {spec}: {len(ranges)} Content-Range headers {ranges}")
    if status in (200, 206) and lengths and int(lengths[0]) != len(body):
        fail(f"{where} {spec}: Content-Length {lengths[0]} but {len(body)} bytes")
    if want is None:  # multi-range: the whole object, or one range with its own bytes
        if status == 200 and body == data:
            return
        if status == 206 and len(ranges) == 1:
            first, last = (int(x) for x in ranges[0].split()[1].split("/")[0].split("-"))
            if body == data[first:last + 1]:
                return
        fail(f"{where} {spec}: {status} {ranges} with {len(body)} bytes is not the whole object nor one range")
    if status != want[0]:
        fail(f"{where} {spec}: status {status}, expected {want[0]}")
    if status == 206:
        if body != want[1]:
            fail(f"{where} {spec}: wrong bytes ({len(body)} bytes, expected {len(want[1])})")
        first = len(data) - len(want[1]) if spec.startswith("bytes=-") else int(spec[6:].split("-")[0])
        if ranges != [f"bytes {first}-{first + len(want[1]) - 1}/{len(data)}"]:
            fail(f"{where} {spec}: Content-Range {ranges}")


def main():
    local, endpoint, bucket, key, blob_url = sys.argv[1:6]
    ca = sys.argv[6] if len(sys.argv) > 6 else None
    data = open(local, "rb").read()
    size = len(data)
    specs = ["bytes=100-199", "bytes=100-", f"bytes={size - 10}-", "bytes=-100", f"bytes=-{size + 5}",
             f"bytes={size - 5}-{size + 100}", f"bytes={size}-", f"bytes={size + 1000}-",
             "bytes=0-9,20-29"]
    s3 = boto3.client("s3", endpoint_url=endpoint, verify=ca if ca else None,
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
    for spec in specs:
        for where, url in (("S3 GetObject (curl)", get_url), ("/_blobs/ (curl)", blob_url)):
            check(where, spec, data, *curl(url, spec, ca))
        try:
            r = s3.get_object(Bucket=bucket, Key=key, Range=spec)
            body = r["Body"].read()
            headers = [(k.lower(), v) for k, v in r["ResponseMetadata"]["HTTPHeaders"].items()]
            check("S3 GetObject (boto3)", spec, data, r["ResponseMetadata"]["HTTPStatusCode"], headers, body)
        except ClientError as e:
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            if expected(data, spec) != (416, None) or status != 416:
                fail(f"boto3 get_object {spec}: {e}")
        print(f"   {spec}: right with curl on both URLs and boto3")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "back")
        # Small parts so that the transfer makes many ranged GETs, the last one `bytes=N-`.
        config = TransferConfig(multipart_threshold=1 << 20, multipart_chunksize=1 << 20, max_concurrency=4)
        s3.download_file(bucket, key, out, Config=config)
        if open(out, "rb").read() != data:
            fail("boto3 download_file: the bytes differ")
    print(f"   boto3 download_file in 1 MiB ranged parts: {size} bytes identical")


if __name__ == "__main__":
    main()
