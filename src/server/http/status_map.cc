#include "server/http/status_map.h"

namespace dcc::server {

int HttpStatusOf(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return 200;
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kValidation: return 422;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kMethodNotAllowed: return 405;
    case Status::Code::kConflict: return 409;
    case Status::Code::kUnauthenticated: return 401;
    case Status::Code::kPermissionDenied: return 403;
    case Status::Code::kTooLarge: return 413;
    case Status::Code::kChecksumMismatch: return 422;
    case Status::Code::kPreconditionFailed: return 412;
    case Status::Code::kIOError: return 500;
    case Status::Code::kUnavailable: return 503;
    case Status::Code::kInternal: return 500;
  }
  return 500;
}

const char* HttpReason(int s) {
  switch (s) {
    case 200: return "OK";
    case 201: return "Created";
    case 301: return "Moved Permanently";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 408: return "Request Timeout";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Entity";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

}  // namespace dcc::server
