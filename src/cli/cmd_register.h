// src/cli/cmd_register.h: `dcc register`.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cmd_records.h"

namespace dcc::cli {

struct RegisterCommandOptions {
  std::string profile;
  std::string infile;
  bool patch = false;
  bool overwrite_arrays = false;
  bool dry_run = false;
  bool no_aliases = false;
  bool keep_going = false;  // --continue
  bool no_upload_file = false;
  bool rm_patch = false;                  // --rm-patch: PUT the edit frame minus remove_props, plus the row
  std::vector<std::string> remove_props;  // -r a,b
  std::string s3_endpoint;                // for uploading submitted_file_name after a POST
};

void AddRegisterCommand(CLI::App& app, RegisterCommandOptions& options);
int RunRegister(const ConnectionFlags& connection, const RegisterCommandOptions& o, std::ostream& out,
                std::ostream& err);

}  // namespace dcc::cli
