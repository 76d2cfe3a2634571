// src/server/auth/authenticator.h: who is calling. Turns an Authorization header into a
// Principal, caching verified credentials so that argon2id runs once per key, not per
// request.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/store/record_store.h"

namespace dcc::server {

// The caller of one request. Anonymous when `principal` is empty.
struct Caller {
  std::optional<Principal> principal;
  bool by_token = false;                 // authenticated by a bearer access token
  std::vector<std::string> token_scope = {};  // that token's scopes
  bool anonymous() const { return !principal.has_value(); }
  bool admin() const { return principal && principal->admin; }
  std::string user_uuid() const { return principal ? principal->user_uuid : std::string(); }
};

class TokenService;

// Thread-safe.
class Authenticator {
 public:
  explicit Authenticator(RecordStore& store);
  ~Authenticator();
  // Enables `Authorization: bearer <access token>` (scheme case-insensitive). Without a
  // token service, bearer headers are refused. `tokens` must outlive this object.
  void SetTokenService(TokenService* tokens) { tokens_ = tokens; }
  // Anonymous for an empty header. Unauthenticated for a malformed header, an unknown or
  // revoked key, a wrong secret, or a bearer token that is expired, badly signed,
  // not an access token, or of a revoked API key (the message says which). The
  // message never contains the secret or the token.
  Result<Caller> Authenticate(const std::string& authorization_header);

 private:
  struct Cached {
    std::string digest;  // keyed BLAKE2b of "key_id:secret", never the secret itself
    Principal principal;
    std::chrono::steady_clock::time_point expires;
  };
  std::string Digest(const std::string& key_id, const std::string& secret) const;

  Result<Caller> AuthenticateBearer(const std::string& token);

  RecordStore& store_;
  TokenService* tokens_ = nullptr;
  unsigned char cache_key_[32];  // random per process
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // by key_id
};

}  // namespace dcc::server
