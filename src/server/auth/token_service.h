// src/server/auth/token_service.h: fence-style tokens (gen3.md §1). An API key is a
// long-lived RS256 JWT (pur "api_key") handed to its user once; it is exchanged for
// short-lived access tokens (pur "access") that authenticate requests as
// `Authorization: bearer <token>`. Keys are recorded in the store so that they can be
// listed and revoked; a revoked key stops exchanging at once, and so do the access
// tokens made from it (each carries its key's jti in the claim "api_key_jti").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "server/auth/jwt_keys.h"
#include "server/store/record_store.h"

namespace dcc::server {

struct TokenOptions {
  // The tokens' "iss": the server's public base URL + "/user". Clients derive the
  // commons URL from it (gen3.md §1.3), so it must be the URL they reach dccd at.
  std::string issuer = "http://127.0.0.1:8000/user";
  int64_t max_api_key_seconds = 30 * 24 * 3600;  // fence MAX_API_KEY_TTL
  int64_t max_access_seconds = 3600;             // fence MAX_ACCESS_TOKEN_TTL
};

struct IssuedApiKey {
  std::string key_id;   // the jti
  std::string api_key;  // the JWT
  int64_t expires = 0;
};

// What a verified access token says.
struct VerifiedToken {
  std::string jti;
  std::string api_key_jti;  // the key it was exchanged from
  std::string email;        // the principal (from the key's row)
  std::vector<std::string> scope;
  int64_t expires = 0;
};

// Thread-safe: holds immutable keys and uses the store's own transactions.
class TokenService {
 public:
  TokenService(RecordStore& store, JwtKeys keys, TokenOptions options);

  // A new API key for `principal`, valid `expires_in` seconds (0: the maximum; larger
  // than the maximum is clamped). Scope: `scope` plus "openid", "user", "data", "fence".
  // InvalidArgument for a negative lifetime or an unknown scope name.
  Result<IssuedApiKey> CreateApiKey(const Principal& principal, int64_t expires_in,
                                    std::vector<std::string> scope);
  // The keys of `email` that are neither revoked nor expired.
  Result<std::vector<ApiKeyRow>> ListApiKeys(const std::string& email);
  // NotFound if `key_id` is not a key of `email` (or was already revoked).
  Status RevokeApiKey(const std::string& email, const std::string& key_id);
  // An access token for a valid API key, valid min(expires_in or the maximum, the key's
  // remaining life). Unauthenticated (with the reason: malformed, bad signature, wrong
  // purpose, expired, revoked) for a key that does not verify.
  Result<std::string> ExchangeApiKey(const std::string& api_key, int64_t expires_in);
  // Checks an access token: RS256 signature by this server's key, pur "access", iss,
  // exp, and that its API key is not revoked. Unauthenticated with the reason otherwise.
  Result<VerifiedToken> VerifyAccessToken(const std::string& token);

  // Sets the tokens' issuer. REQUIRES: no request is being served yet (dccd learns its
  // bound port after the routes are built).
  void SetIssuer(std::string issuer) { options_.issuer = std::move(issuer); }
  const JwtKeys& keys() const { return keys_; }
  const TokenOptions& options() const { return options_; }

 private:
  // The claims of a token this server signed with RS256, unchecked beyond the signature.
  Result<nlohmann::json> Decode(const std::string& token) const;
  Result<std::string> Sign(const nlohmann::json& claims) const;

  RecordStore& store_;
  JwtKeys keys_;
  TokenOptions options_;
};

}  // namespace dcc::server
