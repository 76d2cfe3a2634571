#include "server/api/indexd/wire.h"

#include "server/api/json_body.h"
#include "server/http/status_map.h"
#include "server/services/index_record.h"

namespace dcc::server::indexd {
using nlohmann::json;

namespace {

std::vector<std::string> All(const HttpRequest& req, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : req.query)
    if (k == name) out.push_back(v);
  return out;
}

// "type:value", split at the first ':'.
Result<std::pair<std::string, std::string>> SplitPair(const std::string& s,
                                                      const std::string& name) {
  size_t colon = s.find(':');
  if (colon == std::string::npos)
    return Status::InvalidArgument(name + " must be key:value (got '" + s + "')", name);
  return std::make_pair(s.substr(0, colon), s.substr(colon + 1));
}

Result<json> JsonParam(const std::string& text, const std::string& name) {
  DCC_ASSIGN_OR_RETURN(json j, ParseUntrustedJson(text, name, nullptr));
  if (!j.is_object()) return Status::InvalidArgument(name + " must be a JSON object", name);
  return j;
}

std::string Text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

Result<std::vector<ObjectQuery::UrlsMetadata>> UrlsMetadataOf(const json& j,
                                                              const std::string& name) {
  std::vector<ObjectQuery::UrlsMetadata> out;
  for (const auto& [url, kv] : j.items()) {
    if (!kv.is_object())
      return Status::InvalidArgument(name + ": each url maps to an object {key: value}", name);
    ObjectQuery::UrlsMetadata m{url, {}};
    for (const auto& [k, v] : kv.items()) m.kv.emplace_back(k, Text(v));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<std::string>> StringsOf(const json& v, const std::string& name) {
  std::vector<std::string> out;
  if (v.is_string()) return std::vector<std::string>{v.get<std::string>()};
  if (!v.is_array()) return Status::InvalidArgument(name + " must be a list of strings", name);
  for (const auto& x : v) out.push_back(Text(x));
  return out;
}

Status ParseNegate(const json& j, ObjectQuery::Negated& n) {
  for (const auto& [key, v] : j.items()) {
    const std::string where = "negate_params." + key;
    if (key == "file_name" || key == "version" || key == "uploader") {
      if (!v.is_string()) return Status::InvalidArgument(where + " must be a string", where);
      (key == "file_name" ? n.file_name
       : key == "version" ? n.version
                          : n.uploader) = v.get<std::string>();
    } else if (key == "urls" || key == "acl" || key == "authz") {
      DCC_ASSIGN_OR_RETURN(auto list, StringsOf(v, where));
      (key == "urls" ? n.urls : key == "acl" ? n.acl : n.authz) = list;
    } else if (key == "hashes") {
      if (!v.is_object())
        return Status::InvalidArgument(where + " must be an object {type: value}", where);
      for (const auto& [t, h] : v.items()) n.hashes.emplace_back(t, Text(h));
    } else if (key == "metadata") {
      if (!v.is_object())
        return Status::InvalidArgument(where + " must be an object {key: value}", where);
      for (const auto& [k, x] : v.items()) {
        if (x.is_null() || (x.is_string() && x.get<std::string>().empty()))
          n.metadata_keys.push_back(k);
        else
          n.metadata.emplace_back(k, Text(x));
      }
    } else if (key == "urls_metadata") {
      if (!v.is_object()) return Status::InvalidArgument(where + " must be an object", where);
      DCC_ASSIGN_OR_RETURN(n.urls_metadata, UrlsMetadataOf(v, where));
    } else {
      return Status::InvalidArgument("negate_params: unknown key '" + key + "'", "negate_params");
    }
  }
  return Status::Ok();
}

}  // namespace

HttpResponse RenderError(const Status& status, const HttpRequest& req) {
  const int http = HttpStatusOf(status.code());
  std::string msg = status.message();
  if (!status.where().empty()) msg += " (" + status.where() + ")";
  if (http >= 500) msg += " [request " + req.request_id + "]";
  HttpResponse r = JsonResponse(http == 422 ? 400 : http, {{"error", msg}});
  if (http == 401) r.headers.emplace("WWW-Authenticate", "Basic realm=\"dccd\"");
  return r;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string part =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<bool> ParseBool(const std::string& v, const std::string& name) {
  if (v == "true" || v == "True" || v == "TRUE" || v == "1" || v == "yes") return true;
  if (v.empty() || v == "false" || v == "False" || v == "FALSE" || v == "0" || v == "no")
    return false;
  return Status::InvalidArgument(name + " must be true or false (got '" + v + "')", name);
}

Result<int64_t> ParseCount(const std::string& v, const std::string& name) {
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
    return Status::InvalidArgument(name + " must be a non-negative integer (got '" + v + "')",
                                   name);
  return std::stoll(v);
}

Result<ObjectQuery> ParseIndexQuery(const HttpRequest& req, json& echo) {
  ObjectQuery q;
  q.limit = 100;
  if (req.HasQuery("limit")) {
    auto limit = ParseCount(req.Query("limit"), "limit");
    if (!limit.ok() || *limit > 1024)
      return Status::InvalidArgument("limit must be between 0 and 1024", "limit");
    q.limit = *limit;
  }
  q.start = req.Query("start");
  std::optional<int64_t> page;
  if (req.HasQuery("page")) {
    DCC_ASSIGN_OR_RETURN(page, ParseCount(req.Query("page"), "page"));
    q.offset = *page * q.limit;
  }
  if (req.HasQuery("ids")) {
    if (req.HasQuery("start") || req.HasQuery("limit") || req.HasQuery("page"))
      return Status::InvalidArgument("pagination is not supported when ids is provided", "ids");
    q.ids = SplitComma(req.Query("ids"));
    q.limit = -1;
    if (q.ids.empty()) q.none = true;
  }
  json hashes = json::object();
  for (const auto& h : All(req, "hash")) {
    DCC_ASSIGN_OR_RETURN(auto pair, SplitPair(h, "hash"));
    Status s = ValidateHash(pair.first, pair.second);
    if (!s.ok()) return Status::InvalidArgument(s.message(), "hash");
    q.hashes.push_back(pair);
    hashes[pair.first] = pair.second;
  }
  if (req.HasQuery("size")) {
    DCC_ASSIGN_OR_RETURN(int64_t size, ParseCount(req.Query("size"), "size"));
    q.size = static_cast<uint64_t>(size);
  }
  q.urls = All(req, "url");
  auto list = [&](const char* name, std::vector<std::string>& out, bool& none) {
    if (!req.HasQuery(name)) return;
    if (req.Query(name) == "null")
      none = true;
    else
      out = SplitComma(req.Query(name));
  };
  list("acl", q.acl, q.acl_none);
  list("authz", q.authz, q.authz_none);
  for (const char* name : {"file_name", "version", "uploader"}) {
    if (!req.HasQuery(name)) continue;
    std::string v = req.Query(name);
    (std::string(name) == "file_name" ? q.file_name
     : std::string(name) == "version" ? q.version
                                      : q.uploader) = v;
  }
  json metadata = json::object();
  for (const auto& m : All(req, "metadata")) {
    DCC_ASSIGN_OR_RETURN(auto pair, SplitPair(m, "metadata"));
    q.metadata.push_back(pair);
    metadata[pair.first] = pair.second;
  }
  json urls_metadata = nullptr;
  if (req.HasQuery("urls_metadata")) {
    DCC_ASSIGN_OR_RETURN(urls_metadata, JsonParam(req.Query("urls_metadata"), "urls_metadata"));
    DCC_ASSIGN_OR_RETURN(q.urls_metadata, UrlsMetadataOf(urls_metadata, "urls_metadata"));
  }
  if (req.HasQuery("negate_params")) {
    DCC_ASSIGN_OR_RETURN(json negate, JsonParam(req.Query("negate_params"), "negate_params"));
    DCC_RETURN_IF_ERROR(ParseNegate(negate, q.negate));
  }
  if (req.HasQuery("form")) {
    std::string form = req.Query("form");
    if (form == "bundle")
      q.none = true;  // dccd holds no bundles
    else if (form == "container" || form == "multipart")
      q.form = form;
    else if (form != "object" && form != "all")
      return Status::InvalidArgument("form must be object, bundle, all, container or multipart",
                                     "form");
  }
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  echo = {{"ids", req.HasQuery("ids") ? json(q.ids) : json(nullptr)},
          {"limit", q.limit < 0 ? json(nullptr) : json(q.limit)},
          {"start", q.start.empty() ? json(nullptr) : json(q.start)},
          {"page", page ? json(*page) : json(nullptr)},
          {"size", q.size ? json(*q.size) : json(nullptr)},
          {"file_name", opt(q.file_name)},
          {"version", opt(q.version)},
          {"uploader", opt(q.uploader)},
          {"urls", q.urls},
          {"acl", q.acl_none ? json(nullptr) : json(q.acl)},
          {"authz", q.authz_none ? json(nullptr) : json(q.authz)},
          {"hashes", hashes},
          {"metadata", metadata},
          {"urls_metadata", urls_metadata}};
  return q;
}

}  // namespace dcc::server::indexd
