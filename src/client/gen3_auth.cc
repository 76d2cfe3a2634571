// Gen3 API-key auth: credentials lookup, unverified JWT reading, token exchange and
// single-flight refresh (gen3.md §1).
#include "dcc/gen3_auth.h"

#include "common/base64url.h"


#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

namespace dcc {
using nlohmann::json;

Result<Gen3Credentials> LoadGen3Credentials(const std::string& given) {
  std::string name = given;
  if (name.empty()) {
    const char* env = std::getenv("GEN3_API_KEY");
    name = env && *env ? env : "credentials";
  }
  std::vector<std::string> tried;
  if (name.find('/') == std::string::npos) {
    const char* home = std::getenv("HOME");
    if (home && *home) {
      tried.push_back(std::string(home) + "/.gen3/" + name);
      tried.push_back(std::string(home) + "/.gen3/" + name + ".json");
    }
  }
  tried.push_back(name);
  for (const auto& path : tried) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) return Status::IOError("cannot read the credentials file", path);
    json j = json::parse(text.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Status::InvalidArgument("not a credentials.json (expected {\"api_key\": ..., \"key_id\": ...})", path);
    if (!j.contains("api_key") || !j["api_key"].is_string() || j["api_key"].get<std::string>().empty())
      return Status::InvalidArgument("the credentials file has no \"api_key\" string", path);
    Gen3Credentials c;
    c.api_key = j["api_key"].get<std::string>();
    if (j.contains("key_id") && j["key_id"].is_string()) c.key_id = j["key_id"].get<std::string>();
    c.path = path;
    return c;
  }
  std::string places;
  for (const auto& p : tried) places += (places.empty() ? "" : ", ") + p;
  return Status::NotFound("no Gen3 credentials file (tried " + places +
                          "); pass --auth credentials.json or set GEN3_API_KEY");
}

Result<json> DecodeJwtPayloadUnverified(const std::string& jwt) {
  size_t a = jwt.find('.');
  size_t b = a == std::string::npos ? a : jwt.find('.', a + 1);
  if (a == std::string::npos || b == std::string::npos || jwt.find('.', b + 1) != std::string::npos)
    return Status::InvalidArgument("not a JWT (expected three '.'-separated parts)");
  std::string segment = jwt.substr(a + 1, b - a - 1);
  while (!segment.empty() && segment.back() == '=') segment.pop_back();  // tolerate padding
  std::string decoded;
  if (!FromB64Url(segment, &decoded)) return Status::InvalidArgument("not a JWT (the payload is not base64url)");
  json payload = json::parse(decoded, nullptr, false);
  if (payload.is_discarded() || !payload.is_object())
    return Status::InvalidArgument("not a JWT (the payload is not a JSON object)");
  return payload;
}

Result<std::string> CommonsUrlFromToken(const std::string& jwt) {
  DCC_ASSIGN_OR_RETURN(json payload, DecodeJwtPayloadUnverified(jwt));
  if (!payload.contains("iss") || !payload["iss"].is_string())
    return Status::InvalidArgument("the API key has no \"iss\" claim to take the commons URL from; pass --endpoint");
  std::string iss = payload["iss"].get<std::string>();
  size_t scheme_end = iss.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0)
    return Status::InvalidArgument("the API key's iss '" + iss + "' is not a URL; pass --endpoint");
  size_t host_end = iss.find_first_of("/?#", scheme_end + 3);
  std::string url = iss.substr(0, host_end);
  while (!url.empty() && (url.back() == '/' || std::isspace(static_cast<unsigned char>(url.back())))) url.pop_back();
  if (url.size() <= scheme_end + 3) return Status::InvalidArgument("the API key's iss '" + iss + "' has no host");
  return url;
}

bool TokenNeedsRefresh(int64_t exp, int64_t now, int64_t margin_seconds) { return now + margin_seconds > exp; }

struct Gen3TokenSource::State {
  std::mutex mu;           // held during an exchange: the other threads wait (single flight)
  std::string token;
  int64_t exp = 0;
  int64_t margin = 0;  // refresh this long before exp (see ExchangeLocked)
  int exchanges = 0;
};

Gen3TokenSource::Gen3TokenSource(Gen3Credentials c, Gen3AuthOptions o)
    : credentials_(std::move(c)), options_(std::move(o)), state_(std::make_unique<State>()) {}
