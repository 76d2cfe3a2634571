// src/server/api/indexd/routes.h: the indexd-compatible file index (gen3.md §2) on the
// main listener: /index, /bulk/documents, /urls, /_stats, /guid, /_status, /_version,
// plus dccd's bulk upsert (POST /bulk/index) and NDJSON export (GET /bulk/export). See
// services/index_service.h for the semantics and docs/index.md for the wire.
#pragma once

#include "server/http/router.h"
#include "server/services/services.h"

namespace dcc::server::indexd {

// Register before the portal API, whose catch-all routes would otherwise take /index/.
void RegisterRoutes(Router& router, Services& services);

}  // namespace dcc::server::indexd
