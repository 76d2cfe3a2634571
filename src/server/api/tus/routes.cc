#include "server/api/tus/routes.h"

#include <ctime>

#include "common/time_util.h"
#include "server/api/request_caller.h"

namespace dcc::server::tus {
namespace {

constexpr const char* kVersion = "1.0.0";

HttpResponse Empty(int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain";
  r.headers.emplace("Tus-Resumable", kVersion);
  r.headers.emplace("Cache-Control", "no-store");
  return r;
}

// Plain-text errors with the tus status: "tus:NNN" in `where` when no Status code fits.
HttpResponse RenderError(const Status& status, const HttpRequest&) {
  int http = 500;
  switch (status.code()) {
    case Status::Code::kInvalidArgument: case Status::Code::kValidation: http = 400; break;
    case Status::Code::kUnauthenticated: http = 401; break;
    case Status::Code::kPermissionDenied: http = 403; break;
    case Status::Code::kNotFound: http = 404; break;
    case Status::Code::kMethodNotAllowed: http = 405; break;
    case Status::Code::kConflict: http = 409; break;
    case Status::Code::kPreconditionFailed: http = 412; break;
    case Status::Code::kTooLarge: http = 413; break;
    case Status::Code::kChecksumMismatch: http = 460; break;
    case Status::Code::kUnavailable: http = 503; break;
    default: break;
  }
  if (status.where().rfind("tus:", 0) == 0) http = std::stoi(status.where().substr(4));
  HttpResponse r = Empty(http);
  r.body = status.message() + "\n";
  if (http == 401) r.headers.emplace("WWW-Authenticate", "Basic realm=\"dccd\"");
  if (http == 412) r.headers.emplace("Tus-Version", kVersion);
  return r;
}

Status CheckVersion(const HttpRequest& req) {
  if (req.Header("Tus-Resumable") != kVersion)
    return Status::PreconditionFailed("Tus-Resumable must be 1.0.0");
  return Status::Ok();
}

Result<std::optional<int64_t>> IntHeader(const HttpRequest& req, const char* name) {
  std::string v = req.Header(name);
  if (v.empty()) return std::optional<int64_t>();
  try {
    size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used != v.size() || n < 0) throw std::invalid_argument(name);
    return std::optional<int64_t>(n);
  } catch (...) {
    return Status::InvalidArgument(std::string(name) + " must be a non-negative integer");
  }
}

void Describe(HttpResponse& r, const TusUpload& u) {
  r.headers.emplace("Upload-Offset", std::to_string(u.offset));
  if (u.length >= 0) r.headers.emplace("Upload-Length", std::to_string(u.length));
  else r.headers.emplace("Upload-Defer-Length", "1");
  if (!u.metadata.empty()) r.headers.emplace("Upload-Metadata", u.metadata);
  if (u.partial) r.headers.emplace("Upload-Concat", "partial");
  if (!u.complete) r.headers.emplace("Upload-Expires", HttpDate(u.expires));
}

Result<HttpResponse> Options(Services&, HttpRequest&) {
  HttpResponse r = Empty(204);
  r.headers.emplace("Tus-Version", kVersion);
  r.headers.emplace("Tus-Extension",
                    "creation,creation-with-upload,creation-defer-length,termination,checksum,concatenation,expiration");
  r.headers.emplace("Tus-Checksum-Algorithm", TusService::kChecksumAlgorithms);
  return r;
}

Result<HttpResponse> Patch(Services& s, HttpRequest& req);
Result<HttpResponse> Delete(Services& s, HttpRequest& req);

Result<HttpResponse> Create(Services& s, HttpRequest& req) {
  DCC_RETURN_IF_ERROR(CheckVersion(req));
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  TusService::CreateRequest c;
  DCC_ASSIGN_OR_RETURN(c.length, IntHeader(req, "Upload-Length"));
  std::string defer = req.Header("Upload-Defer-Length");
  if (!defer.empty() && defer != "1") return Status::InvalidArgument("Upload-Defer-Length must be 1");
  c.defer_length = defer == "1";
  c.metadata = req.Header("Upload-Metadata");
  c.concat = req.Header("Upload-Concat");
  const bool with_upload = req.Header("Content-Type") == "application/offset+octet-stream";
  DCC_ASSIGN_OR_RETURN(TusUpload u, s.tus.Create(caller, c, with_upload ? req.stream_body : nullptr));
  HttpResponse r = Empty(201);
  r.headers.emplace("Location", "/tus/" + u.id);
  Describe(r, u);
  return r;
}

Result<HttpResponse> Head(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_ASSIGN_OR_RETURN(TusUpload u, s.tus.Head(caller, req.captures[0]));
  HttpResponse r = Empty(200);
  Describe(r, u);
  return r;
}

Result<HttpResponse> Patch(Services& s, HttpRequest& req) {
  DCC_RETURN_IF_ERROR(CheckVersion(req));
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  if (req.Header("Content-Type") != "application/offset+octet-stream")
    return Status::InvalidArgument("PATCH needs Content-Type: application/offset+octet-stream", "tus:415");
  TusService::PatchRequest p;
  DCC_ASSIGN_OR_RETURN(auto offset, IntHeader(req, "Upload-Offset"));
  if (!offset) return Status::InvalidArgument("PATCH needs Upload-Offset");
  p.offset = static_cast<uint64_t>(*offset);
  DCC_ASSIGN_OR_RETURN(p.length, IntHeader(req, "Upload-Length"));
  p.checksum = req.Header("Upload-Checksum");
  auto body = req.stream_body ? req.stream_body : [](const BodySink&) { return true; };
  DCC_ASSIGN_OR_RETURN(TusUpload u, s.tus.Patch(caller, req.captures[0], p, body));
  HttpResponse r = Empty(204);
  r.headers.emplace("Upload-Offset", std::to_string(u.offset));
  if (!u.complete) r.headers.emplace("Upload-Expires", HttpDate(u.expires));
  return r;
}

Result<HttpResponse> Delete(Services& s, HttpRequest& req) {
  DCC_RETURN_IF_ERROR(CheckVersion(req));
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_RETURN_IF_ERROR(s.tus.Terminate(caller, req.captures[0]));
  return Empty(204);
}

// Clients that cannot send PATCH or DELETE use POST with X-HTTP-Method-Override.
Result<HttpResponse> Override(Services& s, HttpRequest& req) {
  std::string method = req.Header("X-HTTP-Method-Override");
  if (method == "PATCH") return Patch(s, req);
  if (method == "DELETE") return Delete(s, req);
  return Status::MethodNotAllowed("POST to an upload needs X-HTTP-Method-Override: PATCH or DELETE");
}

}  // namespace

void RegisterRoutes(Router& router, Services& s) {
  static const RouteEntry<Services> kRoutes[] = {
      {"OPTIONS", "/tus/?", Options, "tus: versions, extensions and checksum algorithms"},
      {"POST", "/tus/?", Create,
       "tus: create an upload (also concatenation and creation-with-upload)", BodyClass::kStream},
      {"GET", "/tus/([0-9a-f]{32})", Head, "tus: HEAD an upload for its offset"},
      {"PATCH", "/tus/([0-9a-f]{32})", Patch, "tus: append bytes at Upload-Offset",
       BodyClass::kStream},
      {"DELETE", "/tus/([0-9a-f]{32})", Delete, "tus: terminate an upload"},
      {"POST", "/tus/([0-9a-f]{32})", Override, "tus: PATCH or DELETE via X-HTTP-Method-Override",
       BodyClass::kStream},
  };
  AddRoutes(router, s, kRoutes, RenderError);
}

}  // namespace dcc::server::tus
