#include "server/auth/jwt_keys.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/base64url.h"

namespace dcc::server {
namespace {

struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
struct BnFree { void operator()(BIGNUM* b) const { BN_free(b); } };
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> BnParam(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return Status::Internal("RSA key lacks " + std::string(name));
  std::unique_ptr<BIGNUM, BnFree> bn(raw);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return B64Url(bytes);
}

// Writes a new key with O_EXCL, so two processes starting at once cannot both create one:
// the loser reads the winner's.
Status CreateKeyFile(const std::filesystem::path& path) {
  Pkey key(EVP_RSA_gen(2048));
  if (!key) return Status::Internal("RSA key generation failed");
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return Status::Internal("cannot encode the RSA key");
  std::string pem = BioText(bio.get());
  std::string tmp = path.string() + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::IOError(std::string("cannot create: ") + std::strerror(errno), tmp);
  bool ok = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && ::fsync(fd) == 0;
  ::close(fd);
  // link() fails if another process made the key first; theirs wins.
  if (ok && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) ok = false;
  ::unlink(tmp.c_str());
  if (!ok) return Status::IOError(std::string("cannot write the JWT signing key: ") + std::strerror(errno),
                                  path.string());
  return Status::Ok();
}

}  // namespace

Result<JwtKeys> JwtKeys::LoadOrCreate(const std::string& data_dir) {
  std::filesystem::path path = std::filesystem::path(data_dir) / "jwt_rs256.pem";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) DCC_RETURN_IF_ERROR(CreateKeyFile(path));
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  JwtKeys keys;
  keys.private_pem = ss.str();
  Bio bio(BIO_new_mem_buf(keys.private_pem.data(), static_cast<int>(keys.private_pem.size())));
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    return Status::IOError("not an RSA private key in PEM", path.string());
  Bio pub(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1) return Status::Internal("cannot encode the public key");
  keys.public_pem = BioText(pub.get());
  unsigned char* der = nullptr;
  int der_len = i2d_PUBKEY(key.get(), &der);  // before `key` moves into public_key
  if (der_len <= 0) return Status::Internal("cannot encode the public key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(der_len), digest);
  OPENSSL_free(der);
  keys.kid = B64Url(std::string(reinterpret_cast<char*>(digest), sizeof digest)).substr(0, 16);
  keys.public_key = std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free);
  DCC_ASSIGN_OR_RETURN(keys.n_b64url, BnParam(keys.public_key.get(), OSSL_PKEY_PARAM_RSA_N));
  DCC_ASSIGN_OR_RETURN(keys.e_b64url, BnParam(keys.public_key.get(), OSSL_PKEY_PARAM_RSA_E));
  return keys;
}

nlohmann::json JwtKeys::Jwks() const {
  return {{"keys", nlohmann::json::array({{{"kty", "RSA"}, {"alg", "RS256"}, {"use", "sig"}, {"kid", kid},
                                           {"n", n_b64url}, {"e", e_b64url}}})}};
}

Result<nlohmann::json> JwtKeys::VerifyRs256(const std::string& token) const {
  const size_t a = token.find('.');
  const size_t b = a == std::string::npos ? a : token.find('.', a + 1);
  if (b == std::string::npos || token.find('.', b + 1) != std::string::npos)
    return Status::Unauthenticated("malformed token: a JWT has three dot-separated parts");
  std::string header_text, payload_text, signature;
  if (!FromB64Url(token.substr(0, a), &header_text) || !FromB64Url(token.substr(a + 1, b - a - 1), &payload_text))
    return Status::Unauthenticated("malformed token: its header or claims are not base64url");
  if (!FromB64Url(token.substr(b + 1), &signature))
    return Status::Unauthenticated("invalid token: bad signature (not base64url)");
  nlohmann::json header = nlohmann::json::parse(header_text, nullptr, false);
  if (!header.is_object()) return Status::Unauthenticated("malformed token: the header is not a JSON object");
  // Only RS256 is ours: an HS256 or "none" token must not pass, whatever it carries.
  // `alg` of another type ({"alg":123}) is refused like any other alg, not thrown.
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "RS256")
    return Status::Unauthenticated("invalid token: only RS256 tokens are accepted");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const std::string signed_part = token.substr(0, b);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_key.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) != 1) {
    ERR_clear_error();  // the failure left entries on this thread's OpenSSL error queue
    return Status::Unauthenticated("invalid token: bad signature or not a JWT signed by this server");
  }
  nlohmann::json claims = nlohmann::json::parse(payload_text, nullptr, false);
  if (!claims.is_object()) return Status::Unauthenticated("invalid token: claims are not a JSON object");
  return claims;
}

}  // namespace dcc::server
