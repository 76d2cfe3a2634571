// src/common/sigv4.h: AWS Signature Version 4 for S3, written by hand on OpenSSL HMAC
// because no Debian-packaged C/C++ library offers it. Pure functions: the server uses
// them to verify requests (header auth, presigned URLs, aws-chunked payloads) and the
// client to sign. Tested against the AWS-published S3 examples (sigv4_test.cc).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dcc/status.h"

namespace dcc::sigv4 {

inline constexpr const char* kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr const char* kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The parts of a request that are signed.
struct Request {
  std::string method;
  std::string path;  // decoded, e.g. "/bucket/a b.txt"; signed re-encoded, as S3 does
  std::vector<std::pair<std::string, std::string>> query;  // decoded names and values
  std::map<std::string, std::string> headers;              // lower-case names
};

// The credential scope and claims of a signed request.
struct Credential {
  std::string access_key;
  std::string date;     // YYYYMMDD
  std::string region;   // e.g. "us-east-1"
  std::string service;  // "s3"
  std::string amz_date;  // YYYYMMDDTHHMMSSZ
  std::vector<std::string> signed_headers;  // lower-case, sorted
  std::string signature;                    // lower-case hex
  std::string security_token;               // X-Amz-Security-Token, if any
  long expires = 0;                         // presigned URLs: X-Amz-Expires seconds
  std::string Scope() const { return date + "/" + region + "/" + service + "/aws4_request"; }
};

// RFC 3986 encoding as S3 wants it: unreserved characters kept, everything else %XX
// (upper-case); '/' kept when `keep_slash`.
std::string UriEncode(const std::string& s, bool keep_slash);

// Parses `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
// plus the x-amz-date and x-amz-security-token headers. InvalidArgument names what is
// malformed; Unauthenticated for another algorithm.
Result<Credential> ParseAuthorization(const Request& req);
// Parses presigned-URL query auth (X-Amz-Algorithm, -Credential, -Date, -Expires,
// -SignedHeaders, -Signature, -Security-Token).
Result<Credential> ParsePresigned(const Request& req);

// The canonical request. `payload_hash` is the hex SHA-256 of the body, or
// UNSIGNED-PAYLOAD, or the streaming marker. Presigned requests exclude X-Amz-Signature.
std::string CanonicalRequest(const Request& req, const std::vector<std::string>& signed_headers,
                             const std::string& payload_hash);
std::string StringToSign(const std::string& amz_date, const std::string& scope,
                         const std::string& canonical_request);
// kSigning = HMAC chain over "AWS4" + secret, date, region, service, "aws4_request" (raw).
std::string SigningKey(const std::string& secret, const std::string& date,
                       const std::string& region, const std::string& service);
// Lower-case hex HMAC-SHA256 of `string_to_sign` under `signing_key`.
std::string Signature(const std::string& signing_key, const std::string& string_to_sign);
// The string to sign for one aws-chunked chunk, chained from the previous signature.
std::string ChunkStringToSign(const std::string& amz_date, const std::string& scope,
                              const std::string& previous_signature,
                              const std::string& chunk_sha256_hex);

// Lower-case hex SHA-256 of a buffer.
std::string Sha256Hex(const std::string& data);
// Constant-time equality of two signatures.
bool SignaturesEqual(const std::string& a, const std::string& b);

}  // namespace dcc::sigv4
