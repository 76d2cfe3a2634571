// src/server/api/encode/wire.h: the ENCODE portal's wire shapes (reference encode.md
// §2.7): success envelopes, error bodies, JSON request bodies.
#pragma once

#include <nlohmann/json.hpp>

#include "dcc/status.h"
#include "server/http/http_types.h"

namespace dcc::server::encode {

// A JSON response with `status`.
HttpResponse JsonResponse(int status, const nlohmann::json& body);
// {"status":"success","@type":["result"],"@graph":[object]}
nlohmann::json ResultEnvelope(const nlohmann::json& object);
// The reference error body for `status`: ValidationFailure for 422 (one entry in
// "errors" per detail), else {"@type":["HTTPNotFound","Error"], ..., "detail"}.
HttpResponse RenderError(const Status& status, const HttpRequest& req);

}  // namespace dcc::server::encode
