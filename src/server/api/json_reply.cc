#include "server/api/json_reply.h"

#include "server/api/json_response.h"
#include "server/http/status_map.h"

namespace dcc::server {

// The shared renderer: it replaces invalid UTF-8 (a decoded path can carry any byte)
// instead of throwing while an error is being rendered.
HttpResponse JsonReply(int status, const nlohmann::json& body) { return JsonResponse(status, body); }

HttpResponse NoContentReply() {
  HttpResponse r;
  r.status = 204;
  r.content_type = "text/plain";
  return r;
}

HttpResponse JsonErrorReply(const Status& status, const char* key, bool with_where) {
  const int http = HttpStatusOf(status.code());
  HttpResponse r = JsonReply(http, {{key, with_where ? status.ToString() : status.message()}});
  if (http == 401) r.headers.emplace("WWW-Authenticate", "Bearer realm=\"dccd\"");
  return r;
}

}  // namespace dcc::server
