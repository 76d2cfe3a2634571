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

// The documented exit status (exit_codes.h) for a failed call.
int ExitCodeFor(const Status& status);

// Prints "dcc COMMAND: <what went wrong>" to `err` and returns ExitCodeFor(status).
int ReportFailure(std::ostream& err, const std::string& command, const Status& status);

}  // namespace dcc::cli
