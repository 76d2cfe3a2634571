// src/server/auth/upload_credentials.h: temporary S3 credentials scoped to one object key,
// as the reference portal issues through AWS STS (encode.md §2.12): an access key, a
// secret and a session token that may write one key until they expire.
//
// Nothing is stored per credential. The secret is derived from the server key
// (HMAC(server key, access key)), and the session token is a signed statement of the
// grant, so any dccd holding the same server key can verify them.
#pragma once

#include <cstdint>
#include <string>

#include "dcc/status.h"

namespace dcc::server {

// What a credential allows: writing `key` in `bucket`, for the file record `file_uuid`,
// until `expires` (seconds since the epoch).
struct UploadGrant {
  std::string bucket;
  std::string key;
  std::string file_uuid;
  int64_t expires = 0;
};

struct UploadCredentials {
  std::string access_key;     // "ASIA" + 16 upper-case base32 characters, like AWS STS keys
  std::string secret_key;     // 40 characters
  std::string session_token;  // the signed grant
  std::string expiration;     // ISO-8601 UTC
  std::string upload_url;     // "s3://<bucket>/<key>"
};

// Thread-safe (immutable after construction).
class UploadCredentialIssuer {
 public:
  // REQUIRES: `server_key` is at least 32 random bytes.
  explicit UploadCredentialIssuer(std::string server_key);
  UploadCredentials Issue(const UploadGrant& grant) const;

  struct Verified {
    UploadGrant grant;
    std::string secret_key;  // to check the request's SigV4 signature with
  };
  // Checks that `session_token` is one this server signed, for `access_key`, and unexpired
  // at `now` (seconds since the epoch). Unauthenticated otherwise (the message says which).
  Result<Verified> Verify(const std::string& access_key, const std::string& session_token,
                          int64_t now) const;

 private:
  std::string Mac(const std::string& purpose, const std::string& data) const;
  std::string server_key_;
};

// Loads `<data dir>/server.key`, creating it (32 random bytes, mode 0600) if absent.
Result<std::string> LoadOrCreateServerKey(const std::string& data_dir);

}  // namespace dcc::server
