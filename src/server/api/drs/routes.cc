#include "server/api/drs/routes.h"

#include "server/api/json_body.h"
#include "server/api/json_response.h"
#include "server/api/request_caller.h"
#include "server/http/status_map.h"

namespace dcc::server::drs {
using nlohmann::json;

namespace {

constexpr size_t kMaxBulk = 100;  // advertised as maxBulkRequestLength, and enforced

HttpResponse RenderError(const Status& status, const HttpRequest& req) {
  int http = HttpStatusOf(status.code());
  if (http == 422) http = 400;
  std::string msg = status.message();
  if (http >= 500) msg += " [request " + req.request_id + "]";
  HttpResponse r = JsonResponse(http, {{"msg", msg}, {"status_code", http}});
  if (http == 401) r.headers.emplace("WWW-Authenticate", "Basic realm=\"dccd\"");
  return r;
}

std::string SchemeOf(const std::string& url) {
  size_t p = url.find("://");
  return p == std::string::npos ? std::string() : url.substr(0, p);
}

std::string CloudOf(const std::string& scheme) {
  if (scheme == "s3") return "aws";
  if (scheme == "gs") return "gcp";
  if (scheme == "az") return "azure";
  return "";
}

// indexd's self_uri: "drs://<prefix without '/' and ':'>:<uuid>" for a prefixed did.
std::string SelfUri(const std::string& did) {
  size_t slash = did.rfind('/');
  if (slash == std::string::npos) return "drs://" + did;
  std::string prefix;
  for (char c : did.substr(0, slash))
    if (c != '/' && c != ':') prefix += c;
  return "drs://" + prefix + ":" + did.substr(slash + 1);
}

json DrsObject(const ObjectRow& row) {
  json checksums = json::array();
  for (const auto& [type, value] : row.hashes.items())
    checksums.push_back({{"checksum", value}, {"type", type}});
  const bool open = std::find(row.authz.begin(), row.authz.end(), "/open") != row.authz.end();
  json methods = json::array();
  for (const auto& url : row.urls) {
    std::string scheme = SchemeOf(url);
    methods.push_back({{"type", scheme},
                       {"access_url", {{"url", url}}},
                       {"access_id", scheme},
                       {"cloud", CloudOf(scheme)},
                       {"region", ""},
                       {"available", true},
                       {"authorizations",
                        {{"drs_object_id", row.did},
                         {"supported_types",
                          open ? json::array({"None"}) : json::array({"BasicAuth", "BearerAuth"})},
                         {"bearer_auth_issuers", json::array()},
                         {"passport_auth_issuers", json::array()}}}});
  }
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return {{"id", row.did},
          {"mime_type", "application/json"},
          {"name", opt(row.file_name)},
          {"index_created_time", row.created},
          {"index_updated_time", row.updated},
          {"created_time", opt(row.content_created)},
          {"updated_time", opt(row.content_updated)},
          {"size", row.size ? json(*row.size) : json(nullptr)},
          {"aliases", json::array()},
          {"self_uri", SelfUri(row.did)},
          {"version", opt(row.version)},
          {"form", row.form},
          {"checksums", checksums},
          {"description", opt(row.description)},
          {"access_methods", methods}};
}

Result<HttpResponse> ServiceInfo(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(ObjectStats st, s.index.Stats(""));
  std::string host = req.Header("Host");
  return JsonResponse(
      200, {{"id", "dccd"},
            {"name", "DRS System"},
            {"version", "1.5.0"},
            {"type", {{"group", "org.ga4gh"}, {"artifact", "drs"}, {"version", "1.5.0"}}},
            {"organization", {{"name", "dcc"}, {"url", req.scheme + "://" + host}}},
            {"drs",
             {{"maxBulkRequestLength", kMaxBulk},
              {"objectCount", st.count},
              {"totalObjectSize", st.total_size}}},
            {"maxBulkRequestLength", kMaxBulk}});
}

Result<HttpResponse> Object(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(ObjectRow row, s.index.Get(req.captures[0]));
  return JsonResponse(200, DrsObject(row));
}

Result<HttpResponse> Objects(Services& s, HttpRequest& req) {
  ObjectQuery q;
  q.limit = 100;
  if (req.HasQuery("limit")) {
    const std::string v = req.Query("limit");
    if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string::npos ||
        std::stoll(v) > 1024)
      return Status::InvalidArgument("limit must be between 0 and 1024");
    q.limit = std::stoll(v);
  }
  q.start = req.Query("start");
  if (req.HasQuery("page")) {
    const std::string v = req.Query("page");
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
      return Status::InvalidArgument("page must be a non-negative integer");
    q.offset = std::stoll(v) * q.limit;
  }
  std::vector<std::string> dids;
  DCC_RETURN_IF_ERROR(s.index.List(q, [&](const std::string& did, const std::string&) {
    dids.push_back(did);
    return Status::Ok();
  }));
  json out = json::array();
  for (const auto& did : dids) {
    auto row = s.index.Get(did);
    if (row.ok()) out.push_back(DrsObject(*row));
  }
  return JsonResponse(200, {{"drs_objects", out}});
}

// POST /objects {"bulk_object_ids": [...]}.
Result<HttpResponse> BulkObjects(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  if (!body.is_object() || !body.contains("bulk_object_ids") || !body["bulk_object_ids"].is_array())
    return Status::InvalidArgument("the body must be {\"bulk_object_ids\": [\"<id>\", ...]}");
  const json& ids = body["bulk_object_ids"];
  if (ids.size() > kMaxBulk)
    return Status::TooLarge("at most " + std::to_string(kMaxBulk) + " ids per request (got " +
                            std::to_string(ids.size()) + ")");
  json resolved = json::array(), unresolved = json::array();
  for (const auto& id : ids) {
    if (!id.is_string()) return Status::InvalidArgument("bulk_object_ids must hold strings");
    auto row = s.index.Get(id.get<std::string>());
    if (row.ok())
      resolved.push_back(DrsObject(*row));
    else
      unresolved.push_back(id);
  }
  json unresolved_groups = json::array();
  if (!unresolved.empty())
    unresolved_groups.push_back({{"error_code", 404}, {"object_ids", unresolved}});
  return JsonResponse(200, {{"summary",
                             {{"requested", ids.size()},
                              {"resolved", resolved.size()},
                              {"unresolved", unresolved.size()}}},
                            {"unresolved_drs_objects", unresolved_groups},
                            {"resolved_drs_objects", resolved}});
}

// GET|POST /objects/{id}/access/{access_id}: {"url": signed URL}.
Result<HttpResponse> Access(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_ASSIGN_OR_RETURN(std::string url,
                       s.index.AccessUrl(caller, req.captures[0], req.captures[1]));
  if (!url.empty() && url[0] == '/') url = req.scheme + "://" + req.Header("Host") + url;
  return JsonResponse(200, {{"url", url}});
}

}  // namespace

void RegisterRoutes(Router& router, Services& s) {
  static const RouteEntry<Services> kRoutes[] = {
      {"GET", "/ga4gh/drs/v1/service-info/?", ServiceInfo, "DRS service info"},
      {"GET", "/ga4gh/drs/v1/objects/(.+?)/access/([^/]+)/?", Access,
       "a signed URL for an object's bytes"},
      {"POST", "/ga4gh/drs/v1/objects/(.+?)/access/([^/]+)/?", Access, "the same, POSTed"},
      {"GET", "/ga4gh/drs/v1/objects/?", Objects, "DRS objects, paged (limit, start, page)"},
      {"POST", "/ga4gh/drs/v1/objects/?", BulkObjects,
       "DRS objects of bulk_object_ids (at most 100)"},
      {"GET", "/ga4gh/drs/v1/objects/(.+?)/?", Object, "one DRS object"},
      {"POST", "/ga4gh/drs/v1/objects/(.+?)/?", Object, "one DRS object (POST form)"},
  };
  AddRoutes(router, s, kRoutes, RenderError);
}

}  // namespace dcc::server::drs
