// src/server/auth/url_signer.h: expiring signed URLs for blob downloads. The signature is
// an HMAC (server key) over the path and the parameters it covers, so a URL cannot be
// extended, redirected to another blob, or renamed.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "dcc/status.h"

namespace dcc::server {

// Thread-safe (immutable).
class UrlSigner {
 public:
  explicit UrlSigner(std::string server_key) : key_(std::move(server_key)) {}
  // "<path>?<params>&expires=<epoch>&signature=<hex>", params sorted and URI-encoded.
  std::string Sign(const std::string& path, std::map<std::string, std::string> params,
                   int64_t expires) const;
  // PermissionDenied if the signature is wrong or missing, or the URL expired at `now`.
  Status Verify(const std::string& path, const std::map<std::string, std::string>& params,
                int64_t now) const;

 private:
  std::string Mac(const std::string& path, const std::map<std::string, std::string>& params) const;
  std::string key_;
};

}  // namespace dcc::server
