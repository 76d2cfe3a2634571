// src/server/api/mds/routes.h: the metadata service's API (gen3.md §3) at both /mds/
// (where the SDK reads) and /mds-admin/ (where it writes). Errors are {"detail": ...}.
#pragma once

#include "server/http/router.h"
#include "server/services/services.h"

namespace dcc::server::mds {

// Register before the portal API, whose catch-all routes would otherwise take /mds/.
void RegisterRoutes(Router& router, Services& services);

}  // namespace dcc::server::mds
