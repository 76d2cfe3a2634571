// src/server/api/json_body.h: the one parser of JSON that arrives from outside (request
// bodies of every dialect, JSON-valued query parameters). It refuses, before any
// document exists for a recursive walk (validation, dump, SQLite's JSON functions) to
// overflow the stack on:
//   - nesting deeper than kMaxJsonDepth arrays/objects (400),
//   - numbers a double cannot hold, such as 1e400 (400, never inf or null),
//   - malformed JSON and invalid UTF-8 (400),
// and it charges the document's estimated size to the request's share of the process
// budget (BodyBudget) as it grows: 503 when the budget is spent, 413 when this one
// document could never fit. Each dialect renders the Status in its own error shape.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "dcc/status.h"
#include "server/http/http_types.h"

namespace dcc::server {

// The deepest nesting accepted: `[[1]]` is depth 2. Documented in docs/operations.md.
constexpr int kMaxJsonDepth = 64;
// Estimated bytes a parsed value or object key holds (nlohmann's 16-byte value, vector
// slack, a map node with its key): what the budget is charged per value.
constexpr size_t kDomBytesPerValue = 64;

// Parses `text` as above. `what` names it in messages ("the request body", "metadata");
// the DOM is charged to `req`'s budget when `req` is given.
Result<nlohmann::json> ParseUntrustedJson(const std::string& text, const std::string& what,
                                          HttpRequest* req);

// Reads the body within the route's limit (HttpRequest::Body) and parses it as above.
// An empty body is InvalidArgument.
Result<nlohmann::json> ParseJsonBody(HttpRequest& req);

}  // namespace dcc::server
