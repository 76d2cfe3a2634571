#include "common/s3_checksum.h"

#include <isa-l/crc.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>

#include "common/hashing.h"

namespace dcc {
namespace {

constexpr const char* kPrefix = "x-amz-checksum-";

std::string BigEndianBase64(uint32_t v) {
  return Crc32cBase64(v);  // any 32-bit value: base64 of its 4 big-endian bytes
}

class Crc32 : public S3Checksum {
 public:
  explicit Crc32(std::string header) : S3Checksum(std::move(header)) {}
  void Update(const void* data, size_t len) override {
    auto p = static_cast<const Bytef*>(data);
    for (size_t off = 0; off < len;) {  // zlib takes a uInt length
      size_t n = std::min<size_t>(len - off, 1u << 30);
      crc_ = crc32(crc_, p + off, static_cast<uInt>(n));
      off += n;
    }
  }
  std::string Base64() override { return BigEndianBase64(static_cast<uint32_t>(crc_)); }

 private:
  uLong crc_ = crc32(0L, Z_NULL, 0);
};

class Crc32c : public S3Checksum {
 public:
  explicit Crc32c(std::string header) : S3Checksum(std::move(header)) {}
  void Update(const void* data, size_t len) override {
    auto p = static_cast<unsigned char*>(const_cast<void*>(data));
    for (size_t off = 0; off < len;) {  // ISA-L takes an int length
      size_t n = std::min<size_t>(len - off, 1u << 30);
      crc_ = crc32_iscsi(p + off, static_cast<int>(n), crc_);
      off += n;
    }
  }
  // ISA-L convention, as in MultiHasher: seed all ones, invert at the end.
  std::string Base64() override { return BigEndianBase64(~crc_); }

 private:
  uint32_t crc_ = 0xffffffffu;
};

class Evp : public S3Checksum {
 public:
  Evp(std::string header, const EVP_MD* md)
      : S3Checksum(std::move(header)), ctx_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(ctx_, md, nullptr);
  }
  ~Evp() override { EVP_MD_CTX_free(ctx_); }
  void Update(const void* data, size_t len) override { EVP_DigestUpdate(ctx_, data, len); }
  std::string Base64() override {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, out, &len);
    return ToBase64(out, len);
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

bool S3Checksum::IsChecksumHeader(const std::string& h) {
  return h == "x-amz-checksum-crc32" || h == "x-amz-checksum-crc32c" ||
         h == "x-amz-checksum-sha1" || h == "x-amz-checksum-sha256" ||
         h == "x-amz-checksum-crc64nvme";
}

Result<std::unique_ptr<S3Checksum>> S3Checksum::For(const std::string& h) {
  if (h == "x-amz-checksum-crc32") return std::unique_ptr<S3Checksum>(new Crc32(h));
  if (h == "x-amz-checksum-crc32c") return std::unique_ptr<S3Checksum>(new Crc32c(h));
  if (h == "x-amz-checksum-sha1") return std::unique_ptr<S3Checksum>(new Evp(h, EVP_sha1()));
  if (h == "x-amz-checksum-sha256") return std::unique_ptr<S3Checksum>(new Evp(h, EVP_sha256()));
  if (h == "x-amz-checksum-crc64nvme")
    return Status::InvalidArgument(
        "x-amz-checksum-crc64nvme is not supported by this server; use crc32, crc32c, sha1 or "
        "sha256 "
        "(AWS CLI/SDK: request_checksum_calculation=when_required, or --checksum-algorithm CRC32C)",
        "s3:NotImplemented");
  return Status::InvalidArgument("'" + h.substr(0, 64) + "' is not an S3 checksum (expected " +
                                     kPrefix + "crc32, crc32c, sha1, sha256 or crc64nvme)",
                                 "s3:InvalidRequest");
}

}  // namespace dcc
