// src/cli/cmd_hash.h: `dcc hash`.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace dcc::cli {

struct HashCommandOptions {
  std::vector<std::string> paths;
  std::string format = "tsv";         // tsv | json
  uint64_t part_size_mib = 8;         // S3 multipart ETag part size; 0: plain md5 ETag
  bool progress = true;               // on a terminal only
};

void AddHashCommand(CLI::App& app, HashCommandOptions& options);
// Hashes every path, printing one result per path to `out` and errors to `err`.
// Returns the exit code (kExitOk only if every file was hashed).
int RunHash(const HashCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace dcc::cli
