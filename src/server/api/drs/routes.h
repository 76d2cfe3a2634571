// src/server/api/drs/routes.h: GA4GH DRS v1 over the index (gen3.md §2.9):
// /ga4gh/drs/v1/service-info, objects (one, list, bulk) and access URLs. Errors are
// {"msg", "status_code"}. Access URLs for bytes dccd holds are signed, expiring
// /_blobs/ URLs (served by the portal API's blob route).
#pragma once

#include "server/http/router.h"
#include "server/services/services.h"

namespace dcc::server::drs {

// Register before the portal API, whose catch-all routes would otherwise take the paths.
void RegisterRoutes(Router& router, Services& services);

}  // namespace dcc::server::drs
