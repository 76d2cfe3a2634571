#include "server/api/indexd/routes.h"

#include <algorithm>
#include <functional>
#include <map>

#include "server/api/indexd/wire.h"
#include "server/services/index_record.h"
#include "server/api/json_body.h"
#include "server/api/request_caller.h"

namespace dcc::server::indexd {
using nlohmann::json;

namespace {

constexpr size_t kMaxBulkDocuments = 10000;
// Where a Gen3 commons' proxy puts indexd; the whole table is served there too.
constexpr const char* kCommonsPrefix = "/index";

// /index/<a commons-layout name>[/...]: never a did (index_record.h CommonsLayoutNames).
const std::string& ReservedUnderIndexPattern() {
  static const std::string kPattern = [] {
    std::string alt;
    for (const auto& n : CommonsLayoutNames()) alt += (alt.empty() ? "" : "|") + n;
    return std::string(kCommonsPrefix) + "/(?:" + alt + ")(?:/.*)?";
  }();
  return kPattern;
}
constexpr int64_t kExportChunk = 1000;

Result<Caller> CallerOf(Services& s, HttpRequest& req) { return AuthenticateRequest(s.auth, req); }

// The caller of a write: 401 without credentials (the service checks permissions).
Result<Caller> SignedIn(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  return caller;
}

json WriteJson(const IndexWrite& w) {
  return {{"did", w.did}, {"rev", w.rev}, {"baseid", w.baseid}};
}

// A write of a JSON body that answers {did, rev, baseid} with `status`.
Result<HttpResponse> BodyWrite(
    Services& s, HttpRequest& req, int status,
    const std::function<Result<IndexWrite>(const Caller&, const json&)>& call) {
  DCC_ASSIGN_OR_RETURN(Caller caller, SignedIn(s, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  DCC_ASSIGN_OR_RETURN(IndexWrite w, call(caller, body));
  return JsonResponse(status, WriteJson(w));
}

HttpResponse RawJson(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

Result<HttpResponse> Health(Services&, HttpRequest&) {
  HttpResponse r;
  r.content_type = "text/plain";
  r.body = "Healthy";
  return r;
}

Result<HttpResponse> Version(Services&, HttpRequest&) {
  return JsonResponse(200, {{"version", "dccd"}, {"commit", ""}});
}

Result<HttpResponse> Stats(Services& s, HttpRequest& req) {
  std::string month;
  if (req.HasQuery("month") != req.HasQuery("year"))
    return Status::InvalidArgument("give both month and year, or neither");
  if (req.HasQuery("month")) {
    DCC_ASSIGN_OR_RETURN(int64_t m, ParseCount(req.Query("month"), "month"));
    DCC_ASSIGN_OR_RETURN(int64_t y, ParseCount(req.Query("year"), "year"));
    if (m < 1 || m > 12 || y > 9999)
      return Status::InvalidArgument("month must be 1..12 and year 0..9999");
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", static_cast<int>(y), static_cast<int>(m));
    month = buf;
  }
  DCC_ASSIGN_OR_RETURN(ObjectStats st, s.index.Stats(month));
  return JsonResponse(200, {{"fileCount", st.count}, {"totalFileSize", st.total_size}});
}

Result<HttpResponse> Mint(Services& s, HttpRequest& req) {
  int64_t count = 1;
  if (req.HasQuery("count")) {
    auto c = ParseCount(req.Query("count"), "count");
    if (!c.ok()) return Status::InvalidArgument("count must be an integer between 0 and 10000");
    count = *c;
  }
  auto guids = s.index.Mint(count);
  if (!guids.ok()) {
    // indexd answers /guid/mint errors in plain text.
    HttpResponse r;
    r.status = 400;
    r.content_type = "text/plain";
    r.body = guids.status().message();
    return r;
  }
  return JsonResponse(200, {{"guids", *guids}});
}

Result<HttpResponse> Prefix(Services& s, HttpRequest&) {
  return JsonResponse(200, {{"prefix", s.index.options().did_prefix}});
}

// GET /index/: the records a query matches, as stored text spliced into the envelope.
Result<HttpResponse> List(Services& s, HttpRequest& req) {
  json echo;
  DCC_ASSIGN_OR_RETURN(ObjectQuery q, ParseIndexQuery(req, echo));
  std::string body = "{\"records\":[";
  bool first = true;
  DCC_RETURN_IF_ERROR(s.index.List(q, [&](const std::string&, const std::string& doc) {
    if (!first) body += ',';
    first = false;
    body += doc;
    return Status::Ok();
  }));
  body += "],";
  body += echo.dump().substr(1);
  return RawJson(std::move(body));
}

Result<HttpResponse> Create(Services& s, HttpRequest& req) {
  return BodyWrite(s, req, 200,
                   [&](const Caller& c, const json& body) { return s.index.Create(c, body); });
}

Result<HttpResponse> CreateBlank(Services& s, HttpRequest& req) {
  return BodyWrite(s, req, 201,
                   [&](const Caller& c, const json& body) { return s.index.CreateBlank(c, body); });
}

Result<HttpResponse> BlankVersion(Services& s, HttpRequest& req) {
  return BodyWrite(s, req, 201, [&](const Caller& c, const json& body) {
    return s.index.AddBlankVersion(c, req.captures[0], body);
  });
}

Result<HttpResponse> UpdateVersions(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, SignedIn(s, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  DCC_ASSIGN_OR_RETURN(auto written, s.index.UpdateAllVersions(caller, req.captures[0], body));
  json out = json::array();
  for (const auto& w : written) out.push_back(WriteJson(w));
  return JsonResponse(200, out);
}

Result<HttpResponse> Dist(Services&, HttpRequest&) { return JsonResponse(200, json::array()); }

Result<HttpResponse> FillBlank(Services& s, HttpRequest& req) {
  return BodyWrite(s, req, 200, [&](const Caller& c, const json& body) {
    return s.index.FillBlank(c, req.captures[0], req.Query("rev"), body);
  });
}

// GET /index/{guid}: the stored record, with indexd's decoration of urls_metadata
// entries (gen3.md §2.1): "cloud" by url scheme and "available": true when absent.
// Listings serve the stored text undecorated, as indexd does.
HttpResponse RecordResponse(ObjectRow row) {
  if (row.urls_metadata.empty()) return RawJson(std::move(row.doc));
  static const std::map<std::string, std::string> kClouds = {
      {"s3", "aws"}, {"gs", "gcp"}, {"az", "azure"}};
  json doc = json::parse(row.doc);
  for (auto& [url, meta] : doc["urls_metadata"].items()) {
    if (!meta.is_object()) continue;
    auto cloud = kClouds.find(url.substr(0, url.find("://")));
    if (cloud != kClouds.end() && !meta.contains("cloud")) meta["cloud"] = cloud->second;
    if (!meta.contains("available")) meta["available"] = true;
  }
  return JsonResponse(200, doc);
}

// The path is indexd's record GET in the root layout and its global resolver in the
// commons layout, so it answers both: a did or baseid, else an alias.
Result<HttpResponse> Get(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(ObjectRow row, s.index.Lookup(req.captures[0]));
  return RecordResponse(std::move(row));
}

Result<HttpResponse> Update(Services& s, HttpRequest& req) {
  return BodyWrite(s, req, 200, [&](const Caller& c, const json& body) {
    return s.index.Update(c, req.captures[0], req.Query("rev"), body);
  });
}

Result<HttpResponse> Delete(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  DCC_RETURN_IF_ERROR(s.index.Delete(caller, req.captures[0], req.Query("rev")));
  HttpResponse r;
  r.content_type = "text/plain";
  return r;
}

Result<HttpResponse> NewVersion(Services& s, HttpRequest& req) {
  return BodyWrite(s, req, 200, [&](const Caller& c, const json& body) {
    return s.index.AddVersion(c, req.captures[0], body);
  });
}

// {"0": record, "1": record, ...}, oldest first.
Result<HttpResponse> Versions(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(auto versions, s.index.Versions(req.captures[0]));
  std::string body = "{";
  for (size_t i = 0; i < versions.size(); ++i)
    body += (i ? ",\"" : "\"") + std::to_string(i) + "\":" + versions[i].doc;
  return RawJson(body + "}");
}

Result<HttpResponse> Latest(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(bool has_version, ParseBool(req.Query("has_version"), "has_version"));
  DCC_ASSIGN_OR_RETURN(ObjectRow row, s.index.Latest(req.captures[0], has_version));
  return RawJson(std::move(row.doc));
}

json AliasesJson(const std::vector<std::string>& aliases) {
  json list = json::array();
  for (const auto& a : aliases) list.push_back({{"value", a}});
  return {{"aliases", list}};
}

Result<HttpResponse> GetAliases(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(auto aliases, s.index.Aliases(req.captures[0]));
  return JsonResponse(200, AliasesJson(aliases));
}

// {"aliases": [{"value": "..."}, ...]}
Result<std::vector<std::string>> AliasesBody(HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  const char* shape = "the body must be {\"aliases\": [{\"value\": \"...\"}, ...]}";
  if (!body.is_object() || !body.contains("aliases") || !body["aliases"].is_array() ||
      body.size() != 1)
    return Status::InvalidArgument(shape);
  std::vector<std::string> out;
  for (const auto& a : body["aliases"]) {
    if (!a.is_object() || a.size() != 1 || !a.contains("value") || !a["value"].is_string() ||
        a["value"].get<std::string>().empty())
      return Status::InvalidArgument(shape);
    out.push_back(a["value"].get<std::string>());
  }
  return out;
}

template <bool kReplace>
Result<HttpResponse> SetAliases(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, SignedIn(s, req));
  DCC_ASSIGN_OR_RETURN(auto aliases, AliasesBody(req));
  DCC_ASSIGN_OR_RETURN(auto all, s.index.AddAliases(caller, req.captures[0], aliases, kReplace));
  return JsonResponse(200, AliasesJson(all));
}

Result<HttpResponse> DeleteAliases(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  std::string alias = req.captures.size() > 1 ? req.captures[1] : std::string();
  DCC_RETURN_IF_ERROR(s.index.DeleteAliases(caller, req.captures[0], alias));
  HttpResponse r;
  r.content_type = "text/plain";
  r.body = "Aliases deleted successfully";
  return r;
}

// POST /bulk/documents: ["did", ...] -> [record, ...] (missing ones omitted).
Result<HttpResponse> BulkDocuments(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  if (body.is_object() && body.contains("ids")) body = body["ids"];
  if (!body.is_array()) return Status::InvalidArgument("the body must be a JSON array of dids");
  if (body.size() > kMaxBulkDocuments)
    return Status::TooLarge("at most " + std::to_string(kMaxBulkDocuments) +
                            " dids per request (got " + std::to_string(body.size()) + ")");
  std::vector<std::string> dids;
  dids.reserve(body.size());
  for (const auto& d : body) {
    if (!d.is_string())
      return Status::InvalidArgument("the body must be a JSON array of did strings");
    dids.push_back(d.get<std::string>());
  }
  DCC_ASSIGN_OR_RETURN(auto docs, s.index.Documents(dids));
  std::string out = "[";
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i) out += ',';
    out += docs[i];
  }
  return RawJson(out + "]");
}

// POST /bulk/index: all-or-nothing upsert; a rejection lists every bad record.
Result<HttpResponse> BulkIndex(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, SignedIn(s, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  auto written = s.index.BulkUpsert(caller, body);
  if (!written.ok()) {
    const Status& st = written.status();
    if (st.details().empty()) return st;
    json errors = json::array();
    for (const auto& d : st.details()) {
      size_t i = std::stoul(d.where.substr(1));
      const json& rec = body[i];
      json did = rec.is_object() && rec.contains("did") ? rec["did"] : json(nullptr);
      errors.push_back({{"index", i}, {"did", did}, {"error", d.message}});
    }
    return JsonResponse(400, {{"error", st.message()}, {"errors", errors}});
  }
  json records = json::array();
  for (const auto& w : *written) {
    json j = WriteJson(w);
    j["result"] = w.result;
    records.push_back(std::move(j));
  }
  return JsonResponse(200, {{"records", records}});
}

// GET /bulk/export?start=&limit=: NDJSON in did order, streamed a chunk of records at a
// time (constant memory; each chunk is a fresh keyset query, so no read transaction stays
// open for the whole export).
Result<HttpResponse> Export(Services& s, HttpRequest& req) {
  int64_t limit = -1;
  if (req.HasQuery("limit")) {
    DCC_ASSIGN_OR_RETURN(limit, ParseCount(req.Query("limit"), "limit"));
  }
  std::string start = req.Query("start");
  IndexService* index = &s.index;
  HttpResponse r;
  r.content_type = "application/x-ndjson";
  r.stream_chunked = true;
  r.stream = [index, start, limit](const BodySink& sink) {
    std::string last = start;
    int64_t remaining = limit;
    std::string buf;
    while (remaining != 0) {
      ObjectQuery q;
      q.start = last;
      q.limit = remaining < 0 ? kExportChunk : std::min(remaining, kExportChunk);
      int64_t n = 0;
      buf.clear();
      Status st = index->List(q, [&](const std::string& did, const std::string& doc) {
        buf += doc;
        buf += '\n';
        last = did;
        ++n;
        return Status::Ok();
      });
      if (!st.ok()) return false;
      if (!buf.empty() && !sink(buf.data(), buf.size())) return false;
      if (remaining > 0) remaining -= n;
      if (n < q.limit) break;
    }
    return true;
  };
  return r;
}

// GET /urls/: {"urls": [{"url", "metadata"}], ...} of the records matching size, hash or
// ids; start and limit page over the urls.
Result<HttpResponse> Urls(Services& s, HttpRequest& req) {
  if (!req.HasQuery("size") && !req.HasQuery("hash") && !req.HasQuery("ids"))
    return Status::InvalidArgument("give at least one of size, hash or ids");
  ObjectQuery q;
  json hashes = json::object();
  for (const auto& [k, v] : req.query) {
    if (k != "hash") continue;
    size_t colon = v.find(':');
    if (colon == std::string::npos)
      return Status::InvalidArgument("hash must be type:value", "hash");
    q.hashes.emplace_back(v.substr(0, colon), v.substr(colon + 1));
    hashes[v.substr(0, colon)] = v.substr(colon + 1);
  }
  json size = nullptr;
  if (req.HasQuery("size")) {
    DCC_ASSIGN_OR_RETURN(int64_t n, ParseCount(req.Query("size"), "size"));
    q.size = static_cast<uint64_t>(n);
    size = n;
  }
  if (req.HasQuery("ids")) q.ids = SplitComma(req.Query("ids"));
  int64_t start = 0, limit = 100;
  if (req.HasQuery("start")) {
    DCC_ASSIGN_OR_RETURN(start, ParseCount(req.Query("start"), "start"));
  }
  if (req.HasQuery("limit")) {
    auto l = ParseCount(req.Query("limit"), "limit");
    if (!l.ok() || *l > 1024)
      return Status::InvalidArgument("limit must be between 0 and 1024", "limit");
    limit = *l;
  }
  json urls = json::array();
  int64_t seen = 0;
  DCC_RETURN_IF_ERROR(s.index.List(q, [&](const std::string&, const std::string& doc) {
    json rec = json::parse(doc, nullptr, false);
    if (!rec.is_object()) return Status::Ok();
    for (const auto& url : rec["urls"]) {
      if (seen++ < start || static_cast<int64_t>(urls.size()) >= limit) continue;
      const json& meta = rec["urls_metadata"];
      urls.push_back(
          {{"url", url},
           {"metadata", meta.contains(url) ? meta[url.get<std::string>()] : json::object()}});
    }
    return Status::Ok();
  }));
  return JsonResponse(
      200,
      {{"urls", urls}, {"limit", limit}, {"start", start}, {"size", size}, {"hashes", hashes}});
}

// The /_query endpoints answer 400 for an unknown parameter, as indexd does.
Status OnlyParams(const HttpRequest& req, std::initializer_list<const char*> allowed) {
  for (const auto& param : req.query) {
    const std::string& k = param.first;  // a named reference: clang 14 cannot capture bindings
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }) ==
        allowed.end())
      return Status::InvalidArgument("unknown query parameter '" + k + "'", k);
  }
  return Status::Ok();
}

std::string ValueText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The paging and field selection shared by the /_query endpoints.
struct QueryPage {
  int64_t offset = 0;
  int64_t limit = 1000;
  std::vector<std::string> fields;
};

Result<QueryPage> ParseQueryPage(const HttpRequest& req, ObjectQuery& q,
                                 const char* default_fields) {
  QueryPage p;
  if (req.HasQuery("offset")) {
    DCC_ASSIGN_OR_RETURN(p.offset, ParseCount(req.Query("offset"), "offset"));
  }
  if (req.HasQuery("limit")) {
    DCC_ASSIGN_OR_RETURN(p.limit, ParseCount(req.Query("limit"), "limit"));
  }
  if (req.HasQuery("versioned")) {
    DCC_ASSIGN_OR_RETURN(bool v, ParseBool(req.Query("versioned"), "versioned"));
    q.versioned = v;
  }
  p.fields = SplitComma(req.HasQuery("fields") ? req.Query("fields") : default_fields);
  q.limit = p.offset + p.limit;
  return p;
}

// Runs `q` and renders the records past `page.offset` with `page.fields`; `reshape`
// may replace the urls of each record (and returns false to skip it).
Result<HttpResponse> QueryAnswer(Services& s, const ObjectQuery& q, const QueryPage& page,
                                 const std::function<bool(json&)>& reshape) {
  json out = json::array();
  int64_t seen = 0;
  DCC_RETURN_IF_ERROR(s.index.List(q, [&](const std::string&, const std::string& doc) {
    if (seen++ < page.offset) return Status::Ok();
    json rec = json::parse(doc, nullptr, false);
    if (!rec.is_object() || !reshape(rec)) return Status::Ok();
    json item = json::object();
    for (const auto& f : page.fields)
      if (rec.contains(f)) item[f] = rec[f];
    out.push_back(std::move(item));
    return Status::Ok();
  }));
  return JsonResponse(200, out);
}

// GET /_query/urls/q?include=&exclude=&versioned=&offset=&limit=&fields=: records with a
// url containing `include` and none containing `exclude`, in did order.
Result<HttpResponse> QueryUrls(Services& s, HttpRequest& req) {
  DCC_RETURN_IF_ERROR(
      OnlyParams(req, {"include", "exclude", "versioned", "offset", "limit", "fields"}));
  ObjectQuery q;
  if (req.HasQuery("include")) q.url_contains = req.Query("include");
  if (req.HasQuery("exclude")) q.url_excludes = req.Query("exclude");
  DCC_ASSIGN_OR_RETURN(QueryPage page, ParseQueryPage(req, q, "did,urls"));
  return QueryAnswer(s, q, page, [](json&) { return true; });
}

// GET /_query/urls/metadata/q?key=&value=&url=...: records with a url (containing `url`)
// whose urls_metadata has key == value; "urls" lists only those urls.
Result<HttpResponse> QueryUrlsMetadata(Services& s, HttpRequest& req) {
  DCC_RETURN_IF_ERROR(
      OnlyParams(req, {"key", "value", "url", "versioned", "offset", "limit", "fields"}));
  if (!req.HasQuery("key") || !req.HasQuery("value"))
    return Status::InvalidArgument("key and value are required");
  const std::string key = req.Query("key"), value = req.Query("value"), url = req.Query("url");
  ObjectQuery q;
  q.urls_metadata.push_back({url, {{key, value}}});
  DCC_ASSIGN_OR_RETURN(QueryPage page, ParseQueryPage(req, q, "did,urls,rev"));
  return QueryAnswer(s, q, page, [&](json& rec) {
    json urls = json::array();
    for (const auto& [u, meta] : rec["urls_metadata"].items())
      if (u.find(url) != std::string::npos && meta.contains(key) && ValueText(meta[key]) == value)
        urls.push_back(u);
    rec["urls"] = urls;
    return !urls.empty();
  });
}

// Under /index/ a path whose first segment is a commons-layout name (and that no
// commons route took) is never a did: 405 if another method serves the path, else 404.
Result<HttpResponse> NoCommonsEndpoint(const Router& router, HttpRequest& req) {
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  for (const auto& r : router.routes()) {
    if (r.pattern == ReservedUnderIndexPattern()) break;
    if (r.method != method && std::regex_match(req.path, r.regex))
      return Status::MethodNotAllowed("method " + req.method + " is not allowed on " + req.path);
  }
  return Status::NotFound("no indexd endpoint " + req.path + " (under /index/, '" +
                          req.path.substr(7, req.path.find('/', 7) - 7) +
                          "' names a commons-layout endpoint, never a did)");
}

}  // namespace

