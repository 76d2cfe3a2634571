// src/server/api/fence/wire.h: the fence dialect's wire shapes (gen3.md §1, §4). Errors
// are {"error": "<what and why>"} with the status from status_map (401 for a missing or
// bad token, 403 for a valid caller without permission; docs/fence.md).
#pragma once

#include <nlohmann/json.hpp>

#include "dcc/status.h"
#include "server/http/http_types.h"

namespace dcc::server::fence {

HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse RenderError(const Status& status, const HttpRequest& req);
// The request body as a JSON object: JSON, or an application/x-www-form-urlencoded form
// (fence reads both). An empty body is an empty object. InvalidArgument if malformed.
Result<nlohmann::json> ParseObjectBody(HttpRequest& req);
// `?expires_in=` as seconds; 0 when absent. InvalidArgument if not a positive integer.
Result<int64_t> ExpiresIn(const HttpRequest& req);

}  // namespace dcc::server::fence
