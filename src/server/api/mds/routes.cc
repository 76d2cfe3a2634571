#include "server/api/mds/routes.h"

#include <strings.h>

#include <algorithm>

#include "common/time_util.h"
#include "server/api/json_body.h"
#include "server/api/json_reply.h"
#include "server/api/request_caller.h"

namespace dcc::server::mds {
using nlohmann::json;

namespace {

// The reference version whose API this implements (GET /version).
constexpr const char* kReferenceVersion = "4.3.0";

HttpResponse JsonResponse(int status, const json& body) { return JsonReply(status, body); }

// FastAPI's shape: {"detail": "..."}.
HttpResponse RenderError(const Status& status, const HttpRequest&) {
  return JsonErrorReply(status, "detail", /*with_where=*/false);
}

// FastAPI's bool: true/True/1/yes/on/t/y and their opposites; the SDK sends "True".
Result<bool> BoolParam(const HttpRequest& req, const char* name, bool fallback) {
  if (!req.HasQuery(name)) return fallback;
  const std::string v = req.Query(name);
  for (const char* t : {"true", "1", "yes", "on", "t", "y"})
    if (strcasecmp(v.c_str(), t) == 0) return true;
  for (const char* f : {"false", "0", "no", "off", "f", "n"})
    if (strcasecmp(v.c_str(), f) == 0) return false;
  return Status::InvalidArgument(std::string(name) + " must be true or false, not '" + v + "'", name);
}

Result<int64_t> IntParam(const HttpRequest& req, const char* name, int64_t fallback) {
  if (!req.HasQuery(name)) return fallback;
  const std::string v = req.Query(name);
  try {
    size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used == v.size()) return static_cast<int64_t>(n);
  } catch (...) {
  }
  return Status::InvalidArgument(std::string(name) + " must be an integer, not '" + v + "'", name);
}

Result<std::vector<std::string>> AliasesBody(HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  if (!body.is_object() || !body.contains("aliases") || !body["aliases"].is_array())
    return Status::InvalidArgument("the body must be {\"aliases\": [\"...\", ...]}");
  std::vector<std::string> out;
  for (const auto& a : body["aliases"]) {
    if (!a.is_string() || a.get<std::string>().empty())
      return Status::InvalidArgument("aliases must be non-empty strings", "aliases");
    out.push_back(a);
  }
  return out;
}

Result<Caller> Who(Services& s, HttpRequest& req) { return AuthenticateRequest(s.auth, req); }

Result<HttpResponse> StatusPage(Services&, HttpRequest&) {
  return JsonResponse(200, {{"status", "OK"}, {"timestamp", NowIso8601()}, {"aggregate_metadata_enabled", false}});
}

Result<HttpResponse> Version(Services&, HttpRequest&) { return JsonResponse(200, kReferenceVersion); }

Result<HttpResponse> Query(Services& s, HttpRequest& req) {
  MetadataQuery q;
  DCC_ASSIGN_OR_RETURN(q.data, BoolParam(req, "data", false));
  DCC_ASSIGN_OR_RETURN(q.limit, IntParam(req, "limit", 10));
  DCC_ASSIGN_OR_RETURN(q.offset, IntParam(req, "offset", 0));
  DCC_ASSIGN_OR_RETURN(q.filters, ParseMetadataFilters(req.query));
  DCC_ASSIGN_OR_RETURN(json out, s.metadata.Query(std::move(q)));
  return JsonResponse(200, out);
}

Result<HttpResponse> Get(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(json data, s.metadata.Get(req.captures[0]));
  return JsonResponse(200, data);
}

Result<HttpResponse> Create(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_ASSIGN_OR_RETURN(bool overwrite, BoolParam(req, "overwrite", false));
  DCC_ASSIGN_OR_RETURN(json data, ParseJsonBody(req));
  DCC_ASSIGN_OR_RETURN(auto written, s.metadata.Create(caller, req.captures[0], std::move(data), overwrite));
  return JsonResponse(written.created ? 201 : 200, written.data);
}

Result<HttpResponse> Update(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_ASSIGN_OR_RETURN(bool merge, BoolParam(req, "merge", false));
  DCC_ASSIGN_OR_RETURN(json data, ParseJsonBody(req));
  DCC_ASSIGN_OR_RETURN(json out, s.metadata.Update(caller, req.captures[0], std::move(data), merge));
  return JsonResponse(200, out);
}

Result<HttpResponse> Delete(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_ASSIGN_OR_RETURN(json out, s.metadata.Delete(caller, req.captures[0]));
  return JsonResponse(200, out);
}

Result<HttpResponse> BatchCreate(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_ASSIGN_OR_RETURN(bool overwrite, BoolParam(req, "overwrite", true));
  DCC_ASSIGN_OR_RETURN(json items, ParseJsonBody(req));
  DCC_ASSIGN_OR_RETURN(json out, s.metadata.BatchCreate(caller, items, overwrite));
  return JsonResponse(201, out);
}

Result<HttpResponse> GetAliases(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(json out, s.metadata.Aliases(req.captures[0]));
  return JsonResponse(200, out);
}

Result<HttpResponse> CreateAliases(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_ASSIGN_OR_RETURN(auto aliases, AliasesBody(req));
  DCC_ASSIGN_OR_RETURN(json out, s.metadata.CreateAliases(caller, req.captures[0], aliases));
  return JsonResponse(201, out);
}

Result<HttpResponse> UpdateAliases(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_ASSIGN_OR_RETURN(bool merge, BoolParam(req, "merge", false));
  DCC_ASSIGN_OR_RETURN(auto aliases, AliasesBody(req));
  DCC_ASSIGN_OR_RETURN(json out, s.metadata.UpdateAliases(caller, req.captures[0], aliases, merge));
  return JsonResponse(201, out);  // 201, as the reference answers a PUT here
}

Result<HttpResponse> DeleteAlias(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_RETURN_IF_ERROR(s.metadata.DeleteAliases(caller, req.captures[0], req.captures[1]));
  return NoContentReply();
}

Result<HttpResponse> DeleteAliases(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_RETURN_IF_ERROR(s.metadata.DeleteAliases(caller, req.captures[0], ""));
  return NoContentReply();
}

Result<HttpResponse> ListIndexes(Services& s, HttpRequest&) {
  DCC_ASSIGN_OR_RETURN(auto paths, s.metadata.IndexedPaths());
  return JsonResponse(200, paths);
}

Result<HttpResponse> CreateIndex(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_RETURN_IF_ERROR(s.metadata.CreateIndex(caller, req.captures[0]));
  return JsonResponse(201, req.captures[0]);
}

Result<HttpResponse> DropIndex(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, Who(s, req));
  DCC_RETURN_IF_ERROR(s.metadata.DropIndex(caller, req.captures[0]));
  return NoContentReply();
}

