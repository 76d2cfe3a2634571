// src/server/api/json_response.h: a JSON response, shared by the dialects.
#pragma once

#include <nlohmann/json.hpp>

#include "server/http/http_types.h"

namespace dcc::server {

// `body` as compact JSON (invalid UTF-8 replaced) with `status`.
HttpResponse JsonResponse(int status, const nlohmann::json& body);

}  // namespace dcc::server
