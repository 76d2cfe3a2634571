#include "server/auth/authenticator.h"

#include <sodium.h>

#include "server/auth/secret_hash.h"
#include "server/auth/token_service.h"

namespace dcc::server {
namespace {
// How long a verified key is trusted without re-reading the store. A revoked key stops
// working within this time.
constexpr std::chrono::seconds kCacheTtl(60);
}  // namespace

Authenticator::Authenticator(RecordStore& store) : store_(store) {
  if (sodium_init() < 0) std::abort();
  randombytes_buf(cache_key_, sizeof cache_key_);
}

Authenticator::~Authenticator() { sodium_memzero(cache_key_, sizeof cache_key_); }

std::string Authenticator::Digest(const std::string& key_id, const std::string& secret) const {
  std::string input = key_id + ":" + secret;
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), cache_key_, sizeof cache_key_);
  sodium_memzero(input.data(), input.size());
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

// Every bearer request verifies the RS256 signature (tens of microseconds) and reads the
// key's row, so a revocation takes effect on the next request, on every dccd sharing the
// store.
Result<Caller> Authenticator::AuthenticateBearer(const std::string& token) {
  if (!tokens_) return Status::Unauthenticated("bearer tokens are not enabled on this server");
  DCC_ASSIGN_OR_RETURN(VerifiedToken v, tokens_->VerifyAccessToken(token));
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto principal, reader->FindPrincipal(v.email));
  if (!principal) return Status::Unauthenticated("the token's user no longer exists");
  Caller c{*principal};
  c.by_token = true;
  c.token_scope = std::move(v.scope);
  return c;
}

Result<Caller> Authenticator::Authenticate(const std::string& header) {
  if (header.empty()) return Caller{};
  const std::string bearer = "Bearer ";
  if (header.size() > bearer.size() && strncasecmp(header.c_str(), bearer.c_str(), bearer.size()) == 0)
    return AuthenticateBearer(header.substr(bearer.size()));
  const std::string basic = "Basic ";
  if (header.size() <= basic.size() || strncasecmp(header.c_str(), basic.c_str(), basic.size()) != 0)
    return Status::Unauthenticated(
        "unsupported Authorization scheme; use HTTP Basic with an access key, or bearer with an access token");
  std::string encoded = header.substr(basic.size());
  std::string decoded(encoded.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.c_str(), encoded.size(), " ", &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Status::Unauthenticated("malformed Basic credentials: not base64");
  }
  decoded.resize(len);
  auto colon = decoded.find(':');
  if (colon == std::string::npos)
    return Status::Unauthenticated("malformed Basic credentials: expected key_id:secret");
  std::string key_id = decoded.substr(0, colon);
  std::string secret = decoded.substr(colon + 1);
  sodium_memzero(decoded.data(), decoded.size());
  std::string digest = Digest(key_id, secret);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key_id);
    if (it != cache_.end() && it->second.expires > now && it->second.digest.size() == digest.size() &&
        sodium_memcmp(it->second.digest.data(), digest.data(), digest.size()) == 0) {
      return Caller{it->second.principal};
    }
  }
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto key, reader->FindAccessKey(key_id));
  const Status bad = Status::Unauthenticated("unknown access key or wrong secret");
  if (!key || key->status != "current") return bad;
  if (!VerifySecret(key->secret_hash, secret)) return bad;
  DCC_ASSIGN_OR_RETURN(auto principal, reader->FindPrincipal(key->email));
  if (!principal) return bad;
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() > 10000) cache_.clear();
  cache_[key_id] = Cached{digest, *principal, now + kCacheTtl};
  return Caller{*principal};
}

}  // namespace dcc::server
