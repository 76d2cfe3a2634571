// src/cli/cmd_transfer.h: `dcc upload` and `dcc download`.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/connection.h"

namespace dcc::cli {

struct UploadCommandOptions {
  std::string file_id;
  std::string path;
  std::string s3_endpoint;
  uint64_t part_size_mib = 8;
  int concurrency = 4;
  bool progress = true;
};

struct DownloadCommandOptions {
  std::string file_id;
  std::string output;  // -o; default: the record's file name
  uint64_t chunk_size_mib = 8;
  int concurrency = 4;
  double limit_rate_mib = 0;  // --limit-rate-mib: per range in flight; 0: unlimited
  bool progress = true;
};

void AddUploadCommand(CLI::App& app, UploadCommandOptions& options);
int RunUpload(const ConnectionFlags& connection, const UploadCommandOptions& o, std::ostream& out, std::ostream& err);
void AddDownloadCommand(CLI::App& app, DownloadCommandOptions& options);
int RunDownload(const ConnectionFlags& connection, const DownloadCommandOptions& o, std::ostream& out,
                std::ostream& err);

}  // namespace dcc::cli
