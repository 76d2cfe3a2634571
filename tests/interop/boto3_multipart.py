"""boto3 (Debian's python3-boto3) against dccd: a multipart upload in 5 MiB parts with
ListParts, CompleteMultipartUpload, then a ranged GetObject. Credentials come from the
AWS_* environment. usage: boto3_multipart.py ENDPOINT s3://BUCKET/KEY FILE"""
import hashlib
import sys

import boto3
from botocore.config import Config

endpoint, url, path = sys.argv[1:4]
bucket, key = url[len("s3://"):].split("/", 1)
s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
data = open(path, "rb").read()
part_size = 5 << 20
upload = s3.create_multipart_upload(Bucket=bucket, Key=key)
parts = []
for i, start in enumerate(range(0, len(data), part_size), start=1):
    chunk = data[start:start + part_size]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=i, Body=chunk)["ETag"]
    assert etag.strip('"') == hashlib.md5(chunk).hexdigest(), (etag, i)
    parts.append({"PartNumber": i, "ETag": etag})
listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload["UploadId"])["Parts"]
assert [p["PartNumber"] for p in listed] == [p["PartNumber"] for p in parts], listed
done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                                    MultipartUpload={"Parts": parts})
assert done["ETag"].strip('"').endswith("-%d" % len(parts)), done["ETag"]
got = s3.get_object(Bucket=bucket, Key=key, Range="bytes=1000-1999")
body = got["Body"].read()
assert got["ResponseMetadata"]["HTTPStatusCode"] == 206, got["ResponseMetadata"]
assert body == data[1000:2000], "ranged GET returned the wrong bytes"
head = s3.head_object(Bucket=bucket, Key=key)
assert head["ContentLength"] == len(data), head
print("   boto3: %d parts, ETag %s, ranged GET of 1000 bytes matches" % (len(parts), done["ETag"]))
