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
  // "<hex md5 of part md5s>-<parts>". Empty when no part size was given (a single PUT's
  // ETag is its md5) and for an empty stream.
  std::string s3_multipart_etag;
};

class MultiHasher {
 public:
  struct Options {
    // Also compute the multipart ETag for parts of this size (8 MiB is the AWS CLI's
    // default). 0: skip it, which saves a second md5 pass over every byte.
    uint64_t part_size = 0;
    // 2: hash md5 and crc32c on the caller's thread and sha1, sha256 (and the part md5s)
    // on a helper thread, for buffers of 256 KiB or more. md5 cannot be split, so this
    // roughly doubles throughput on a machine with a core to spare. 1: all inline.
    int lanes = 1;
    // Only md5 (sha1, sha256 and crc32c stay empty/zero): for bytes whose other digests
    // are computed later anyway, such as the parts of a multipart upload.
    bool md5_only = false;
  };
  MultiHasher() : MultiHasher(Options{}) {}
  explicit MultiHasher(Options options);
  // The multipart ETag for `part_size` parts, inline.
  explicit MultiHasher(uint64_t part_size) : MultiHasher(Options{part_size, 1}) {}
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
