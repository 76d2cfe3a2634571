#include "common/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "common/hashing.h"

namespace dcc::sigv4 {
namespace {

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// Header values: trimmed, inner runs of spaces collapsed to one.
std::string CanonicalHeaderValue(const std::string& v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "<AKID>/<date>/<region>/<service>/aws4_request"
Status ParseScope(const std::string& value, Credential& c) {
  auto parts = Split(value, '/');
  if (parts.size() != 5 || parts[4] != "aws4_request" || parts[0].empty() || parts[1].size() != 8)
    return Status::InvalidArgument("malformed credential scope '" + value +
                                   "'; expected <key>/<YYYYMMDD>/<region>/s3/aws4_request");
  c.access_key = parts[0];
  c.date = parts[1];
  c.region = parts[2];
  c.service = parts[3];
  return Status::Ok();
}

std::string HeaderOr(const Request& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

}  // namespace

std::string UriEncode(const std::string& s, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<Credential> ParseAuthorization(const Request& req) {
  std::string auth = HeaderOr(req, "authorization");
  std::string prefix = std::string(kAlgorithm) + " ";
  if (auth.compare(0, prefix.size(), prefix) != 0)
    return Status::Unauthenticated("unsupported authorization; only AWS4-HMAC-SHA256 is accepted");
  Credential c;
  bool have_scope = false, have_headers = false, have_sig = false;
  for (const auto& part : Split(auth.substr(prefix.size()), ',')) {
    std::string p = Trim(part);
    auto eq = p.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("malformed Authorization part '" + p + "'");
    std::string name = p.substr(0, eq), value = p.substr(eq + 1);
    if (name == "Credential") {
      DCC_RETURN_IF_ERROR(ParseScope(value, c));
      have_scope = true;
    } else if (name == "SignedHeaders") {
      c.signed_headers = Split(value, ';');
      have_headers = true;
    } else if (name == "Signature") {
      c.signature = value;
      have_sig = true;
    }
  }
  if (!have_scope || !have_headers || !have_sig)
    return Status::InvalidArgument("Authorization must carry Credential, SignedHeaders and Signature");
  c.amz_date = HeaderOr(req, "x-amz-date");
  if (c.amz_date.empty()) return Status::InvalidArgument("missing x-amz-date header");
  c.security_token = HeaderOr(req, "x-amz-security-token");
  return c;
}

Result<Credential> ParsePresigned(const Request& req) {
  Credential c;
  std::map<std::string, std::string> q;
  for (const auto& [k, v] : req.query) q[k] = v;
  if (q["X-Amz-Algorithm"] != kAlgorithm)
    return Status::Unauthenticated("unsupported X-Amz-Algorithm; only AWS4-HMAC-SHA256 is accepted");
  DCC_RETURN_IF_ERROR(ParseScope(q["X-Amz-Credential"], c));
  c.amz_date = q["X-Amz-Date"];
  c.signature = q["X-Amz-Signature"];
  c.signed_headers = Split(q["X-Amz-SignedHeaders"], ';');
  c.security_token = q["X-Amz-Security-Token"];
  try {
    c.expires = std::stol(q["X-Amz-Expires"]);
  } catch (...) {
    return Status::InvalidArgument("X-Amz-Expires must be a number of seconds");
  }
  if (c.amz_date.empty() || c.signature.empty())
    return Status::InvalidArgument("presigned URL lacks X-Amz-Date or X-Amz-Signature");
  return c;
}

std::string CanonicalRequest(const Request& req, const std::vector<std::string>& signed_headers,
                             const std::string& payload_hash) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : req.query) {
    if (k == "X-Amz-Signature") continue;
    q.emplace_back(UriEncode(k, false), UriEncode(v, false));
  }
  std::sort(q.begin(), q.end());
  std::string query;
  for (const auto& [k, v] : q) query += (query.empty() ? "" : "&") + k + "=" + v;
  std::string headers;
  for (const auto& h : signed_headers) headers += h + ":" + CanonicalHeaderValue(HeaderOr(req, h)) + "\n";
  std::string signed_list;
  for (const auto& h : signed_headers) signed_list += (signed_list.empty() ? "" : ";") + h;
  // S3 encodes the path once and never normalises it ("a//b" stays).
  return req.method + "\n" + (req.path.empty() ? "/" : UriEncode(req.path, true)) + "\n" + query +
         "\n" + headers +
         "\n" + signed_list + "\n" + payload_hash;
}

std::string StringToSign(const std::string& amz_date, const std::string& scope,
                         const std::string& canonical_request) {
  return std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical_request);
}

std::string SigningKey(const std::string& secret, const std::string& date,
                       const std::string& region, const std::string& service) {
  std::string k = Hmac("AWS4" + secret, date);
  k = Hmac(k, region);
  k = Hmac(k, service);
  return Hmac(k, "aws4_request");
}

std::string Signature(const std::string& signing_key, const std::string& string_to_sign) {
  std::string raw = Hmac(signing_key, string_to_sign);
  return ToHex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string ChunkStringToSign(const std::string& amz_date, const std::string& scope,
                              const std::string& previous_signature,
                              const std::string& chunk_sha256_hex) {
  return "AWS4-HMAC-SHA256-PAYLOAD\n" + amz_date + "\n" + scope + "\n" + previous_signature + "\n" +
         kEmptySha256 + "\n" + chunk_sha256_hex;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return ToHex(out, len);
}

bool SignaturesEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dcc::sigv4
