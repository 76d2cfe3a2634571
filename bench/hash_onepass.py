"""The Python peer for `dcc hash`: md5, sha1, sha256 and crc32 in one pass, as a script
written with the standard library would do it. usage: hash_onepass.py FILE"""
import hashlib
import sys
import zlib

md5, sha1, sha256, crc = hashlib.md5(), hashlib.sha1(), hashlib.sha256(), 0
with open(sys.argv[1], "rb") as f:
    while True:
        block = f.read(4 << 20)
        if not block:
            break
        md5.update(block)
        sha1.update(block)
        sha256.update(block)
        crc = zlib.crc32(block, crc)
print(md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), "%08x" % crc)
