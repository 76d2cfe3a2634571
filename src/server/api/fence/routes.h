// src/server/api/fence/routes.h: the fence-style API at /user/ (gen3.md §1.5, §4):
// API keys, their exchange for access tokens, the JWKS, and (data endpoints) signed URLs.
#pragma once

#include "server/http/router.h"
#include "server/services/services.h"

namespace dcc::server::fence {

// Register before the portal API, whose catch-all routes would otherwise take /user/.
void RegisterRoutes(Router& router, Services& services);

}  // namespace dcc::server::fence
