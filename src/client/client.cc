// The libcurl Client. libcurl is hidden here: include/dcc/client.h shows no curl type.
#include <curl/curl.h>
#include <sodium.h>

#include <strings.h>

#include <algorithm>
#include <string_view>
#include <chrono>
#include <mutex>
#include <thread>

#include "client/payload_rules.h"
#include "client/submission_log.h"
#include "common/sigv4.h"
#include "dcc/client.h"

namespace dcc {
using nlohmann::json;

namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// Keeps the ETag header's value (the last one, after any redirect).
size_t CollectETag(char* data, size_t size, size_t n, void* out) {
  std::string_view line(data, size * n);
  if (line.size() > 5 && strncasecmp(line.data(), "etag:", 5) == 0) {
    line.remove_prefix(5);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
    *static_cast<std::string*>(out) = std::string(line);
  }
  return size * n;
}

bool Idempotent(const std::string& method) { return method == "GET" || method == "PUT" || method == "HEAD"; }

bool Retriable(long status) { return status == 429 || status >= 500; }

// "/labs/lab-a/" -> "labs/lab-a"; each segment URI-encoded.
std::string IdPath(const std::string& id) {
  size_t b = id.find_first_not_of('/');
  size_t e = id.find_last_not_of('/');
  if (b == std::string::npos) return "";
  return sigv4::UriEncode(id.substr(b, e - b + 1), /*keep_slash=*/true);
}

std::string DetailOf(const json& body) {
  if (body.is_object()) {
    if (body.contains("detail")) return body["detail"].is_string() ? body["detail"].get<std::string>() : body["detail"].dump();
    if (body.contains("errors")) return body["errors"].dump();
  }
  std::string s = body.is_string() ? body.get<std::string>() : body.dump();
  return s.size() > 300 ? s.substr(0, 300) : s;
}

Status StatusOfResponse(long status, const json& body, const std::string& what) {
  std::string detail = what + ": " + DetailOf(body);
  if (status == 400) return Status::InvalidArgument(detail);
  if (status == 401) return Status::Unauthenticated(detail + " (check DCC_API_KEY and DCC_SECRET_KEY)");
  if (status == 403) return Status::PermissionDenied(detail);
  if (status == 404) return Status::NotFound(detail);
  if (status == 409) return Status::Conflict(detail);
  if (status == 412) return Status::PreconditionFailed(detail);
  if (status == 413) return Status::TooLarge(detail);
  if (status == 422) return Status::Validation(detail);
  if (status == 503 || status == 429) return Status::Unavailable(detail);
  return Status::IOError("HTTP " + std::to_string(status) + " from " + detail);
}

class CurlClient final : public Client {
 public:
  explicit CurlClient(ClientOptions o) : o_(std::move(o)), curl_(curl_easy_init()) {}
  ~CurlClient() override {
    if (headers_) curl_slist_free_all(headers_);
    if (curl_) curl_easy_cleanup(curl_);
  }

  Status Init() {
    if (!curl_) return Status::Internal("libcurl failed to initialise");
    DCC_ASSIGN_OR_RETURN(log_, client::SubmissionLog::Open(o_.log_dir, o_.url));
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Accept: application/json");
    return Status::Ok();
  }

  Result<Response> Request(const std::string& method, const std::string& path, const json* body) override {
    const int attempts = Idempotent(method) ? o_.max_retries + 1 : 1;
    Status last;
    for (int attempt = 0; attempt < attempts; ++attempt) {
      if (attempt > 0) Backoff(attempt);
      auto r = OnceWithToken(method, path, body);
      if (r.ok() && !Retriable(r->status)) return r;
      last = r.ok() ? StatusOfResponse(r->status, r->body, method + " " + path) : r.status();
      if (r.ok() && attempt + 1 == attempts) return r;  // out of retries: the caller sees the answer
    }
    return last;
  }

