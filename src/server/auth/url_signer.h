// src/server/auth/url_signer.h: expiring signed URLs for blob downloads. The signature is
// an HMAC (server key) over a canonical, injective encoding of the path and of a fixed
// set of fields (docs/fence.md "Signed download URLs"), so a URL cannot be extended,
// redirected to another blob, or renamed, and a request carrying any parameter the
// signer did not sign is refused.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dcc/status.h"

namespace dcc::server {

// What a signed download URL carries besides its path; every field is signed.
struct SignedDownload {
  std::string filename;  // Content-Disposition name
  std::string etag;      // md5 of the bytes, sent as ETag
  uint64_t size = 0;
  int64_t expires = 0;  // seconds since the epoch
};

// Thread-safe (immutable).
class UrlSigner {
 public:
  explicit UrlSigner(std::string server_key) : key_(std::move(server_key)) {}
  // "<path>?etag=..&expires=..&filename=..&size=..&signature=<hex>", URI-encoded.
  std::string Sign(const std::string& path, const SignedDownload& fields) const;
  // The signed fields of a request for `path` with `query` (decoded, in received order).
  // InvalidArgument for a parameter that is not one of the signed fields, or one given
  // twice; PermissionDenied if a field or the signature is missing or wrong, or the URL
  // expired at `now`.
  Result<SignedDownload> Verify(const std::string& path,
                                const std::vector<std::pair<std::string, std::string>>& query,
                                int64_t now) const;

 private:
  std::string Mac(const std::string& path, const std::map<std::string, std::string>& fields) const;
  std::string key_;
};

}  // namespace dcc::server
