#include "server/api/encode/routes.h"

#include <map>

#include "server/api/blob_response.h"
#include "server/api/encode/wire.h"
#include "server/api/indexd/routes.h"

#include <map>
#include "server/api/json_body.h"
#include "server/api/request_caller.h"

namespace dcc::server::encode {
using nlohmann::json;

namespace {

Result<Caller> CallerOf(Services& s, HttpRequest& req) { return AuthenticateRequest(s.auth, req); }

std::string Trimmed(const std::string& path) {
  size_t b = path.find_first_not_of('/');
  size_t e = path.find_last_not_of('/');
  return b == std::string::npos ? std::string() : path.substr(b, e - b + 1);
}

// Probes authenticate too: wrong credentials are a 401 everywhere, so a client learns of
// a bad key on its first request.
Result<HttpResponse> Root(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  (void)caller;
  return JsonResponse(200, {{"@id", "/"},
                            {"@type", json::array({"Portal"})},
                            {"title", "dccd"},
                            {"profiles", "/profiles/"},
                            {"search", "/search/"}});
}

Result<HttpResponse> Indexer(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  (void)caller;
  // One store: nothing is ever waiting to be indexed.
  return JsonResponse(200, {{"status", "waiting"}, {"@type", json::array({"Indexer"})}});
}

Result<HttpResponse> AllProfiles(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  return JsonResponse(200, s.profiles.ProfilesDocument(caller.admin()));
}

Result<HttpResponse> OneProfile(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  const schema::Profile* p = s.profiles.Find(req.captures[0]);
  if (!p) return Status::NotFound("no profile '" + req.captures[0] + "'");
  return JsonResponse(200, s.profiles.ProfileDocument(*p, caller.admin()));
}

Result<HttpResponse> Search(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  DCC_ASSIGN_OR_RETURN(auto answer, s.search.Search(caller, req.query, req.target));
  // The reference answers an empty search with 404 and a body that still has "@graph".
  HttpResponse r;
  r.status = answer.empty ? 404 : 200;
  r.body = std::move(answer.body);
  return r;
}

Result<HttpResponse> History(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  DCC_ASSIGN_OR_RETURN(json doc, s.records.History(caller, req.captures[0]));
  return JsonResponse(200, doc);
}

// GET /<collection>/ lists; GET /<any identifier>/ shows one record.
Result<HttpResponse> Get(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  std::string id = Trimmed(req.path);
  if (id.find('/') == std::string::npos) {
    if (const schema::Profile* p = s.profiles.Find(id)) {
      HttpResponse r;
      DCC_ASSIGN_OR_RETURN(r.body, s.search.List(caller, *p, req.query, req.target));
      return r;
    }
  }
  // GET /<id> is also indexd's global resolver (indexclient global_get, Gen3Index.get).
  // With ?no_dist, which only indexd clients send, the index answers first; otherwise
  // the portal record wins and the index answers the ids no portal record has.
  const bool index_first = req.HasQuery("no_dist");
  if (index_first) {
    auto indexed = indexd::GlobalGet(s, id);
    if (indexed.ok() || indexed.status().code() != Status::Code::kNotFound) return indexed;
  }
  DCC_ASSIGN_OR_RETURN(Frame frame, ParseFrame(req.Query("frame")));
  auto fetched = s.records.Get(caller, id, frame);
  if (!fetched.ok()) {
    if (index_first || fetched.status().code() != Status::Code::kNotFound) return fetched.status();
    auto indexed = indexd::GlobalGet(s, id);
    if (indexed.ok()) return indexed;
    return fetched.status();
  }
  HttpResponse r = JsonResponse(200, fetched->doc);
  r.headers.emplace("ETag", fetched->etag);
  return r;
}

Result<HttpResponse> Post(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  DCC_ASSIGN_OR_RETURN(auto written, s.records.Create(caller, req.captures[0], body));
  HttpResponse r = JsonResponse(201, ResultEnvelope(written.object));
  r.headers.emplace("Location", written.at_id);
  return r;
}

// POST /files/<id>/@@upload: fresh upload credentials (reference §2.12 step 5).
Result<HttpResponse> RenewUpload(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  DCC_ASSIGN_OR_RETURN(json doc, s.files.RenewCredentials(caller, req.captures[0]));
  return JsonResponse(200, ResultEnvelope(doc));
}

// GET /files/<id>/@@download/<name>: 307 to a signed URL for the bytes (reference §2.12).
Result<HttpResponse> Download(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  DCC_ASSIGN_OR_RETURN(std::string url, s.files.DownloadUrl(caller, req.captures[0], req.captures[1]));
  HttpResponse r = JsonResponse(307, {{"@type", json::array({"SoftRedirect"})}, {"location", url}});
  r.headers.emplace("Location", url);
  return r;
}

// GET /<id>/@@download/<property>/<filename>: an attachment's bytes (reference §2.10).
Result<HttpResponse> Attachment(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  DCC_ASSIGN_OR_RETURN(auto a, s.attachments.Open(caller, req.captures[0], req.captures[1], req.captures[2]));
  DCC_ASSIGN_OR_RETURN(HttpResponse r, BlobResponse(s.files.blobs(), a.blob_key, a.size, req.Header("Range"), a.md5));
  r.content_type = a.mime;
  r.headers.emplace("Content-Disposition", "attachment; filename=" + a.filename);
  return r;
}

// GET /_blobs/<key>?...&signature=: the bytes behind a signed download URL.
Result<HttpResponse> ServeBlob(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(auto d, s.files.OpenDownload(req.path, req.query));
  DCC_ASSIGN_OR_RETURN(HttpResponse r, BlobResponse(s.files.blobs(), d.blob_key, d.size, req.Header("Range"), d.etag));
  // Unquoted, as the reference sends it (encode_utils splits on "filename=").
  r.headers.emplace("Content-Disposition", "attachment; filename=" + d.filename);
  return r;
}

// PATCH and PUT differ only in the service call.
template <auto kEdit>
Result<HttpResponse> Edit(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, CallerOf(s, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  DCC_ASSIGN_OR_RETURN(auto written,
                       (s.records.*kEdit)(caller, Trimmed(req.path), body, req.Header("If-Match")));
  return JsonResponse(200, ResultEnvelope(written.object));
}

}  // namespace

void RegisterRoutes(Router& router, Services& s) {
  static const RouteEntry<Services> kRoutes[] = {
      {"GET", "/", Root, "portal root (clients probe it)"},
      {"GET", "/_indexer/?", Indexer, "indexer state; always 'waiting' (one store, no lag)"},
      {"GET", "/profiles/?", AllProfiles, "every profile, keyed by type name"},
      {"GET", "/profiles/([^/]+?)(?:\\.json|/)", OneProfile, "one profile"},
      {"GET", "/search/?", Search, "faceted search; 404 with @graph [] when empty"},
      {"GET", "/(.+?)/?@@history/?", History, "a record's revisions"},
      {"GET", "/(.+?)/@@download/([^/]+)/([^/]+)", Attachment, "an attachment's bytes"},
      {"GET", "/(.+?)/@@download/([^/]+)", Download,
       "307 to a signed, expiring URL of a file's bytes"},
      {"GET", "/_blobs/(.+)", ServeBlob, "the bytes behind a signed download URL (Range, HEAD)"},
      {"GET", "/(.+?)/?", Get, "a collection listing, or one record in a frame"},
      {"POST", "/(.+?)/@@upload/?", RenewUpload, "new upload credentials for an uploading file"},
      {"POST", "/([^/@]+?)/?", Post, "create a record of a type (/<type> or /<collection>/)",
       BodyClass::kRecord},
      {"PATCH", "/(.+?)/?", Edit<&RecordService::Patch>, "merge properties into a record",
       BodyClass::kRecord},
      {"PUT", "/(.+?)/?", Edit<&RecordService::Put>, "replace a record's properties",
       BodyClass::kRecord},
  };
  AddRoutes(router, s, kRoutes, RenderError);
}

}  // namespace dcc::server::encode
