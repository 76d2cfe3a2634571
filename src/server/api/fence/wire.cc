#include "server/api/fence/wire.h"

#include "server/api/json_body.h"
#include "server/api/json_reply.h"

namespace dcc::server::fence {
using nlohmann::json;

namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One form-encoded component: '+' is a space, %XX a byte.
Result<std::string> FormDecode(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size() || Hex(in[i + 1]) < 0 || Hex(in[i + 2]) < 0)
        return Status::InvalidArgument("malformed form body: bad %-escape at byte " + std::to_string(i));
      out += static_cast<char>(Hex(in[i + 1]) * 16 + Hex(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

HttpResponse JsonResponse(int status, const json& body) { return JsonReply(status, body); }

HttpResponse RenderError(const Status& status, const HttpRequest&) {
  return JsonErrorReply(status, "error", /*with_where=*/true);
}

Result<json> ParseObjectBody(HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(const std::string* body, req.Body());
  if (body->find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  // curl -d sends JSON as a form unless told otherwise; a body that opens like JSON is JSON.
  const bool looks_json = (*body)[body->find_first_not_of(" \t\r\n")] == '{';
  if (!looks_json && req.Header("Content-Type").find("application/x-www-form-urlencoded") != std::string::npos) {
    json out = json::object();
    size_t start = 0;
    while (start <= body->size()) {
      size_t amp = body->find('&', start);
      std::string pair = body->substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      if (!pair.empty()) {
        size_t eq = pair.find('=');
        DCC_ASSIGN_OR_RETURN(std::string key, FormDecode(pair.substr(0, eq)));
        DCC_ASSIGN_OR_RETURN(std::string value,
                             FormDecode(eq == std::string::npos ? std::string() : pair.substr(eq + 1)));
        out[key] = value;
      }
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    return out;
  }
  DCC_ASSIGN_OR_RETURN(json doc, ParseUntrustedJson(*body, "the request body", &req));
  if (!doc.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return doc;
}

Result<int64_t> ExpiresIn(const HttpRequest& req) {
  if (!req.HasQuery("expires_in")) return int64_t{0};
  const std::string v = req.Query("expires_in");
  try {
    size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used == v.size() && n > 0) return static_cast<int64_t>(n);
  } catch (...) {
  }
  return Status::InvalidArgument("expires_in must be a positive integer number of seconds, not '" + v + "'",
                                 "expires_in");
}

}  // namespace dcc::server::fence
