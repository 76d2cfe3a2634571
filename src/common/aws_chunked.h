// src/common/aws_chunked.h: decoding an "aws-chunked" body, in the three streaming
// payload modes S3 clients use:
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD          `<hex size>;chunk-signature=<sig>\r\n<data>\r\n`
//                                               ... ending with a zero-size chunk;
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  the same, then trailer lines
//                                               (`x-amz-checksum-crc32c:<b64>\r\n`) and
//                                               `x-amz-trailer-signature:<sig>\r\n\r\n`;
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER          `<hex size>\r\n<data>\r\n` chunks without
//                                               signatures, then the trailer lines, unsigned.
// Each chunk's signature chains from the previous one (the first from the request's seed
// signature) and is verified as the chunk ends; the trailer signature chains from the
// final chunk's. The checksum the request declared in `x-amz-trailer` is computed over
// the decoded bytes and compared with the trailer's value (BadDigest on a mismatch).
// Streaming: memory stays constant whatever the chunk sizes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dcc/status.h"

namespace dcc {
class S3Checksum;
}

namespace dcc::sigv4 {

struct AwsChunkedOptions {
  bool signed_chunks = true;  // false for STREAMING-UNSIGNED-PAYLOAD-TRAILER
  // The request's x-amz-trailer value (e.g. "x-amz-checksum-crc32"): the one trailer the
  // body must end with, whose checksum is verified. Empty: no trailer is allowed.
  std::string trailer;
};

class AwsChunkedDecoder {
 public:
  using Sink = std::function<bool(const char* data, size_t len)>;
  // `signing_key` is raw (sigv4::SigningKey); `scope` as in Credential::Scope(). Both are
  // unused for unsigned chunks.
  AwsChunkedDecoder(std::string signing_key, std::string seed_signature, std::string amz_date,
                    std::string scope, Sink out, AwsChunkedOptions options = {});
  ~AwsChunkedDecoder();
  // Decodes more of the encoded body. InvalidArgument ("s3:IncompleteBody",
  // "s3:MalformedTrailerError", or from S3Checksum::For) for malformed framing or an
  // unusable trailer; PermissionDenied ("s3:SignatureDoesNotMatch") for a chunk or
  // trailer whose signature does not match; ChecksumMismatch ("s3:BadDigest") for a
  // trailing checksum that differs from the bytes. The caller must then discard what
  // was written to the sink.
  Status Feed(const char* data, size_t len);
  // OK only if the final zero-size chunk and the declared trailer arrived, verified,
  // with nothing after them.
  Status Finish();
  uint64_t decoded_bytes() const { return decoded_; }

 private:
  Status Header(const std::string& line);
  Status EndChunk();
  Status TrailerLine(const std::string& line);
  Status EndTrailer();
  enum class State { kHeader, kData, kDataEnd, kTrailer, kDone };
  struct Hash;
  std::string key_, previous_, amz_date_, scope_;
  Sink out_;
  AwsChunkedOptions options_;
  Status init_;  // why the declared trailer cannot be checked, if it cannot
  std::unique_ptr<S3Checksum> checksum_;
  State state_ = State::kHeader;
  std::string line_;        // header, CRLF or trailer line being accumulated
  uint64_t remaining_ = 0;  // data bytes left in the current chunk
  uint64_t chunk_size_ = 0;
  std::string chunk_signature_;
  std::unique_ptr<Hash> hash_;
  uint64_t decoded_ = 0;
  size_t trailer_bytes_ = 0;
  std::string trailer_value_, trailer_signature_, canonical_trailer_;
  bool trailer_seen_ = false;
};

}  // namespace dcc::sigv4
