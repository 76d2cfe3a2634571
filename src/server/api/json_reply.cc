#include "server/api/json_reply.h"

#include "server/http/status_map.h"

namespace dcc::server {

HttpResponse JsonReply(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

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
