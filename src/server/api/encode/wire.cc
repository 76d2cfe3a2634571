#include "server/api/encode/wire.h"

#include "server/api/json_response.h"
#include "server/http/status_map.h"

namespace dcc::server::encode {
using nlohmann::json;

namespace {

const char* ErrorTypeName(int s) {
  switch (s) {
    case 400: return "HTTPBadRequest";
    case 401: return "HTTPUnauthorized";
    case 403: return "HTTPForbidden";
    case 404: return "HTTPNotFound";
    case 405: return "HTTPMethodNotAllowed";
    case 409: return "HTTPConflict";
    case 412: return "HTTPPreconditionFailed";
    case 413: return "HTTPRequestEntityTooLarge";
    case 416: return "HTTPRequestRangeNotSatisfiable";
    case 503: return "HTTPServiceUnavailable";
    default: return "HTTPInternalServerError";
  }
}

const char* Description(int s) {
  switch (s) {
    case 400: return "The server could not comply with the request since it is either malformed or otherwise incorrect.";
    case 401: return "This server could not verify that you are authorized to access the document you requested.";
    case 403: return "Access was denied to this resource.";
    case 404: return "The resource could not be found.";
    case 409: return "There was a conflict when trying to complete your request.";
    case 412: return "Request precondition failed.";
    case 413: return "The request body is larger than the server accepts.";
    case 416: return "The requested range is not satisfiable.";
    case 503: return "The server is currently unavailable. Please try again later.";
    default: return "The server has either erred or is incapable of performing the requested operation.";
  }
}

// "/aliases/0" -> ["aliases", 0]; the reference names error locations this way.
json PointerToName(const std::string& pointer) {
  json name = json::array();
  size_t start = 1;
  while (start < pointer.size()) {
    size_t slash = pointer.find('/', start);
    std::string seg = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    bool numeric = !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) name.push_back(std::stoll(seg)); else name.push_back(seg);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return name;
}

}  // namespace

HttpResponse JsonResponse(int status, const json& body) { return server::JsonResponse(status, body); }

json ResultEnvelope(const json& object) {
  return {{"status", "success"}, {"@type", json::array({"result"})}, {"@graph", json::array({object})}};
}

HttpResponse RenderError(const Status& status, const HttpRequest& req) {
  // An unsatisfiable Range on a download (BlobResponse) is 416, as on the S3 listener.
  const int http = status.where() == "s3:InvalidRange" ? 416 : HttpStatusOf(status.code());
  json body;
  if (http == 422) {
    json errors = json::array();
    if (status.details().empty()) {
      errors.push_back({{"location", "body"}, {"name", PointerToName(status.where())},
                        {"description", status.message()}});
    }
    for (const auto& d : status.details()) {
      errors.push_back({{"location", "body"}, {"name", PointerToName(d.where)},
                        {"description", d.message}});
    }
    body = {{"@type", json::array({"ValidationFailure", "Error"})},
            {"status", "error"},
            {"code", 422},
            {"title", "Unprocessable Entity"},
            {"description", "Failed validation"},
            {"errors", errors}};
  } else {
    body = {{"@type", json::array({ErrorTypeName(http), "Error"})},
            {"status", "error"},
            {"code", http},
            {"title", HttpReason(http)},
            {"description", Description(http)},
            {"detail", status.ToString()}};
  }
  if (http >= 500) body["request_id"] = req.request_id;
  HttpResponse r = JsonResponse(http, body);
  if (http == 401) r.headers.emplace("WWW-Authenticate", "Basic realm=\"dccd\"");
  return r;
}

}  // namespace dcc::server::encode
