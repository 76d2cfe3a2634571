#include "server/auth/secret_hash.h"

#include <sodium.h>

namespace dcc::server {
namespace {
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 8u << 20;  // 8 MiB
}  // namespace

Result<std::string> HashSecret(const std::string& secret) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("argon2id hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifySecret(const std::string& hash, const std::string& secret) {
  if (sodium_init() < 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
}

}  // namespace dcc::server
