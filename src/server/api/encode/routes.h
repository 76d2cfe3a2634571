// src/server/api/encode/routes.h: the ENCODE-portal-compatible REST API (reference
// encode.md §1.4 and §2): profiles, records, collections, search, history.
#pragma once

#include "server/http/router.h"
#include "server/services/services.h"

namespace dcc::server::encode {

void RegisterRoutes(Router& router, Services& services);

}  // namespace dcc::server::encode