Result<HttpResponse> GlobalGet(Services& s, const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(ObjectRow row, s.index.Lookup(guid));
  return RecordResponse(std::move(row));
}

void RegisterRoutes(Router& router, Services& s) {
  static const RouteEntry<Services> kRoutes[] = {
      {"GET", "/_status/?", Health, "indexd health: 'Healthy'"},
      {"GET", "/_version/?", Version, "indexd version: {version, commit}"},
      {"GET", "/_stats/?", Stats, "index record count and total size {fileCount, totalFileSize}"},
      {"GET", "/guid/mint/?", Mint, "new GUIDs: {guids: [...]} (count 0..10000)"},
      {"GET", "/guid/prefix/?", Prefix, "the did prefix of minted GUIDs"},
      {"GET", "/_dist/?", Dist, "distributed resolvers: none"},
      {"GET", "/index/?", List, "index records by filters; start= keyset, page= offset paging"},
      {"POST", "/index/?", Create, "create an index record: 200 {did, rev, baseid}"},
      {"POST", "/index/blank/?", CreateBlank, "create a blank record (no size/hashes yet): 201"},
      {"PUT", "/index/blank/(.+?)/?", FillBlank,
       "fill a blank record's size, hashes and urls (?rev=)"},
      {"POST", "/index/blank/(.+?)/?", BlankVersion, "a new blank version of a record: 201"},
      {"GET", "/index/(.+?)/aliases/?", GetAliases, "a record's aliases"},
      {"POST", "/index/(.+?)/aliases/?", SetAliases<false>, "add aliases (409 if any is taken)"},
      {"PUT", "/index/(.+?)/aliases/?", SetAliases<true>, "replace a record's aliases"},
      {"DELETE", "/index/(.+?)/aliases/?", DeleteAliases, "delete all of a record's aliases"},
      {"DELETE", "/index/(.+?)/aliases/([^/]+)/?", DeleteAliases, "delete one alias"},
      {"GET", "/index/(.+?)/versions/?", Versions, "every version of a record {\"0\": ..., ...}"},
      {"PUT", "/index/(.+?)/versions/?", UpdateVersions,
       "set acl/authz on every version of a record"},
      {"GET", "/index/(.+?)/latest/?", Latest, "the newest version (?has_version=true)"},
      {"GET", "/index/(.+?)/?", Get, "one record by did, or the newest of a baseid"},
      {"PUT", "/index/(.+?)/?", Update, "update a record's mutable fields (?rev=)"},
      {"DELETE", "/index/(.+?)/?", Delete, "delete a record (?rev=)"},
      {"POST", "/index/(.+?)/?", NewVersion, "a new version of a record (same baseid)"},
      {"POST", "/bulk/documents/?", BulkDocuments, "records of a list of dids (at most 10000)"},
      {"POST", "/bulk/index/?", BulkIndex, "upsert many records, all or nothing", BodyClass::kBulk},
      {"GET", "/bulk/export/?", Export, "every record after start=, NDJSON in did order"},
      {"GET", "/urls/?", Urls, "urls of the records matching size, hash or ids"},
      {"GET", "/_query/urls/q/?", QueryUrls, "records by url substring (include, exclude)"},
      {"GET", "/_query/urls/metadata/q/?", QueryUrlsMetadata,
       "records by a url's metadata key=value"},
  };
  // The commons layout first (the SDK and gen3-client reach indexd behind the proxy at
  // /index/...), so that under /index/ its fixed names win over root-layout dids
  // (/index/{guid}); then the guard that keeps those names from ever reading as dids;
  // then the root layout (indexclient, a bare indexd). docs/gen3_layout.md has the map.
  for (const auto& e : kRoutes) {
    auto fn = e.handler;
    router.Add(
        e.method, std::string(kCommonsPrefix) + e.pattern,
        [&s, fn](HttpRequest& req) { return fn(s, req); }, RenderError,
        std::string(e.description) + " (commons layout)");
  }
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    router.Add(
        method, ReservedUnderIndexPattern(),
        [&router](HttpRequest& req) { return NoCommonsEndpoint(router, req); }, RenderError,
        "a commons-layout name under /index/ that no endpoint serves");
  }
  AddRoutes(router, s, kRoutes, RenderError);
}

}  // namespace dcc::server::indexd
