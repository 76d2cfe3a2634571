#include "server/api/s3/wire.h"

#include <cstring>
#include <optional>

namespace dcc::server::s3 {

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

HttpResponse XmlResponse(int status, const std::string& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/xml";
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body;
  return r;
}

HttpResponse RenderError(const Status& status, const HttpRequest& req) {
  int http = 500;
  std::string code = "InternalError";
  switch (status.code()) {
    case Status::Code::kInvalidArgument: http = 400; code = "InvalidArgument"; break;
    case Status::Code::kValidation: http = 400; code = "InvalidRequest"; break;
    case Status::Code::kNotFound: http = 404; code = "NoSuchKey"; break;
    case Status::Code::kMethodNotAllowed: http = 405; code = "MethodNotAllowed"; break;
    case Status::Code::kConflict: http = 409; code = "OperationAborted"; break;
    case Status::Code::kUnauthenticated: http = 403; code = "AccessDenied"; break;
    case Status::Code::kPermissionDenied: http = 403; code = "AccessDenied"; break;
    case Status::Code::kTooLarge: http = 400; code = "EntityTooLarge"; break;
    case Status::Code::kChecksumMismatch: http = 400; code = "BadDigest"; break;
    case Status::Code::kPreconditionFailed: http = 412; code = "PreconditionFailed"; break;
    case Status::Code::kUnavailable: http = 503; code = "SlowDown"; break;
    default: break;
  }
  if (status.where().rfind("s3:", 0) == 0) code = status.where().substr(3);
  if (code == "ExpiredToken") http = 400;
  if (code == "InvalidRange") http = 416;
  if (code == "NoSuchUpload") http = 404;
  return XmlResponse(http, "<Error><Code>" + code + "</Code><Message>" + XmlEscape(status.message()) +
                               "</Message><Resource>" + XmlEscape(req.path) + "</Resource><RequestId>" +
                               req.request_id + "</RequestId></Error>");
}

namespace {

// The text of the first <tag>...</tag> in `block`, trimmed, or nullopt.
std::optional<std::string> Element(const std::string& block, const std::string& tag) {
  auto open = block.find("<" + tag + ">");
  auto close = block.find("</" + tag + ">");
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  std::string v = block.substr(open + tag.size() + 2, close - open - tag.size() - 2);
  size_t b = v.find_first_not_of(" \t\r\n"), e = v.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
}

}  // namespace

Result<std::vector<std::pair<int, std::string>>> ParseCompleteParts(const std::string& xml) {
  const Status malformed = Status::InvalidArgument(
      "CompleteMultipartUpload body must list <Part> elements with <PartNumber> and <ETag>",
      "s3:MalformedXML");
  std::vector<std::pair<int, std::string>> parts;
  for (size_t pos = xml.find("<Part>"); pos != std::string::npos; pos = xml.find("<Part>", pos + 1)) {
    auto end = xml.find("</Part>", pos);
    if (end == std::string::npos) return malformed;
    std::string block = xml.substr(pos, end - pos);
    auto number = Element(block, "PartNumber");
    auto etag = Element(block, "ETag");
    if (!number || !etag || number->empty() ||
        number->find_first_not_of("0123456789") != std::string::npos || number->size() > 5)
      return malformed;
    std::string e = *etag;
    for (const char* quote : {"&quot;", "\""}) {
      for (size_t q; (q = e.find(quote)) != std::string::npos;) e.erase(q, std::strlen(quote));
    }
    for (auto& ch : e) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    parts.emplace_back(std::stoi(*number), e);
  }
  if (parts.empty()) return malformed;
  return parts;
}

}  // namespace dcc::server::s3