  Result<json> Get(const std::vector<std::string>& ids, const GetOptions& options) override {
    if (ids.empty()) return Status::InvalidArgument("no identifier given");
    bool any_404 = false;
    for (const auto& id : ids) {
      std::string path = "/" + IdPath(id) + "/?format=json";
      if (options.database) path += "&datastore=database";
      if (!options.frame.empty()) path += "&frame=" + sigv4::UriEncode(options.frame, false);
      DCC_ASSIGN_OR_RETURN(Response r, Request("GET", path, nullptr));
      if (r.status >= 200 && r.status < 300) return r.body;
      if (r.status == 404) {
        any_404 = true;
        continue;
      }
      // The reference raises on a 403 rather than trying the next identifier.
      return StatusOfResponse(r.status, r.body, "GET " + id);
    }
    if (any_404 && options.ignore_404) return json::object();
    std::string names;
    for (const auto& id : ids) names += (names.empty() ? "" : ", ") + id;
    return Status::NotFound("no record for " + names);
  }

  Result<std::vector<json>> Search(const std::vector<std::pair<std::string, std::string>>& params,
                                   int limit) override {
    std::vector<std::string> pairs;
    for (const auto& [k, v] : params) {
      bool negate = !k.empty() && k.back() == '!';
      std::string key = negate ? k.substr(0, k.size() - 1) : k;
      pairs.push_back(sigv4::UriEncode(key, false) + (negate ? "!=" : "=") + sigv4::UriEncode(v, false));
    }
    std::sort(pairs.begin(), pairs.end());  // as the reference client does
    std::string query;
    for (const auto& p : pairs) query += (query.empty() ? "" : "&") + p;
    return SearchQuery(query, limit);
  }

  const std::string& base_url() const override { return o_.url; }

  Result<Written> Post(json payload, const WriteOptions& options) override {
    if (!payload.is_object()) return Status::InvalidArgument("a record must be a JSON object");
    std::string profile_name = payload.value("_profile", payload.value("@id", ""));
    if (profile_name.empty())
      return Status::InvalidArgument("say which profile the record is for: \"_profile\": \"biosample\"");
    DCC_ASSIGN_OR_RETURN(Profile profile, FindProfile(profile_name));
    payload.erase("_profile");
    payload.erase("@id");
    payload.erase("_enc_id");
    if (profile.has_lab && !payload.contains("lab") && !options.lab.empty()) payload["lab"] = options.lab;
    if (profile.has_award && !payload.contains("award") && !options.award.empty()) payload["award"] = options.award;
    DCC_RETURN_IF_ERROR(Logged(client::InlineAttachments(payload)));
    DCC_RETURN_IF_ERROR(Logged(client::PrepareAliases(payload, options.lab.empty() ? payload.value("lab", "") : options.lab,
                                                      profile.has_aliases && options.require_aliases)));
    if (profile.id == "file") DCC_RETURN_IF_ERROR(Logged(client::PrepareFileRecord(payload, options.s3_endpoint)));
    Written w;
    w.path = "/" + profile.id;
    if (options.dry_run) {
      log_->Error("DRY RUN is enabled.");
      log_->Debug("DRY RUN: would POST " + w.path + " " + payload.dump());
      w.record = payload;
      return w;
    }
    log_->Debug("POST " + w.path + " " + payload.dump());
    DCC_ASSIGN_OR_RETURN(Response r, Logged(Request("POST", w.path, &payload)));
    w.method = "POST";
    if (r.status == 201 || r.status == 200) {
      w.record = r.body["@graph"][0];
      log_->Debug("created " + w.record.value("@id", w.record.value("uuid", "")));
      log_->Posted(w.record);
      return w;
    }
    if (r.status == 409 && payload.contains("aliases")) {
      // Idempotency as the reference ecosystem does it: the aliases name the record.
      for (const auto& alias : payload["aliases"]) {
        DCC_ASSIGN_OR_RETURN(Response existing, Request("GET", "/" + IdPath(alias.get<std::string>()) + "/?format=json", nullptr));
        if (existing.status == 200) {
          w.record = existing.body;
          w.existed = true;
          log_->Debug("Will not POST " + alias.get<std::string>() + " since it already exists: " +
                      existing.body.value("@id", ""));
          return w;
        }
      }
    }
    return Logged(Result<Written>(StatusOfResponse(r.status, r.body, "POST " + w.path)));
  }

  Result<json> Schema(const std::string& name) override {
    DCC_ASSIGN_OR_RETURN(Profile p, FindProfile(name));
    return p.schema;
  }

