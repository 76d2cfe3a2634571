// Fuzz target: bearer tokens and API keys as callers send them (server/auth/jwt_keys,
// token_service): RS256 verification of a JWT, header and payload parsed first.
#include <nlohmann/json.hpp>  // jwt_keys.h declares json only

#include "fuzz/fuzz_target.h"
#include "server/auth/jwt_keys.h"

DCC_FUZZ_TARGET(jwt) {
  static const dcc::server::JwtKeys keys = [] {
    auto k = dcc::server::JwtKeys::LoadOrCreate(dcc::fuzz::ScratchDir());
    if (!k.ok()) __builtin_trap();
    return *k;
  }();
  (void)keys.VerifyRs256(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
