// src/cli/gen3_connection.h: what the Gen3 command groups (index, mds, drs, manifest) share:
// --auth/--endpoint, bearer tokens shared by every worker, or the dcc config's Basic keys.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "dcc/client.h"
#include "dcc/gen3_auth.h"

namespace dcc::cli {

struct Gen3Flags {
  std::string auth;          // --auth: a credentials.json path or ~/.gen3 name ($GEN3_API_KEY)
  std::string endpoint;      // --endpoint: the commons URL (default: the key's iss, or DCC_MODE)
  std::string index_prefix;  // --index-prefix: "/index" behind a Gen3 reverse proxy; "" for dccd
  int token_seconds = 0;     // --token-expires-in: ask fence for shorter tokens (tests, long runs)
};

// Adds --auth, --endpoint, --index-prefix and --token-expires-in to a command.
void AddGen3Flags(CLI::App* cmd, Gen3Flags& flags);

// Opens Clients for one run. With --auth or $GEN3_API_KEY: bearer tokens from one shared
// Gen3TokenSource (single-flight refresh for all workers). Otherwise the layered dcc
// config (DCC_MODE, DCC_API_KEY/DCC_SECRET_KEY Basic keys), --endpoint overriding the server.
class Gen3Connection {
 public:
  static Result<Gen3Connection> Open(const Gen3Flags& flags);
  // A new Client (one per worker thread; they share the token source).
  Result<std::unique_ptr<Client>> NewClient() const;
  // `n` Clients, one per worker, opened up front.
  Result<std::vector<std::unique_ptr<Client>>> NewClients(int n) const;
  const std::string& index_prefix() const { return index_prefix_; }
  const std::string& url() const { return options_.url; }
  // Token exchanges so far (0 with Basic keys).
  int exchanges() const { return tokens_ ? tokens_->exchanges() : 0; }

 private:
  ClientOptions options_;
  std::shared_ptr<Gen3TokenSource> tokens_;
  std::string index_prefix_;
};

}  // namespace dcc::cli
