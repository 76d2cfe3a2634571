#include "server/auth/s3_presign.h"

#include <ctime>

#include "common/sigv4.h"

namespace dcc::server {

namespace {
constexpr const char* kRegion = "us-east-1";
}  // namespace

std::string PresignS3Url(const UploadCredentials& creds, const std::string& endpoint, const std::string& method,
                         const std::string& bucket, const std::string& key,
                         std::vector<std::pair<std::string, std::string>> extra_query, int64_t expires_in,
                         int64_t now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char amz_date[20], date[10];
  std::strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  const std::string scope = std::string(date) + "/" + kRegion + "/s3/aws4_request";
  // The host header is the one signed header; the S3 listener sees the endpoint's host.
  std::string host = endpoint.substr(endpoint.find("://") + 3);
  sigv4::Request req;
  req.method = method;
  req.path = "/" + bucket + "/" + key;
  req.query = std::move(extra_query);
  req.query.push_back({"X-Amz-Algorithm", sigv4::kAlgorithm});
  req.query.push_back({"X-Amz-Credential", creds.access_key + "/" + scope});
  req.query.push_back({"X-Amz-Date", amz_date});
  req.query.push_back({"X-Amz-Expires", std::to_string(expires_in)});
  req.query.push_back({"X-Amz-Security-Token", creds.session_token});
  req.query.push_back({"X-Amz-SignedHeaders", "host"});
  req.headers["host"] = host;
  const std::string canonical = sigv4::CanonicalRequest(req, {"host"}, sigv4::kUnsignedPayload);
  const std::string signature =
      sigv4::Signature(sigv4::SigningKey(creds.secret_key, date, kRegion, "s3"),
                       sigv4::StringToSign(amz_date, scope, canonical));
  std::string url = endpoint + sigv4::UriEncode(req.path, /*keep_slash=*/true) + "?";
  for (const auto& [k, v] : req.query) url += sigv4::UriEncode(k, false) + "=" + sigv4::UriEncode(v, false) + "&";
  return url + "X-Amz-Signature=" + signature;
}

}  // namespace dcc::server
