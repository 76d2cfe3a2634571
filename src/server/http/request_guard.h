// src/server/http/request_guard.h: the checks every request passes before and after its
// handler, whatever the dialect (issue 9, items 1 and 5).
#pragma once

#include <cstddef>

#include "dcc/status.h"
#include "server/http/http_types.h"

namespace dcc::server {

// Longest decoded path a route pattern is matched against; cpp-httplib already refuses
// request lines over 8,192 bytes (414), so this only keeps the bound if the edge changes.
inline constexpr size_t kMaxPathBytes = 8192;

// InvalidArgument naming the parameter when a query key or value is not UTF-8 (it would
// reach JSON and SQL as text); TooLarge when the path is over kMaxPathBytes.
Status CheckRequestText(const HttpRequest& req);

// A failure that would answer 5xx, reworded so that no internal detail (SQL, file paths,
// library messages) reaches the client: the detail is logged with the request id and
// the reply names only that id (as Internal: still a 500). 503s and 4xx pass unchanged.
Status HideInternalDetail(const Status& s, const HttpRequest& req);

}  // namespace dcc::server
