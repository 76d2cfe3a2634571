#include "cli/connection.h"

#include <cstdlib>

#include "cli/exit_codes.h"

namespace dcc::cli {

Result<Connection> Connect(const ConnectionFlags& flags) {
  Connection c;
  DCC_ASSIGN_OR_RETURN(c.config, Config::Load(ConfigSources::FromEnvironment()));
  DCC_ASSIGN_OR_RETURN(ClientOptions options, ClientOptions::FromConfig(c.config, flags.server));
  DCC_ASSIGN_OR_RETURN(c.client, Client::Open(options));
  return c;
}

std::string S3EndpointFrom(const std::string& flag, const Config& config) {
  if (!flag.empty()) return flag;
  if (config.values().contains("s3_endpoint")) return config.values()["s3_endpoint"].get<std::string>();
  for (const char* var : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"})
    if (const char* v = std::getenv(var); v && *v) return v;
  return "";
}

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound: return kExitNotFound;
    case Status::Code::kUnauthenticated:
    case Status::Code::kPermissionDenied: return kExitAuth;
    case Status::Code::kUnavailable: return kExitUnavailable;
    case Status::Code::kInvalidArgument: return kExitUsage;
    // The client gives a local file's errors its path as `where`; a server's have none.
    case Status::Code::kIOError: return s.where().empty() ? kExitFailed : kExitIOError;
    default: return kExitFailed;  // including ChecksumMismatch: the bytes were refused
  }
}

int ReportFailure(std::ostream& err, const std::string& command, const Status& s) {
  err << "dcc " << command << ": " << s.ToString() << "\n";
  return ExitCodeFor(s);
}

}  // namespace dcc::cli
