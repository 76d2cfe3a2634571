// src/server/auth/s3_presign.h: presigned S3 URLs (SigV4 query auth, UNSIGNED-PAYLOAD)
// for dccd's own S3 endpoint, signed with temporary upload credentials, so that a client
// needs no AWS library to PUT bytes (fence's /user/data/upload and multipart URLs).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "server/auth/upload_credentials.h"

namespace dcc::server {

// "<endpoint>/<bucket>/<key>?<extra query>&X-Amz-...&X-Amz-Signature=...", valid
// `expires_in` seconds from `now`. `endpoint` is "http://host:port" of the S3 listener.
std::string PresignS3Url(const UploadCredentials& creds, const std::string& endpoint, const std::string& method,
                         const std::string& bucket, const std::string& key,
                         std::vector<std::pair<std::string, std::string>> extra_query, int64_t expires_in,
                         int64_t now);

}  // namespace dcc::server