#define MDS "/(?:mds|mds-admin)"
const RouteEntry<Services> kRoutes[] = {
    {"GET", MDS "/_status/?", StatusPage, "MDS health: {status: OK}"},
    {"GET", MDS "/version/?", Version, "the MDS API version implemented"},
    {"GET", MDS "/metadata_index/?", ListIndexes, "dotted paths with a query index"},
    {"POST", MDS "/metadata_index/(.+?)/?", CreateIndex, "index a dotted path for queries"},
    {"DELETE", MDS "/metadata_index/(.+?)/?", DropIndex, "drop a path's index"},
    {"GET", MDS "/metadata/?", Query, "guids (or {guid: data}) matching a.b=v filters"},
    {"POST", MDS "/metadata/?", BatchCreate, "create or overwrite many entries", BodyClass::kBulk},
    {"GET", MDS "/metadata/(.+)/aliases/?", GetAliases, "an entry's aliases"},
    {"POST", MDS "/metadata/(.+)/aliases/?", CreateAliases, "add aliases to an entry without any"},
    {"PUT", MDS "/metadata/(.+)/aliases/?", UpdateAliases,
     "set (?merge=true: add) an entry's aliases"},
    {"DELETE", MDS "/metadata/(.+)/aliases/([^/]+)/?", DeleteAlias, "remove one alias"},
    {"DELETE", MDS "/metadata/(.+)/aliases/?", DeleteAliases, "remove all of an entry's aliases"},
    {"GET", MDS "/metadata/(.+?)/?", Get, "an entry's data, by guid or alias"},
    {"POST", MDS "/metadata/(.+?)/?", Create, "create an entry (?overwrite=true replaces)",
     BodyClass::kRecord},
    {"PUT", MDS "/metadata/(.+?)/?", Update, "replace (?merge=true: shallow-merge) an entry",
     BodyClass::kRecord},
    {"DELETE", MDS "/metadata/(.+?)/?", Delete, "delete an entry and its aliases"},
};
#undef MDS

}  // namespace

void RegisterRoutes(Router& router, Services& services) { AddRoutes(router, services, kRoutes, RenderError); }

}  // namespace dcc::server::mds
