// src/cli/connection.h: what every networked command shares: the --server flag, turning
// the layered config into a Client, and the exit status for a failure.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "dcc/client.h"
#include "dcc/config.h"

namespace dcc::cli {

struct ConnectionFlags {
  std::string server;  // --server: a configured server name, a host, or a URL
};

struct Connection {
  Config config;
  std::unique_ptr<Client> client;
};

// Loads the config (all layers) and opens a Client to the configured server.
Result<Connection> Connect(const ConnectionFlags& flags);

// The portal's S3 endpoint for uploads: `flag` (--s3-endpoint), else "s3_endpoint" in the
// config, else AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (as for aws s3 cp); "" if none.
std::string S3EndpointFrom(const std::string& flag, const Config& config);

// The documented exit status (exit_codes.h) for a failed call.
int ExitCodeFor(const Status& status);

// Prints "dcc COMMAND: <what went wrong>" to `err` and returns ExitCodeFor(status).
int ReportFailure(std::ostream& err, const std::string& command, const Status& status);

}  // namespace dcc::cli
