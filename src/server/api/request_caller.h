// src/server/api/request_caller.h: who sent a request, for the dialects that take an
// Authorization header. Verified credentials are what let a request read more than the
// small anonymous body (HttpRequest::credentials_verified), so a handler authenticates
// through this, before it reads the body.
#pragma once

#include "dcc/status.h"
#include "server/auth/authenticator.h"
#include "server/http/http_types.h"

namespace dcc::server {

// The caller named by the Authorization header (anonymous without one); marks the
// request's credentials verified when they name a principal.
Result<Caller> AuthenticateRequest(Authenticator& auth, HttpRequest& req);

}  // namespace dcc::server
