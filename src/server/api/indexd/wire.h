// src/server/api/indexd/wire.h: indexd's wire shapes (gen3.md §2): {"error": msg}
// bodies, the GET /index/ query parameters, boolean parameters as Python writes them.
#pragma once

#include <nlohmann/json.hpp>

#include "dcc/status.h"
#include "server/api/json_response.h"
#include "server/http/http_types.h"
#include "server/store/record_store.h"

namespace dcc::server::indexd {

using server::JsonResponse;
// {"error": "<message>"} with the status's HTTP code.
HttpResponse RenderError(const Status& status, const HttpRequest& req);
// "a,b,,c" -> {"a", "b", "c"} (empty items dropped).
std::vector<std::string> SplitComma(const std::string& s);
// "true", "True", "1", "yes" are true; "false", "False", "0", "no", "" false; else
// InvalidArgument naming `name`.
Result<bool> ParseBool(const std::string& value, const std::string& name);
// A non-negative integer parameter; InvalidArgument naming `name`.
Result<int64_t> ParseCount(const std::string& value, const std::string& name);

// GET /index/ parameters (gen3.md §2.4) as a store query. `echo` receives the filters as
// indexd echoes them beside "records". InvalidArgument for a bad value, a limit outside
// 0..1024, an unknown hash type, ids combined with paging, bad JSON in urls_metadata or
// negate_params.
Result<ObjectQuery> ParseIndexQuery(const HttpRequest& req, nlohmann::json& echo);

}  // namespace dcc::server::indexd
