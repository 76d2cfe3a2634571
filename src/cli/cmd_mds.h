// src/cli/cmd_mds.h: `dcc mds get|create|update|delete|query` (the metadata service,
// gen3.md §3).
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/gen3_connection.h"

namespace dcc::cli {

struct MdsCommandOptions {
  Gen3Flags gen3;
  CLI::App *get = nullptr, *create = nullptr, *update = nullptr, *del = nullptr, *query = nullptr;
  std::string guid;
  std::string data;  // JSON text, or @file, or - for stdin
  bool overwrite = false;
  bool merge = false;
  std::vector<std::string> terms;  // KEY=VALUE (dotted keys, * for "has the key")
  bool full = false;               // --data: {guid: data} instead of guids
  int limit = 10;
  int offset = 0;
  std::string read_prefix = "/mds", admin_prefix = "/mds-admin";
};

void AddMdsCommands(CLI::App& app, MdsCommandOptions& o);
int RunMds(const MdsCommandOptions& o, std::ostream& out, std::ostream& err);

}  // namespace dcc::cli
