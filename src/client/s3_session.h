// src/client/s3_session.h: one SigV4-signed S3 request at a time on a reusable libcurl
// handle, for an object named by bucket and key. Shared by uploads (the portal's
// multipart upload) and s3:// sources (HEAD and ranged GETs of the object to read).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dcc/status.h"

namespace dcc::client {

struct S3Credentials {
  std::string access_key, secret_key;
  std::string token;  // session token; empty for long-term keys (no x-amz-security-token)
  std::string bucket, key;
};

class S3Session {
 public:
  S3Session(std::string endpoint, S3Credentials c);
  ~S3Session();
  S3Session(const S3Session&) = delete;
  S3Session& operator=(const S3Session&) = delete;

  struct Reply {
    long status = 0;
    std::string body;
    std::string etag;
    uint64_t content_length = 0;  // from the Content-Length header (HEAD's object size)
  };

  // `extra_headers` are sent unsigned (e.g. "Range: bytes=0-99"). A HEAD reads no body.
  // With `out`, a 2xx body is written there (at most out_len bytes, else IOError; the count
  // is Reply::content_length) instead of into Reply::body, so no copy is made.
  Result<Reply> Send(const std::string& method, const std::vector<std::pair<std::string, std::string>>& query,
                     const char* body, size_t len, const std::vector<std::string>& extra_headers = {},
                     char* out = nullptr, size_t out_len = 0);
  // GET bytes [offset, offset+len) of the object into `out`: exactly len bytes (IOError
  // otherwise), or the non-2xx reply for S3Error.
  Result<Reply> GetRange(uint64_t offset, size_t len, char* out);

  const S3Credentials& credentials() const { return c_; }

 private:
  std::string endpoint_;
  S3Credentials c_;
  CURL* curl_;
};

// The first <tag>…</tag> value in an S3 XML reply, searching from `from`.
std::string XmlValue(const std::string& xml, const std::string& tag, size_t from = 0);
// An S3 error reply as a Status: 403 PermissionDenied, 404 NotFound, ExpiredToken
// Unauthenticated, 5xx Unavailable, else IOError; `what` says which request.
Status S3Error(const S3Session::Reply& r, const std::string& what);

}  // namespace dcc::client
