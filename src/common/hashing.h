// src/common/hashing.h: every digest dcc records, computed in one streaming pass.
//
// MultiHasher feeds each buffer to md5, sha1, sha256 (OpenSSL EVP, which uses SHA-NI
// where the CPU has it), crc32c (ISA-L, hardware CRC) and the S3 multipart ETag
// (md5 of the concatenated part md5s, for a given part size). Memory is constant in the
// input size. Not thread-safe: one hasher per stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace dcc {

struct Digests {
  uint64_t size = 0;
  std::string md5;      // lower-case hex
  std::string sha1;     // lower-case hex
  std::string sha256;   // lower-case hex
  uint32_t crc32c = 0;  // Castagnoli CRC (as in S3 x-amz-checksum-crc32c, big-endian)
  // S3's ETag had the stream been sent as a multipart upload of `part_size` parts:
  // "<hex md5 of part md5s>-<parts>"; for an empty stream, the md5 of nothing with "-0"
  // is not an S3 value, so it is left empty.
  std::string s3_multipart_etag;
};

class MultiHasher {
 public:
  // `part_size` decides the multipart ETag only; 8 MiB is the AWS CLI's default.
  explicit MultiHasher(uint64_t part_size = 8u << 20);
  ~MultiHasher();
  MultiHasher(const MultiHasher&) = delete;
  MultiHasher& operator=(const MultiHasher&) = delete;

  void Update(const void* data, size_t len);
  // Finishes every digest. REQUIRES: called once; Update is not called afterwards.
  Digests Finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Lower-case hex of `len` bytes.
std::string ToHex(const unsigned char* data, size_t len);
// Standard base64 (with padding) of `len` bytes.
std::string ToBase64(const unsigned char* data, size_t len);
// The base64 of the bytes a lower-case hex string spells ("" if it is not hex).
std::string HexToBase64(const std::string& hex);
// crc32c as S3 and tus send it: base64 of its 4 big-endian bytes.
std::string Crc32cBase64(uint32_t crc);
// The md5 of one buffer, as raw bytes.
std::string Md5Raw(const void* data, size_t len);

}  // namespace dcc