  Result<Written> Patch(json payload, const WriteOptions& options) override {
    std::string id = payload.value("_enc_id", "");
    if (id.empty()) return Status::InvalidArgument("say which record to patch: \"_enc_id\": \"<identifier>\"");
    payload.erase("_enc_id");
    payload.erase("_profile");
    Written w;
    w.path = "/" + IdPath(id);
    DCC_ASSIGN_OR_RETURN(Response current, Request("GET", w.path + "/?format=json&frame=edit", nullptr));
    if (current.status == 404) return Status::NotFound("no record '" + id + "' to patch");
    if (current.status != 200) return StatusOfResponse(current.status, current.body, "GET " + id);
    if (payload.contains("aliases")) {
      DCC_RETURN_IF_ERROR(client::PrepareAliases(payload, options.lab.empty() ? current.body.value("lab", "") : options.lab, false));
    }
    DCC_RETURN_IF_ERROR(Logged(client::InlineAttachments(payload)));
    if (options.extend_arrays) client::ExtendArrays(payload, current.body);
    // If-Match: the arrays were extended from this revision; a concurrent edit must not be lost.
    return Send("PATCH", w, payload, options, current.etag, id);
  }

  Result<Written> RemoveProps(const std::string& id, const std::vector<std::string>& props, const json& patch_in,
                              const WriteOptions& options) override {
    if (id.empty()) return Status::InvalidArgument("say which record to change");
    if (!patch_in.is_object()) return Status::InvalidArgument("the patch must be a JSON object");
    Written w;
    w.path = "/" + IdPath(id);
    // The object frame names the profile (@type); the edit frame is what PUT replaces.
    DCC_ASSIGN_OR_RETURN(Response object, Request("GET", w.path + "/?format=json&frame=object", nullptr));
    if (object.status == 404) return Status::NotFound("no record '" + id + "' to change");
    if (object.status != 200) return StatusOfResponse(object.status, object.body, "GET " + id);
    if (!object.body.contains("@type") || !object.body["@type"].is_array() || object.body["@type"].empty())
      return Status::Internal("the record '" + id + "' has no @type");
    DCC_ASSIGN_OR_RETURN(Profile profile, FindProfile(object.body["@type"][0].get<std::string>()));
    DCC_RETURN_IF_ERROR(CheckRemovableProps(profile.schema, props));
    DCC_ASSIGN_OR_RETURN(Response edit, Request("GET", w.path + "/?format=json&frame=edit", nullptr));
    if (edit.status != 200) return StatusOfResponse(edit.status, edit.body, "GET " + id + " (edit frame)");
    json body = std::move(edit.body);
    for (const auto& prop : props) body.erase(prop);
    json patch = patch_in;
    patch.erase("_enc_id");
    patch.erase("_profile");
    patch.erase("@id");
    if (patch.contains("aliases"))
      DCC_RETURN_IF_ERROR(client::PrepareAliases(patch, options.lab.empty() ? body.value("lab", "") : options.lab, false));
    DCC_RETURN_IF_ERROR(Logged(client::InlineAttachments(patch)));
    if (options.extend_arrays) client::ExtendArrays(patch, body);
    for (auto it = patch.begin(); it != patch.end(); ++it) body[it.key()] = *it;
    return Send("PUT", w, body, options, edit.etag, id);
  }

  Result<std::vector<json>> SearchQuery(const std::string& raw, int limit) override {
    std::string query = raw;
    if (auto q = query.find('?'); q != std::string::npos) query = query.substr(q + 1);
    if (query.find("limit=") == std::string::npos)
      query += std::string(query.empty() ? "" : "&") + "limit=" + (limit > 0 ? std::to_string(limit) : "all");
    query += "&format=json";
    DCC_ASSIGN_OR_RETURN(Response r, Request("GET", "/search/?" + query, nullptr));
    // The reference answers an empty search with 404 and an empty @graph.
    if ((r.status == 200 || r.status == 404) && r.body.is_object() && r.body.contains("@graph"))
      return r.body["@graph"].get<std::vector<json>>();
    return StatusOfResponse(r.status, r.body, "search " + query);
  }

 private:
  // A failed step's status, also written to the error log.
  Status Logged(Status s) {
    if (!s.ok()) log_->Error(s.ToString());
    return s;
  }
  template <typename T>
  Result<T> Logged(Result<T> r) {
    if (!r.ok()) log_->Error(r.status().ToString());
    return r;
  }

