#include "cli/gen3_connection.h"

#include <cstdlib>

#include "dcc/config.h"

namespace dcc::cli {

void AddGen3Flags(CLI::App* cmd, Gen3Flags& f) {
  cmd->add_option("--auth", f.auth, "Gen3 credentials.json (a path, or a name in ~/.gen3/); default $GEN3_API_KEY");
  cmd->add_option("--endpoint", f.endpoint,
                  "the commons URL; default: the API key's issuer, or the dcc server (DCC_MODE)");
  cmd->add_option("--index-prefix", f.index_prefix,
                  "path before indexd's routes: /index behind a Gen3 commons' proxy, empty for dccd");
  cmd->add_option("--token-expires-in", f.token_seconds, "ask for access tokens valid this many seconds")
      ->check(CLI::Range(1, 3600));
}

Result<Gen3Connection> Gen3Connection::Open(const Gen3Flags& f) {
  Gen3Connection c;
  c.index_prefix_ = f.index_prefix;
  const char* env_key = std::getenv("GEN3_API_KEY");
  if (!f.auth.empty() || (env_key && *env_key)) {
    DCC_ASSIGN_OR_RETURN(Gen3Credentials creds, LoadGen3Credentials(f.auth));
    Gen3AuthOptions auth;
    auth.endpoint = f.endpoint;
    auth.expires_in = f.token_seconds;
    DCC_ASSIGN_OR_RETURN(c.tokens_, Gen3TokenSource::Create(std::move(creds), std::move(auth)));
    c.options_.url = c.tokens_->endpoint();
    c.options_.bearer = c.tokens_;
    // Fail early and clearly if the key is refused, before any manifest work starts.
    DCC_RETURN_IF_ERROR(c.tokens_->Token().status());
    return c;
  }
  DCC_ASSIGN_OR_RETURN(Config config, Config::Load(ConfigSources::FromEnvironment()));
  DCC_ASSIGN_OR_RETURN(c.options_, ClientOptions::FromConfig(config, f.endpoint));
  return c;
}

Result<std::unique_ptr<Client>> Gen3Connection::NewClient() const { return Client::Open(options_); }

Result<std::vector<std::unique_ptr<Client>>> Gen3Connection::NewClients(int n) const {
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < n; ++i) {
    DCC_ASSIGN_OR_RETURN(auto c, NewClient());
    clients.push_back(std::move(c));
  }
  return clients;
}

}  // namespace dcc::cli
