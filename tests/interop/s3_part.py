"""One S3 multipart step with boto3 (Debian's python3-boto3) against dccd, for shell tests
that check what dccd keeps between steps. Credentials come from the AWS_* environment.
usage: s3_part.py ENDPOINT s3://BUCKET/KEY create
       s3_part.py ENDPOINT s3://BUCKET/KEY put UPLOAD_ID PART_NUMBER FILE OFFSET LENGTH  (prints the ETag)
       s3_part.py ENDPOINT s3://BUCKET/KEY list UPLOAD_ID                 (prints "number etag size" lines)
       s3_part.py ENDPOINT s3://BUCKET/KEY complete UPLOAD_ID NUMBER:ETAG...
A refused request prints "error CODE: MESSAGE" and exits 3."""
import sys

import boto3
import botocore.exceptions
from botocore.config import Config

endpoint, url, step, *args = sys.argv[1:]
bucket, key = url[len("s3://"):].split("/", 1)
s3 = boto3.client("s3", endpoint_url=endpoint,
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
try:
    if step == "create":
        print(s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    elif step == "put":
        upload_id, number, path, offset, length = args
        with open(path, "rb") as f:
            f.seek(int(offset))
            body = f.read(int(length))
        print(s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=int(number),
                             Body=body)["ETag"].strip('"'))
    elif step == "list":
        for p in s3.list_parts(Bucket=bucket, Key=key, UploadId=args[0]).get("Parts", []):
            print(p["PartNumber"], p["ETag"].strip('"'), p["Size"])
    elif step == "complete":
        parts = [{"PartNumber": int(a.split(":")[0]), "ETag": '"%s"' % a.split(":")[1]} for a in args[1:]]
        print(s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=args[0],
                                           MultipartUpload={"Parts": parts})["ETag"].strip('"'))
    else:
        sys.exit("s3_part.py: unknown step '%s'" % step)
except botocore.exceptions.ClientError as e:
    print("error %s: %s" % (e.response["Error"]["Code"], e.response["Error"].get("Message", "")))
    sys.exit(3)
