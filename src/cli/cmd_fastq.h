// src/cli/cmd_fastq.h: the experiment FASTQ helpers of encode_utils (encode.md §1.13):
// `dcc replicate-fastqs`, `dcc report-fastq-content-errors`, `dcc add-controlled-by`.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/connection.h"

namespace dcc::cli {

struct FastqCommandOptions {
  std::string experiment;          // -e: replicate-fastqs, add-controlled-by
  int bio_rep = 0;                 // -b: only this biological replicate (0: all)
  int tech_rep = 0;                // -t: only this technical replicate (0: all)
  std::vector<std::string> ids;    // report-fastq-content-errors: experiments
  std::string infile;              // -i
  std::string outfile;             // -o
  std::string format = "tsv";
  bool dry_run = false;            // add-controlled-by: print the plan, PATCH nothing
};

void AddFastqCommands(CLI::App& app, FastqCommandOptions& options);
// The exit status if one of these commands was given, else nullopt.
std::optional<int> RunFastqCommands(const CLI::App& app, const ConnectionFlags& connection,
                                    const FastqCommandOptions& o, std::ostream& out, std::ostream& err);

}  // namespace dcc::cli
