// src/server/api/s3/routes.h: the S3-compatible endpoint (its own listener, path-style
// addressing: /<bucket>/<key>). Uploads only, with the temporary credentials that file
// records hand out: PutObject, the multipart calls, and Get/HeadObject of the same key.
#pragma once

#include "server/http/router.h"
#include "server/services/services.h"

namespace dcc::server::s3 {

void RegisterRoutes(Router& router, Services& services);

}  // namespace dcc::server::s3
