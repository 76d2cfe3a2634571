// Fuzz target: aws-chunked framing (common/aws_chunked), fed in pieces as a socket would
// deliver it. Signatures will not match; what is fuzzed is the framing before the check.
#include "common/aws_chunked.h"

#include "common/sigv4.h"
#include "fuzz/fuzz_target.h"

DCC_FUZZ_TARGET(aws_chunked) {
  static const std::string key = dcc::sigv4::SigningKey("secret", "20130524", "us-east-1", "s3");
  uint64_t written = 0;
  dcc::sigv4::AwsChunkedDecoder d(key, std::string(64, '0'), "20130524T000000Z",
                                  "20130524/us-east-1/s3/aws4_request",
                                  [&](const char*, size_t len) {
                                    written += len;
                                    return true;
                                  });
  // The first byte picks the piece size, so split headers and CRLFs are covered.
  size_t piece = size ? 1 + data[0] % 17 : 1;
  for (size_t at = size ? 1 : 0; at < size; at += piece) {
    if (!d.Feed(reinterpret_cast<const char*>(data + at), std::min(piece, size - at)).ok())
      return 0;
  }
  (void)d.Finish();
  if (written != d.decoded_bytes()) __builtin_trap();
  return 0;
}
