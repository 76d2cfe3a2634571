// src/server/api/json_reply.h: JSON replies shared by the Gen3-family dialects, whose
// errors are one key holding the message: fence {"error": ...}, the metadata service
// {"detail": ...}.
#pragma once

#include <nlohmann/json.hpp>

#include "dcc/status.h"
#include "server/http/http_types.h"

namespace dcc::server {

HttpResponse JsonReply(int status, const nlohmann::json& body);
// 204 with no body.
HttpResponse NoContentReply();
// {"<key>": text} with the status from status_map; `text` is the message, or with
// `with_where` "where: message". A 401 adds `WWW-Authenticate: Bearer realm="dccd"`.
HttpResponse JsonErrorReply(const Status& status, const char* key, bool with_where);

}  // namespace dcc::server
