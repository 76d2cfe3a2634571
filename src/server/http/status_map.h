// src/server/http/status_map.h: the one table from dcc::Status codes to HTTP statuses.
#pragma once

#include "dcc/status.h"

namespace dcc::server {

int HttpStatusOf(Status::Code code);
// The reason phrase of an HTTP status, e.g. "Unprocessable Entity".
const char* HttpReason(int http_status);

}  // namespace dcc::server
