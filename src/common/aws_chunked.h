// src/common/aws_chunked.h: decoding a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body
// ("aws-chunked"): `<hex size>;chunk-signature=<sig>\r\n<data>\r\n` ... ending with a
// zero-size chunk. Each chunk's signature chains from the previous one (the first from
// the request's seed signature) and is verified as the chunk ends. Streaming: memory
// stays constant whatever the chunk sizes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dcc/status.h"

namespace dcc::sigv4 {

class AwsChunkedDecoder {
 public:
  using Sink = std::function<bool(const char* data, size_t len)>;
  // `signing_key` is raw (sigv4::SigningKey); `scope` as in Credential::Scope().
  AwsChunkedDecoder(std::string signing_key, std::string seed_signature, std::string amz_date,
                    std::string scope, Sink out);
  ~AwsChunkedDecoder();
  // Decodes more of the encoded body. InvalidArgument for malformed framing,
  // PermissionDenied for a chunk whose signature does not match; the caller must then
  // discard what was written to the sink.
  Status Feed(const char* data, size_t len);
  // OK only if the final zero-size chunk arrived, verified, with nothing after it.
  Status Finish() const;
  uint64_t decoded_bytes() const { return decoded_; }

 private:
  Status EndChunk();
  enum class State { kHeader, kData, kDataEnd, kDone };
  struct Hash;
  std::string key_, previous_, amz_date_, scope_;
  Sink out_;
  State state_ = State::kHeader;
  std::string line_;       // header or CRLF being accumulated
  uint64_t remaining_ = 0; // data bytes left in the current chunk
  uint64_t chunk_size_ = 0;
  std::string chunk_signature_;
  std::unique_ptr<Hash> hash_;
  uint64_t decoded_ = 0;
};

}  // namespace dcc::sigv4
