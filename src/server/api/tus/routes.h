// src/server/api/tus/routes.h: tus 1.0.0 at /tus/ on the main listener (HTTP Basic
// access keys, like the portal API). See services/tus_service.h for the semantics.
#pragma once

#include "server/http/router.h"
#include "server/services/services.h"

namespace dcc::server::tus {

// Register before the portal API, whose catch-all routes would otherwise take /tus/.
void RegisterRoutes(Router& router, Services& services);

}  // namespace dcc::server::tus
