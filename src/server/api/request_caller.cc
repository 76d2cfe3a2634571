#include "server/api/request_caller.h"

namespace dcc::server {

Result<Caller> AuthenticateRequest(Authenticator& auth, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, auth.Authenticate(req.Header("Authorization")));
  if (!caller.anonymous()) req.credentials_verified = true;
  return caller;
}

}  // namespace dcc::server
