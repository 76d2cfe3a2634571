// src/server/auth/secret_hash.h: storing and checking access-key secrets.
#pragma once

#include <string>

#include "dcc/status.h"

namespace dcc::server {

// An argon2id hash string (libsodium's crypto_pwhash_str format) of `secret`.
// Secrets are 80-bit random values, not passwords, so moderate cost parameters suffice:
// the hash protects a leaked database, and verification stays in the low milliseconds.
Result<std::string> HashSecret(const std::string& secret);
// True if `secret` matches `hash`; constant-time in the secret.
bool VerifySecret(const std::string& hash, const std::string& secret);

}  // namespace dcc::server
