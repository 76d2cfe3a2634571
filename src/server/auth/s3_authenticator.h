// src/server/auth/s3_authenticator.h: who may do what on the S3 endpoint. Verifies a
// request's SigV4 signature (Authorization header or presigned query) with a temporary
// credential this server issued, and returns the grant it carries.
#pragma once

#include <cstdint>
#include <string>

#include "common/sigv4.h"
#include "server/auth/upload_credentials.h"
#include "server/http/http_types.h"

namespace dcc::server {

struct S3Caller {
  UploadGrant grant;
  sigv4::Credential credential;
  std::string signing_key;   // to verify aws-chunked chunk signatures
  std::string payload_hash;  // x-amz-content-sha256 as sent (header auth), else UNSIGNED-PAYLOAD
};

// Failures carry an S3 error code in `where` ("s3:SignatureDoesNotMatch", "s3:ExpiredToken",
// "s3:InvalidAccessKeyId", "s3:AccessDenied", "s3:RequestTimeTooSkewed",
// "s3:AuthorizationHeaderMalformed"); api/s3/wire.cc renders them.
Result<S3Caller> AuthenticateS3(const UploadCredentialIssuer& issuer, const HttpRequest& req,
                                int64_t now);

}  // namespace dcc::server
