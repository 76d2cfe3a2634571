// src/cli/cmd_records.h: `dcc get` and `dcc search`.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/connection.h"

namespace dcc::cli {

struct GetCommandOptions {
  std::vector<std::string> ids;
  std::string frame;
  bool database = false;
  bool ignore_404 = false;
};

struct SearchCommandOptions {
  std::vector<std::string> terms;  // KEY=VALUE or KEY!=VALUE
  std::string url;                 // a portal search query instead of terms
  int limit = 0;                   // 0: all
  std::string format = "json";
  std::vector<std::string> fields; // tsv columns (default @id)
};

void AddRecordCommands(CLI::App& app, ConnectionFlags& connection, GetCommandOptions& get,
                       SearchCommandOptions& search);
int RunGet(const ConnectionFlags& connection, const GetCommandOptions& o, std::ostream& out, std::ostream& err);
int RunSearch(const ConnectionFlags& connection, const SearchCommandOptions& o, std::ostream& out,
              std::ostream& err);

}  // namespace dcc::cli
