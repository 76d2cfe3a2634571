#include "server/auth/token_service.h"

#include <jwt.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/ids.h"

namespace dcc::server {
namespace {

using nlohmann::json;

struct JwtFree { void operator()(jwt_t* j) const { jwt_free(j); } };
using Jwt = std::unique_ptr<jwt_t, JwtFree>;

// Scopes a key may carry. "credentials" lets an access token manage API keys; fence
// strips it from API keys, but dccd has no browser login to mint such tokens otherwise,
// so a key gets it only when asked for explicitly (docs/fence.md).
const char* const kKnownScopes[] = {"openid", "user", "data", "fence", "credentials", "google_credentials"};
const char* const kDefaultScopes[] = {"openid", "user", "data", "fence"};

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

TokenService::TokenService(RecordStore& store, JwtKeys keys, TokenOptions options)
    : store_(store), keys_(std::move(keys)), options_(std::move(options)) {}

Result<std::string> TokenService::Sign(const json& claims) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return Status::Internal("jwt_new failed");
  Jwt jwt(raw);
  if (jwt_add_grants_json(jwt.get(), claims.dump().c_str()) != 0 ||
      jwt_add_header(jwt.get(), "kid", keys_.kid.c_str()) != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_RS256, reinterpret_cast<const unsigned char*>(keys_.private_pem.data()),
                  static_cast<int>(keys_.private_pem.size())) != 0) {
    return Status::Internal("cannot build a JWT");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (!encoded) return Status::Internal("cannot sign a JWT");
  std::string out(encoded);
  free(encoded);  // libjwt 1.10 allocates with malloc
  return out;
}

Result<json> TokenService::Decode(const std::string& token) const { return keys_.VerifyRs256(token); }

Result<IssuedApiKey> TokenService::CreateApiKey(const Principal& principal, int64_t expires_in,
                                                std::vector<std::string> scope) {
  if (expires_in < 0) return Status::InvalidArgument("expires_in must be a positive number of seconds", "expires_in");
  if (expires_in == 0 || expires_in > options_.max_api_key_seconds) expires_in = options_.max_api_key_seconds;
  for (const auto& s : scope) {
    if (std::find(std::begin(kKnownScopes), std::end(kKnownScopes), s) == std::end(kKnownScopes))
      return Status::InvalidArgument("unknown scope '" + s + "'", "scope");
  }
  for (const char* s : kDefaultScopes) {
    if (std::find(scope.begin(), scope.end(), s) == scope.end()) scope.push_back(s);
  }
  ApiKeyRow row;
  row.jti = NewUuid4();
  row.email = principal.email;
  row.scope = scope;
  row.issued = Now();
  row.expires = row.issued + expires_in;
  json claims = {{"pur", "api_key"}, {"sub", principal.user_uuid}, {"iss", options_.issuer},
                 {"aud", json::array({"gen3"})}, {"iat", row.issued}, {"exp", row.expires},
                 {"jti", row.jti}, {"azp", ""}, {"scope", scope}};
  DCC_ASSIGN_OR_RETURN(std::string token, Sign(claims));
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_RETURN_IF_ERROR(writer->PutApiKey(row));
  DCC_RETURN_IF_ERROR(writer->Commit());
  return IssuedApiKey{row.jti, token, row.expires};
}

Result<std::vector<ApiKeyRow>> TokenService::ListApiKeys(const std::string& email) {
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto keys, reader->ListApiKeys(email));
  const int64_t now = Now();
  std::erase_if(keys, [now](const ApiKeyRow& k) { return k.revoked || k.expires <= now; });
  return keys;
}

Status TokenService::RevokeApiKey(const std::string& email, const std::string& key_id) {
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(auto key, writer->FindApiKey(key_id));
  if (!key || key->email != email || key->revoked)
    return Status::NotFound("no API key '" + key_id + "' of this user");
  key->revoked = true;
  DCC_RETURN_IF_ERROR(writer->PutApiKey(*key));
  return writer->Commit();
}

Result<std::string> TokenService::ExchangeApiKey(const std::string& api_key, int64_t expires_in) {
  if (expires_in < 0) return Status::InvalidArgument("expires_in must be a positive number of seconds", "expires_in");
  DCC_ASSIGN_OR_RETURN(json claims, Decode(api_key));
  if (claims.value("pur", "") != "api_key")
    return Status::Unauthenticated("not an API key: its purpose (pur) is '" + claims.value("pur", "") + "'");
  const int64_t now = Now();
  const int64_t exp = claims.value("exp", int64_t{0});
  if (exp <= now) return Status::Unauthenticated("API key expired");
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto row, reader->FindApiKey(claims.value("jti", "")));
  if (!row) return Status::Unauthenticated("unknown API key");
  if (row->revoked) return Status::Unauthenticated("API key revoked");
  DCC_ASSIGN_OR_RETURN(auto principal, reader->FindPrincipal(row->email));
  if (!principal) return Status::Unauthenticated("the API key's user no longer exists");
  int64_t ttl = expires_in == 0 ? options_.max_access_seconds : std::min(expires_in, options_.max_access_seconds);
  json access = {{"pur", "access"}, {"iss", options_.issuer}, {"aud", json::array({"gen3"})},
                 {"iat", now}, {"exp", std::min(now + ttl, exp)}, {"jti", NewUuid4()},
                 {"scope", row->scope}, {"azp", ""}, {"sub", principal->user_uuid},
                 {"api_key_jti", row->jti},
                 {"context", {{"user", {{"name", principal->email}, {"is_admin", principal->admin},
                                        {"google", {{"proxy_group", nullptr}}}}}}}};
  return Sign(access);
}

Result<VerifiedToken> TokenService::VerifyAccessToken(const std::string& token) {
  DCC_ASSIGN_OR_RETURN(json claims, Decode(token));
  if (claims.value("pur", "") != "access")
    return Status::Unauthenticated("not an access token: its purpose (pur) is '" + claims.value("pur", "") +
                                   "'; exchange an API key at /user/credentials/api/access_token");
  if (claims.value("iss", "") != options_.issuer)
    return Status::Unauthenticated("token issued by '" + claims.value("iss", "") + "', not by this server (" +
                                   options_.issuer + ")");
  VerifiedToken v;
  v.expires = claims.value("exp", int64_t{0});
  if (v.expires <= Now()) return Status::Unauthenticated("access token expired");
  v.jti = claims.value("jti", "");
  v.api_key_jti = claims.value("api_key_jti", "");
  if (claims.contains("scope") && claims["scope"].is_array()) {
    for (const auto& s : claims["scope"])
      if (s.is_string()) v.scope.push_back(s.get<std::string>());
  }
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto row, reader->FindApiKey(v.api_key_jti));
  if (!row) return Status::Unauthenticated("access token of an unknown API key");
  if (row->revoked) return Status::Unauthenticated("access token of a revoked API key");
  v.email = row->email;
  return v;
}

}  // namespace dcc::server
