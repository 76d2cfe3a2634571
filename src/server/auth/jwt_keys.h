// src/server/auth/jwt_keys.h: the RSA key pair that signs dccd's JWTs (API keys and
// access tokens, fence style, RS256), kept in the data directory and published as a
// JWKS so that any client can verify a token without asking dccd.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "dcc/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace dcc::server {

// Immutable after Load; thread-safe.
struct JwtKeys {
  std::string kid;          // key id in every token's header and in the JWKS
  std::string private_pem;  // PKCS#8 PEM, signs
  std::string public_pem;   // SubjectPublicKeyInfo PEM, verifies
  std::string n_b64url;     // RSA modulus, unpadded base64url (JWKS "n")
  std::string e_b64url;     // RSA public exponent (JWKS "e")

  // Loads `<data dir>/jwt_rs256.pem`, creating it (RSA 2048, mode 0600) if absent. The
  // kid is derived from the public key (its SHA-256, base64url, 16 characters), so every
  // dccd sharing the file publishes the same kid. IOError if it cannot be read or made.
  static Result<JwtKeys> LoadOrCreate(const std::string& data_dir);

  // {"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid","n","e"}]}
  nlohmann::json Jwks() const;

  // The claims of `token` if it is a JWS whose header says RS256 and whose signature
  // this key verifies; Unauthenticated with the reason otherwise. Checks nothing else.
  // libjwt (used to sign) re-parses the PEM key on every call, which under OpenSSL 3's
  // decoders cost ~0.9 ms of CPU per request and serialised threads; verification runs
  // on every bearer request, so it uses OpenSSL EVP with the key parsed once.
  Result<nlohmann::json> VerifyRs256(const std::string& token) const;

  std::shared_ptr<evp_pkey_st> public_key;  // parsed once, shared by copies
};

}  // namespace dcc::server
