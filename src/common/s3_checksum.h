// src/common/s3_checksum.h: the additional checksums S3 clients send with an upload
// (`x-amz-checksum-<algorithm>`, as a header or as an aws-chunked trailer): base64 of
// the big-endian digest. crc32 (zlib), crc32c (ISA-L, as the hashing engine), sha1 and
// sha256 (OpenSSL). crc64nvme is known but not computable with Debian 12's ISA-L (no
// crc64 NVMe polynomial), so it is refused with NotImplemented rather than unchecked.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "dcc/status.h"

namespace dcc {

class S3Checksum {
 public:
  // `header` is the lower-case header name, e.g. "x-amz-checksum-crc32c".
  // InvalidArgument ("s3:InvalidRequest") for a name S3 does not define,
  // InvalidArgument ("s3:NotImplemented") for crc64nvme.
  static Result<std::unique_ptr<S3Checksum>> For(const std::string& header);
  // True for the header names For() knows (crc64nvme included).
  static bool IsChecksumHeader(const std::string& header);
  virtual ~S3Checksum() = default;
  virtual void Update(const void* data, size_t len) = 0;
  // base64 of the digest of everything Update saw. REQUIRES: called once.
  virtual std::string Base64() = 0;
  const std::string& header() const { return header_; }

 protected:
  explicit S3Checksum(std::string header) : header_(std::move(header)) {}

 private:
  std::string header_;
};

}  // namespace dcc
