#include "server/auth/s3_authenticator.h"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace dcc::server {
namespace {

constexpr int64_t kMaxSkewSeconds = 15 * 60;  // S3's RequestTimeTooSkewed limit
constexpr int64_t kMaxPresignSeconds = 7 * 24 * 3600;

// "20130524T000000Z" -> seconds since the epoch, or -1.
int64_t ParseAmzDate(const std::string& s) {
  std::tm tm{};
  if (s.size() != 16 || !strptime(s.c_str(), "%Y%m%dT%H%M%SZ", &tm)) return -1;
  return static_cast<int64_t>(timegm(&tm));
}

Status Fail(Status::Code code, const std::string& msg, const std::string& s3_code) {
  switch (code) {
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(msg, "s3:" + s3_code);
    case Status::Code::kUnauthenticated: return Status::PermissionDenied(msg, "s3:" + s3_code);
    default: return Status::PermissionDenied(msg, "s3:" + s3_code);
  }
}

}  // namespace

Result<S3Caller> AuthenticateS3(const UploadCredentialIssuer& issuer, const HttpRequest& req,
                                int64_t now) {
  sigv4::Request sreq;
  sreq.method = req.method;
  sreq.path = req.path;
  sreq.query = req.query;
  for (const auto& [k, v] : req.headers) {
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    sreq.headers[name] = v;
  }
  const bool presigned = req.HasQuery("X-Amz-Algorithm");
  if (!presigned && req.Header("Authorization").empty())
    return Fail(Status::Code::kUnauthenticated, "anonymous access is not allowed; sign with the upload credentials", "AccessDenied");
  auto parsed = presigned ? sigv4::ParsePresigned(sreq) : sigv4::ParseAuthorization(sreq);
  if (!parsed.ok()) return Fail(parsed.status().code(), parsed.status().message(), "AuthorizationHeaderMalformed");
  S3Caller c;
  c.credential = std::move(parsed).value();
  const int64_t signed_at = ParseAmzDate(c.credential.amz_date);
  if (signed_at < 0 || c.credential.amz_date.substr(0, 8) != c.credential.date)
    return Fail(Status::Code::kInvalidArgument, "X-Amz-Date '" + c.credential.amz_date + "' is malformed or does not match the credential date", "AuthorizationHeaderMalformed");
  if (presigned) {
    if (c.credential.expires < 1 || c.credential.expires > kMaxPresignSeconds)
      return Fail(Status::Code::kInvalidArgument, "X-Amz-Expires must be 1 to 604800 seconds", "AuthorizationQueryParametersError");
    if (now > signed_at + c.credential.expires)
      return Fail(Status::Code::kUnauthenticated, "the presigned URL has expired", "AccessDenied");
    c.payload_hash = sigv4::kUnsignedPayload;
  } else {
    if (std::llabs(now - signed_at) > kMaxSkewSeconds)
      return Fail(Status::Code::kUnauthenticated, "the request was signed more than 15 minutes from the server's time", "RequestTimeTooSkewed");
    c.payload_hash = req.Header("x-amz-content-sha256");
    if (c.payload_hash.empty())
      return Fail(Status::Code::kInvalidArgument, "missing required header x-amz-content-sha256", "InvalidRequest");
  }
  auto verified = issuer.Verify(c.credential.access_key, c.credential.security_token, now);
  if (!verified.ok()) {
    const std::string& m = verified.status().message();
    return Fail(Status::Code::kUnauthenticated, m,
                m.find("expired") != std::string::npos ? "ExpiredToken" : "InvalidAccessKeyId");
  }
  c.grant = verified->grant;
  c.signing_key = sigv4::SigningKey(verified->secret_key, c.credential.date, c.credential.region,
                                    c.credential.service);
  std::string canonical = sigv4::CanonicalRequest(sreq, c.credential.signed_headers, c.payload_hash);
  std::string expected = sigv4::Signature(
      c.signing_key, sigv4::StringToSign(c.credential.amz_date, c.credential.Scope(), canonical));
  if (!sigv4::SignaturesEqual(expected, c.credential.signature))
    return Fail(Status::Code::kUnauthenticated, "the request signature does not match; check the secret key and signing method", "SignatureDoesNotMatch");
  return c;
}

}  // namespace dcc::server
