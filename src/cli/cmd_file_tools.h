// src/cli/cmd_file_tools.h: file-record helpers of encode_utils (encode.md §1.10, §1.13):
// `dcc upload-creds` (eu_generate_upload_creds) and `dcc url-list`
// (eu_create_gcp_url_list).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/connection.h"

namespace dcc::cli {

struct FileToolsCommandOptions {
  std::vector<std::string> ids;  // file records
  std::string infile;            // -i
  std::string outfile;           // -o
  std::string format = "json";   // upload-creds: json or tsv
};

void AddFileToolsCommands(CLI::App& app, FileToolsCommandOptions& options);
// The exit status if one of these commands was given, else nullopt.
std::optional<int> RunFileToolsCommands(const CLI::App& app, const ConnectionFlags& connection,
                                        const FileToolsCommandOptions& o, std::ostream& out, std::ostream& err);

}  // namespace dcc::cli
