#include "server/auth/url_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

#include "common/hashing.h"
#include "common/sigv4.h"

namespace dcc::server {

namespace {

// The fields every signed download URL carries, in MAC order. The set is fixed here, by
// the signer: a request may carry nothing else.
constexpr std::array<const char*, 4> kFields = {"etag", "expires", "filename", "size"};

bool IsField(const std::string& name) {
  for (const char* f : kFields)
    if (name == f) return true;
  return false;
}

// "<decimal length>:<bytes>": no value can end early or run into the next, whatever
// bytes (newlines, '=', '&', NUL) it holds, so the encoding is injective.
void AppendField(std::string& out, const std::string& value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
}

}  // namespace

std::string UrlSigner::Mac(const std::string& path,
                           const std::map<std::string, std::string>& fields) const {
  // A version tag first, so no other input this key MACs can collide with this one.
  std::string input = "dcc-download-v2";
  AppendField(input, path);
  for (const char* f : kFields) {
    AppendField(input, f);
    AppendField(input, fields.at(f));
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &len);
  return ToHex(out, len);
}

std::string UrlSigner::Sign(const std::string& path, const SignedDownload& d) const {
  const std::map<std::string, std::string> fields = {{"etag", d.etag},
                                                     {"expires", std::to_string(d.expires)},
                                                     {"filename", d.filename},
                                                     {"size", std::to_string(d.size)}};
  std::string url = sigv4::UriEncode(path, true) + "?";
  for (const auto& [k, v] : fields) url += k + "=" + sigv4::UriEncode(v, false) + "&";
  return url + "signature=" + Mac(path, fields);
}

Result<SignedDownload> UrlSigner::Verify(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& query,
    int64_t now) const {
  std::map<std::string, std::string> fields;
  std::string signature;
  bool signed_url = false;
  for (const auto& [k, v] : query) {
    if (k == "signature") {
      if (signed_url)
        return Status::InvalidArgument("the download URL gives 'signature' twice", "signature");
      signed_url = true;
      signature = v;
      continue;
    }
    if (!IsField(k)) {
      return Status::InvalidArgument(
          "query parameter '" + k +
              "' is not part of the signed download URL; send the URL as issued",
          k);
    }
    if (!fields.emplace(k, v).second)
      return Status::InvalidArgument("the download URL gives '" + k + "' twice", k);
  }
  if (!signed_url)
    return Status::PermissionDenied(
        "this download URL is not signed; ask the record's @@download for one");
  for (const char* f : kFields) {
    if (!fields.count(f)) {
      return Status::PermissionDenied(
          std::string("the download URL lacks its signed '") + f +
          "' (URLs issued before the signing format changed are no longer valid; "
          "ask for a new one)");
    }
  }
  if (!sigv4::SignaturesEqual(signature, Mac(path, fields)))
    return Status::PermissionDenied("the download URL's signature does not match");
  SignedDownload d;
  d.filename = fields["filename"];
  d.etag = fields["etag"];
  try {
    size_t used = 0;
    d.expires = std::stoll(fields["expires"], &used);
    if (used != fields["expires"].size()) throw std::invalid_argument("trailing");
    d.size = std::stoull(fields["size"], &used);
    if (used != fields["size"].size()) throw std::invalid_argument("trailing");
  } catch (...) {
    // Only a URL this server signed gets here, and it signs numbers.
    return Status::PermissionDenied("the download URL's expiry or size is malformed");
  }
  if (now > d.expires)
    return Status::PermissionDenied("the download URL has expired; ask @@download for a new one");
  return d;
}

}  // namespace dcc::server
