#include "server/auth/url_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/hashing.h"
#include "common/sigv4.h"

namespace dcc::server {

std::string UrlSigner::Mac(const std::string& path, const std::map<std::string, std::string>& params) const {
  std::string input = "download\n" + path;
  for (const auto& [k, v] : params)
    if (k != "signature") input += "\n" + k + "=" + v;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &len);
  return ToHex(out, len);
}

std::string UrlSigner::Sign(const std::string& path, std::map<std::string, std::string> params,
                            int64_t expires) const {
  params["expires"] = std::to_string(expires);
  std::string sig = Mac(path, params);
  std::string url = sigv4::UriEncode(path, true) + "?";
  for (const auto& [k, v] : params) url += sigv4::UriEncode(k, false) + "=" + sigv4::UriEncode(v, false) + "&";
  return url + "signature=" + sig;
}

Status UrlSigner::Verify(const std::string& path, const std::map<std::string, std::string>& params,
                         int64_t now) const {
  auto sig = params.find("signature");
  auto exp = params.find("expires");
  if (sig == params.end() || exp == params.end())
    return Status::PermissionDenied("this download URL is not signed; ask the record's @@download for one");
  if (!sigv4::SignaturesEqual(sig->second, Mac(path, params)))
    return Status::PermissionDenied("the download URL's signature does not match");
  int64_t expires = 0;
  try {
    expires = std::stoll(exp->second);
  } catch (...) {
    return Status::PermissionDenied("the download URL's expiry is malformed");
  }
  if (now > expires) return Status::PermissionDenied("the download URL has expired; ask @@download for a new one");
  return Status::Ok();
}

}  // namespace dcc::server
