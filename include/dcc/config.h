// include/dcc/config.h: the client's configuration, in layers, later layers winning and
// objects merging recursively:
//   1. /etc/dcc/config.json            (system)
//   2. ~/.config/dcc/config.json       (user; $XDG_CONFIG_HOME/dcc/config.json if set)
//   3. each file of DCC_CONFIG_FILE    (colon-separated, in order)
//   4. the environment                 (DCC_MODE, DCC_API_KEY, DCC_SECRET_KEY, DCC_LAB, DCC_AWARD,
//                                         DCC_LOG_DIR)
//   5. command-line flags
// Missing files are skipped; a malformed one is an error naming file:line:col. The
// reference client reads only the environment, and its DCC_LAB/DCC_AWARD defaults never
// apply (encode.md §1.5); here they are ordinary layered settings.
//
// Keys: "mode" (a server name, host or URL), "servers" {name: {"url"}}, "api_key",
// "secret_key", "lab", "award", "log_dir" (the EU_Logs-style log files; none if unset), "retries" (idempotent requests; default 4),
// "transfer" {"part_size_mib", "concurrency"}.
// Thread-safe once loaded (immutable).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcc/status.h"

namespace dcc {

struct ConfigSources {
  std::string system_file = "/etc/dcc/config.json";
  std::string user_file;                     // empty: from XDG_CONFIG_HOME or HOME
  std::string extra_files;                   // DCC_CONFIG_FILE's value
  std::map<std::string, std::string> env;    // the DCC_* variables that are set
  nlohmann::json flags = nlohmann::json::object();
  // Fills user_file, extra_files and env from this process's environment.
  static ConfigSources FromEnvironment();
};

class Config {
 public:
  static Result<Config> Load(const ConfigSources& sources);
  const nlohmann::json& values() const { return merged_; }
  // The layer that set the value at `pointer` ("/servers/prod/url"), e.g.
  // "~/.config/dcc/config.json", "env DCC_LAB", "flag"; "" if unset.
  std::string Origin(const std::string& pointer) const;
  // The merged values with secrets ("secret_key", anything named *secret* or *token*)
  // replaced by "REDACTED".
  nlohmann::json Redacted() const;
  // Every leaf as (pointer, origin), in key order.
  std::vector<std::pair<std::string, std::string>> Explain() const;

 private:
  nlohmann::json merged_ = nlohmann::json::object();
  std::map<std::string, std::string> origin_;  // leaf pointer -> layer name
};

}  // namespace dcc
