#include "server/auth/upload_credentials.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/base64url.h"
#include "common/hashing.h"
#include "common/ids.h"
#include "common/sigv4.h"
#include "common/time_util.h"

namespace dcc::server {
using nlohmann::json;

UploadCredentialIssuer::UploadCredentialIssuer(std::string server_key)
    : server_key_(std::move(server_key)) {}

std::string UploadCredentialIssuer::Mac(const std::string& purpose, const std::string& data) const {
  std::string input = purpose + ":" + data;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), server_key_.data(), static_cast<int>(server_key_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

UploadCredentials UploadCredentialIssuer::Issue(const UploadGrant& g) const {
  unsigned char random[10];
  randombytes_buf(random, sizeof random);
  UploadCredentials c;
  c.access_key = "ASIA" + Base32Encode(random, sizeof random, /*upper=*/true);
  c.secret_key = B64Url(Mac("secret", c.access_key)).substr(0, 40);
  std::string payload = json{{"ak", c.access_key}, {"b", g.bucket}, {"k", g.key},
                             {"f", g.file_uuid}, {"x", g.expires}}.dump();
  c.session_token = B64Url(payload) + "." + B64Url(Mac("token", payload));
  c.expiration = IsoUtc(g.expires);
  c.upload_url = "s3://" + g.bucket + "/" + g.key;
  return c;
}

Result<UploadCredentialIssuer::Verified> UploadCredentialIssuer::Verify(
    const std::string& access_key, const std::string& token, int64_t now) const {
  auto dot = token.find('.');
  std::string payload, mac;
  if (token.empty()) return Status::Unauthenticated("missing X-Amz-Security-Token");
  if (dot == std::string::npos || !FromB64Url(token.substr(0, dot), &payload) ||
      !FromB64Url(token.substr(dot + 1), &mac)) {
    return Status::Unauthenticated("malformed security token");
  }
  if (!sigv4::SignaturesEqual(mac, Mac("token", payload)))
    return Status::Unauthenticated("security token was not issued by this server");
  json p = json::parse(payload, nullptr, false);
  if (!p.is_object() || p.value("ak", "") != access_key)
    return Status::Unauthenticated("security token does not belong to this access key");
  Verified v;
  v.grant = {p.value("b", ""), p.value("k", ""), p.value("f", ""), p.value("x", int64_t{0})};
  if (v.grant.expires <= now)
    return Status::Unauthenticated("credentials expired at " + IsoUtc(v.grant.expires));
  v.secret_key = B64Url(Mac("secret", access_key)).substr(0, 40);
  return v;
}

Result<std::string> LoadOrCreateServerKey(const std::string& data_dir) {
  std::filesystem::path path = std::filesystem::path(data_dir) / "server.key";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd >= 0) {
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    bool ok = ::write(fd, key, sizeof key) == static_cast<ssize_t>(sizeof key) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Status::IOError("cannot write the server key", path.string());
  } else if (errno != EEXIST) {
    return Status::IOError(std::string("cannot create the server key: ") + std::strerror(errno), path.string());
  }
  std::ifstream in(path, std::ios::binary);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() < 32) return Status::IOError("server key is shorter than 32 bytes", path.string());
  return key;
}

}  // namespace dcc::server
