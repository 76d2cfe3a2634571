#include "cli/connection.h"

#include "cli/exit_codes.h"

namespace dcc::cli {

Result<Connection> Connect(const ConnectionFlags& flags) {
  Connection c;
  DCC_ASSIGN_OR_RETURN(c.config, Config::Load(ConfigSources::FromEnvironment()));
  DCC_ASSIGN_OR_RETURN(ClientOptions options, ClientOptions::FromConfig(c.config, flags.server));
  DCC_ASSIGN_OR_RETURN(c.client, Client::Open(options));
  return c;
}

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound: return kExitNotFound;
    case Status::Code::kUnauthenticated:
    case Status::Code::kPermissionDenied: return kExitAuth;
    case Status::Code::kUnavailable: return kExitUnavailable;
    case Status::Code::kInvalidArgument: return kExitUsage;
    default: return kExitFailed;
  }
}

}  // namespace dcc::cli