  // PATCH or PUT `body` to w.path (If-Match `etag` when given), or only log it in a dry run.
  Result<Written> Send(const std::string& method, Written w, const json& body, const WriteOptions& options,
                       const std::string& etag, const std::string& id) {
    if (options.dry_run) {
      log_->Error("DRY RUN is enabled.");
      log_->Debug("DRY RUN: would " + method + " " + w.path + " " + body.dump());
      w.record = body;
      return w;
    }
    log_->Debug(method + " " + w.path + " " + body.dump());
    if_match_ = etag;
    auto r = Request(method, w.path, &body);
    if_match_.clear();
    DCC_RETURN_IF_ERROR(Logged(r.status()));
    w.method = method;
    if (r->status == 200) {
      w.record = r->body["@graph"][0];
      return w;
    }
    if (r->status == 412)
      return Logged(Status::PreconditionFailed("'" + id + "' changed while it was being edited; nothing was written, run again"));
    return Logged(StatusOfResponse(r->status, r->body, method + " " + id));
  }

  void Backoff(int attempt) {
    double base = 0.5 * (1 << (attempt - 1));
    double jitter = base * 0.25 * (randombytes_uniform(1000) / 1000.0);
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>((base + jitter) * 1000)));
  }

  // One request with the current bearer token; on a 401, one refresh and one resend (a
  // token that expired or was revoked mid-run), then the 401 goes to the caller. indexd
  // answers 401 for a denied token too, so this never loops (gen3.md §2.10, §8).
  Result<Response> OnceWithToken(const std::string& method, const std::string& path, const json* body) {
    if (!o_.bearer) return Once(method, path, body, "");
    DCC_ASSIGN_OR_RETURN(std::string token, o_.bearer->Token());
    DCC_ASSIGN_OR_RETURN(Response r, Once(method, path, body, token));
    if (r.status != 401) return r;
    DCC_ASSIGN_OR_RETURN(std::string fresh, o_.bearer->Refresh(token));
    return Once(method, path, body, fresh);
  }

  Result<Response> Once(const std::string& method, const std::string& path, const json* body,
                        const std::string& token) {
    std::string url = o_.url + path;
    std::string payload = body ? body->dump() : std::string();
    std::string received;
    curl_easy_reset(curl_);  // keeps the connection cache: keep-alive survives
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    // A per-request header list when this request adds headers (If-Match, a bearer token
    // that changes on refresh), built as a copy so the shared list is never modified.
    curl_slist* extra = nullptr;
    if (!if_match_.empty() || !token.empty()) {
      for (curl_slist* h = headers_; h; h = h->next) extra = curl_slist_append(extra, h->data);
      if (!if_match_.empty()) extra = curl_slist_append(extra, ("If-Match: " + if_match_).c_str());
      if (!token.empty()) extra = curl_slist_append(extra, ("Authorization: bearer " + token).c_str());
    }
    struct SlistFree {
      curl_slist* l;
      ~SlistFree() {
        if (l) curl_slist_free_all(l);
      }
    } free_extra{extra};
    std::string etag;
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, extra ? extra : headers_);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, CollectETag);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &etag);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, o_.timeout_seconds);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    if (!o_.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, o_.ca_file.c_str());
    if (token.empty() && !o_.api_key.empty()) {
      curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(curl_, CURLOPT_USERNAME, o_.api_key.c_str());
      curl_easy_setopt(curl_, CURLOPT_PASSWORD, o_.secret_key.c_str());
    }
    if (body) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, payload.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    }
    CURLcode rc = curl_easy_perform(curl_);
    if (rc != CURLE_OK) {
      return Status::Unavailable(method + " " + url + ": " + curl_easy_strerror(rc));
    }
    Response r;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
    char* location = nullptr;
    if (curl_easy_getinfo(curl_, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) r.location = location;
    r.etag = std::move(etag);
    r.body = json::parse(received, nullptr, false);
    if (r.body.is_discarded()) r.body = received;
    return r;
  }

  struct Profile {
    std::string id;  // "biosample"
    bool has_lab = false, has_award = false, has_aliases = false;
    nlohmann::json schema;
  };

  // The profiles document, fetched once (anonymously readable).
  Result<const json*> Profiles() {
    if (profiles_.is_null()) {
      DCC_ASSIGN_OR_RETURN(Response r, Request("GET", "/profiles/?format=json", nullptr));
      if (r.status != 200 || !r.body.is_object()) return StatusOfResponse(r.status, r.body, "GET /profiles/");
      profiles_ = std::move(r.body);
    }
    return &profiles_;
  }

  // Any name of a profile: id, TypeName, collection or an @id path; plurals are
  // singularised as the reference does for the common English endings.
  Result<Profile> FindProfile(const std::string& name) {
    DCC_ASSIGN_OR_RETURN(const json* all, Profiles());
    std::string n = name;
    while (!n.empty() && n.front() == '/') n.erase(0, 1);
    n = n.substr(0, n.find('/'));
    for (auto& ch : n) ch = ch == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::vector<std::string> candidates = {n};
    if (n.size() > 3 && n.compare(n.size() - 3, 3, "ies") == 0) candidates.push_back(n.substr(0, n.size() - 3) + "y");
    if (n.size() > 2 && n.compare(n.size() - 2, 2, "es") == 0) candidates.push_back(n.substr(0, n.size() - 2));
    if (n.size() > 1 && n.back() == 's') candidates.push_back(n.substr(0, n.size() - 1));
    for (auto it = all->begin(); it != all->end(); ++it) {
      if (!it->is_object() || !it->contains("id")) continue;
      std::string id = (*it)["id"].get<std::string>();  // "/profiles/<id>.json"
      id = id.substr(10, id.size() - 15);
      std::string type_lower = it.key();
      for (auto& ch : type_lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string collection = it->value("collection", "");
      for (auto& ch : collection) ch = ch == '-' ? '_' : ch;
      for (const auto& c : candidates) {
        if (c == id || c == type_lower || (!collection.empty() && c == collection)) {
          const json& props = (*it)["properties"];
          return Profile{id, props.contains("lab"), props.contains("award"), props.contains("aliases"), *it};
        }
      }
    }
    return Status::InvalidArgument("the server has no profile '" + name + "' (see GET /profiles/)");
  }

  ClientOptions o_;
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  json profiles_;
  std::string if_match_;  // sent with the next request when set (Send)
  std::unique_ptr<client::SubmissionLog> log_;
};

}  // namespace