Gen3TokenSource::~Gen3TokenSource() = default;

namespace {

// POST {endpoint}/user/credentials/api/access_token (gen3.md §1.2; gen3-client's path,
// /cdis/ being the deprecated alias the Python SDK still uses).
Result<std::string> ExchangeWithFence(const std::string& endpoint, int expires_in, const std::string& ca_file,
                                      const Gen3Credentials& c) {
  ClientOptions o;
  o.url = endpoint;
  o.ca_file = ca_file;
  o.max_retries = 0;  // POST: not retried by the Client; transient failures are retried below
  DCC_ASSIGN_OR_RETURN(auto client, Client::Open(o));
  std::string path = "/user/credentials/api/access_token";
  if (expires_in > 0) path += "?expires_in=" + std::to_string(expires_in);
  json body = {{"api_key", c.api_key}};
  if (!c.key_id.empty()) body["key_id"] = c.key_id;
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(500 << attempt));
    auto r = client->Request("POST", path, &body);
    if (!r.ok()) {
      last = r.status();
      continue;
    }
    if (r->status == 200 && r->body.is_object() && r->body.contains("access_token") &&
        r->body["access_token"].is_string())
      return r->body["access_token"].get<std::string>();
    std::string answer = r->body.is_string() ? r->body.get<std::string>() : r->body.dump();
    if (answer.size() > 300) answer = answer.substr(0, 300);
    std::string what = "failed to get an access token from " + endpoint + path + " (HTTP " +
                       std::to_string(r->status) + "): " + answer;
    if (r->status >= 500 || r->status == 429) {
      last = Status::Unavailable(what);
      continue;
    }
    return Status::Unauthenticated(what + " (is the API key in " + c.path + " expired or revoked?)");
  }
  return last;
}

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::shared_ptr<Gen3TokenSource>> Gen3TokenSource::Create(Gen3Credentials credentials,
                                                                 Gen3AuthOptions options) {
  if (options.endpoint.empty()) {
    auto url = CommonsUrlFromToken(credentials.api_key);
    if (!url.ok()) return Status::InvalidArgument(url.status().message(), credentials.path);
    options.endpoint = *url;
  }
  while (!options.endpoint.empty() && options.endpoint.back() == '/') options.endpoint.pop_back();
  if (!options.now) options.now = SystemNow;
  if (!options.exchange) {
    options.exchange = [endpoint = options.endpoint, expires_in = options.expires_in,
                        ca = options.ca_file](const Gen3Credentials& c) {
      return ExchangeWithFence(endpoint, expires_in, ca, c);
    };
  }
  return std::shared_ptr<Gen3TokenSource>(new Gen3TokenSource(std::move(credentials), std::move(options)));
}

Result<std::string> Gen3TokenSource::ExchangeLocked() {
  DCC_ASSIGN_OR_RETURN(std::string token, options_.exchange(credentials_));
  auto payload = DecodeJwtPayloadUnverified(token);
  if (!payload.ok()) return Status::Unauthenticated("fence answered with an access token that " + payload.status().message());
  int64_t exp = 0;
  if (payload->contains("exp") && (*payload)["exp"].is_number()) exp = (*payload)["exp"].get<int64_t>();
  if (exp == 0) return Status::Unauthenticated("fence answered with an access token without \"exp\"");
  state_->token = std::move(token);
  state_->exp = exp;
  // A token shorter-lived than twice the margin (a test's expires_in=20) is kept for half
  // its life instead: with the SDK's fixed 300 s, it would be exchanged before every request.
  state_->margin = std::min<int64_t>(options_.refresh_margin, std::max<int64_t>(0, exp - options_.now()) / 2);
  ++state_->exchanges;
  return state_->token;
}

Result<std::string> Gen3TokenSource::Token() {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!state_->token.empty() && !TokenNeedsRefresh(state_->exp, options_.now(), state_->margin))
    return state_->token;
  return ExchangeLocked();
}

Result<std::string> Gen3TokenSource::Refresh(const std::string& rejected) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!state_->token.empty() && state_->token != rejected) return state_->token;  // another thread refreshed
  return ExchangeLocked();
}

int Gen3TokenSource::exchanges() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->exchanges;
}

}  // namespace dcc
