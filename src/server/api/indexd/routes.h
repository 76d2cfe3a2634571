// src/server/api/indexd/routes.h: the indexd-compatible file index (gen3.md §2) on the
// main listener: /index, /bulk/documents, /urls, /_stats, /guid, /_status, /_version,
// plus dccd's bulk upsert (POST /bulk/index) and NDJSON export (GET /bulk/export). See
// services/index_service.h for the semantics and docs/index.md for the wire.
#pragma once

#include "server/http/router.h"
#include "server/services/services.h"

namespace dcc::server::indexd {

// Register before the portal API, whose catch-all routes would otherwise take /index/.
// Serves the table twice: under /index (a Gen3 commons' layout) and at the root.
void RegisterRoutes(Router& router, Services& services);

// indexd's global resolver, GET /{guid}: the index record a did, baseid or alias names
// (decorated as GET /index/{guid}), else NotFound. The portal's catch-all GET /<id>
// answers with it when no portal record matches (docs/gen3_layout.md says who wins).
Result<HttpResponse> GlobalGet(Services& services, const std::string& guid);

}  // namespace dcc::server::indexd