Status CheckRemovableProps(const json& schema, const std::vector<std::string>& props) {
  const json& properties = schema.contains("properties") ? schema["properties"] : json::object();
  const json required = schema.value("required", json::array());
  const std::string type = schema.value("title", "the profile");
  for (const auto& prop : props) {
    if (!properties.contains(prop)) return Status::InvalidArgument("'" + prop + "' is not a property of " + type);
    const json& sub = properties[prop];
    std::string why;
    if (std::find(required.begin(), required.end(), prop) != required.end()) why = "it is required";
    else if (sub.value("notSubmittable", false)) why = "it is calculated by the server (notSubmittable)";
    else if (sub.contains("readonly") || sub.contains("permission")) why = "it is read-only (set by the portal's admins)";
    if (!why.empty()) return Status::InvalidArgument("cannot remove '" + prop + "': " + why);
  }
  return Status::Ok();
}

Result<ClientOptions> ClientOptions::FromConfig(const Config& config, const std::string& mode_override) {
  const json& v = config.values();
  std::string mode = !mode_override.empty() ? mode_override : v.value("mode", "");
  if (mode.empty()) {
    return Status::InvalidArgument(
        "no server configured: pass --server URL, set DCC_MODE, or set \"mode\" in a config file (see dcc config show)");
  }
  ClientOptions o;
  if (v.contains("servers") && v["servers"].contains(mode) && v["servers"][mode].contains("url")) {
    o.url = v["servers"][mode]["url"].get<std::string>();
  } else if (mode.find("://") != std::string::npos) {
    o.url = mode;
  } else {
    o.url = "https://" + mode;  // the reference forces HTTPS for a bare host
  }
  while (!o.url.empty() && o.url.back() == '/') o.url.pop_back();
  if (v.contains("retries") && v["retries"].is_number_integer()) o.max_retries = v["retries"].get<int>();
  o.log_dir = v.value("log_dir", "");
  o.api_key = v.value("api_key", "");
  o.secret_key = v.value("secret_key", "");
  return o;
}

Result<std::unique_ptr<Client>> Client::Open(const ClientOptions& options) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (options.url.empty()) return Status::InvalidArgument("no server URL");
  auto c = std::make_unique<CurlClient>(options);
  DCC_RETURN_IF_ERROR(c->Init());
  return std::unique_ptr<Client>(std::move(c));
}

}  // namespace dcc
