"""boto3 (Debian's python3-boto3) and a CompleteMultipartUpload whose reply is lost: dccd
is killed inside the completion (DCC_TEST_CRASH_AT), restarted, and the same
complete_multipart_upload is sent again; it must answer the upload's ETag.
Credentials come from the AWS_* environment.
usage: s3_complete_retry.py start ENDPOINT s3://BUCKET/KEY FILE STATE
       s3_complete_retry.py retry ENDPOINT s3://BUCKET/KEY FILE STATE"""
import hashlib
import json
import sys

import boto3
import botocore.exceptions
from botocore.config import Config

step, endpoint, url, path, state_path = sys.argv[1:6]
bucket, key = url[len("s3://"):].split("/", 1)
# No retries of its own: the test decides when to send again.
s3 = boto3.client("s3", endpoint_url=endpoint,
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"},
                                connect_timeout=5, read_timeout=30))
data = open(path, "rb").read()
part_size = 5 << 20

if step == "start":
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)
    parts = []
    for i, start in enumerate(range(0, len(data), part_size), start=1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=i,
                              Body=data[start:start + part_size])["ETag"]
        parts.append({"PartNumber": i, "ETag": etag})
    json.dump({"UploadId": upload["UploadId"], "Parts": parts}, open(state_path, "w"))
    try:
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                                     MultipartUpload={"Parts": parts})
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        print("   boto3: the completion's reply was lost (%s)" % type(e).__name__)
        sys.exit(0)
    sys.exit("complete_multipart_upload answered although dccd was to die inside it")

state = json.load(open(state_path))
md5s = b"".join(bytes.fromhex(p["ETag"].strip('"')) for p in state["Parts"])
want = '"%s-%d"' % (hashlib.md5(md5s).hexdigest(), len(state["Parts"]))
done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=state["UploadId"],
                                    MultipartUpload={"Parts": state["Parts"]})
assert done["ETag"] == want, (done["ETag"], want)
assert done["Bucket"] == bucket and done["Key"] == key, done
again = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=state["UploadId"],
                                     MultipartUpload={"Parts": state["Parts"]})
assert again["ETag"] == want, again
got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
assert got == data, "the stored bytes differ from the upload"
# A completion of other bytes (a part list this upload never had) is refused.
try:
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=state["UploadId"],
                                 MultipartUpload={"Parts": state["Parts"][:1]})
    sys.exit("a completion with another part list succeeded on a filled record")
except botocore.exceptions.ClientError as e:
    code = e.response["Error"]["Code"]
    assert code in ("AccessDenied", "NoSuchUpload"), e.response
print("   boto3: the retried completion answered %s; the bytes match" % done["ETag"])
