// src/cli/cmd_index.h: `dcc index create|get|update|delete|query|versions` and
// `dcc drs get|access` (indexd and its DRS endpoints, gen3.md §2).
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/gen3_connection.h"

namespace dcc::cli {

struct IndexCommandOptions {
  Gen3Flags gen3;
  CLI::App *create = nullptr, *get = nullptr, *update = nullptr, *del = nullptr, *query = nullptr,
           *versions = nullptr;
  std::string guid;
  std::string prev_guid;  // create: a new version of this record
  std::string rev;
  std::string json_file;  // --json: the record (or changes) as JSON; "-" for stdin
  std::string md5, file_name, version;
  int64_t size = -1;
  std::vector<std::string> urls, acl, authz;
  // query
  std::vector<std::string> hashes;  // type:value
  int limit = 100;
  std::string start;
  std::string format = "json";
};

struct DrsCommandOptions {
  Gen3Flags gen3;
  CLI::App *get = nullptr, *access = nullptr;
  std::string id;
  std::string access_id;
};

void AddIndexCommands(CLI::App& app, IndexCommandOptions& o);
int RunIndex(const IndexCommandOptions& o, std::ostream& out, std::ostream& err);
void AddDrsCommands(CLI::App& app, DrsCommandOptions& o);
int RunDrs(const DrsCommandOptions& o, std::ostream& out, std::ostream& err);

}  // namespace dcc::cli
