// include/dcc/hash.h: digests of local files, as dcc records and verifies them.
//
// HashFile reads a file once and computes md5, sha1, sha256, crc32c and the S3 multipart
// ETag for a given part size, in constant memory, on two threads (md5 cannot be split,
// so one file uses about two cores); a regular file's ETag part md5s are hashed on a
// third, sixteen parts at a time on SIMD lanes, from a mapping of the file. Thread-safe:
// hash several files concurrently from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "dcc/status.h"

namespace dcc {

struct FileDigests {
  std::string path;
  uint64_t size = 0;
  std::string md5;        // lower-case hex
  std::string sha1;       // lower-case hex
  std::string sha256;     // lower-case hex
  std::string crc32c;     // base64 of the big-endian CRC, as S3 and tus send it
  // What S3 reports once the AWS CLI or boto3 uploads the file with part_size parts:
  // "<hex>-<parts>", or the md5 when the file is smaller than a part (a single PUT) or
  // part_size is 0.
  std::string s3_etag;
  uint64_t part_size = 0;
};

struct HashOptions {
  // The S3 multipart ETag's part size; 8 MiB is the AWS CLI's and boto3's default.
  // 0 skips it (the ETag is then the md5, as for a single PUT) and saves an md5 pass.
  uint64_t part_size = 8u << 20;
  // Bytes read per call; larger buffers cost memory, smaller ones more calls.
  size_t buffer_bytes = 4u << 20;
  // Called with bytes hashed so far, about every buffer; may be empty.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// NotFound if `path` does not exist; IOError (with the OS reason) if it cannot be read;
// InvalidArgument if it is a directory.
Result<FileDigests> HashFile(const std::string& path, const HashOptions& options = {});

}  // namespace dcc
