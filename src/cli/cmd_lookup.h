// src/cli/cmd_lookup.h: the lookup helpers of encode_utils (encode.md §1.13):
// `dcc check-not-posted`, `dcc get-aliases`, `dcc get-accessions`,
// `dcc get-replicate-numbers`. Each reads identifiers, GETs each record once, and prints
// one row per identifier.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/connection.h"

namespace dcc::cli {

struct LookupCommandOptions {
  std::vector<std::string> ids;  // positional identifiers
  std::string infile;            // -i: one identifier per line
  std::string outfile;           // -o: default stdout
  std::string format = "tsv";    // tsv (the reference's output files) or json
  std::string lab;               // get-accessions -l: prefix for aliases without one
  int jobs = 8;                  // GETs in flight (one connection each)
};

void AddLookupCommands(CLI::App& app, LookupCommandOptions& options);
// The exit status if one of these commands was given, else nullopt.
std::optional<int> RunLookupCommands(const CLI::App& app, const ConnectionFlags& connection,
                                     const LookupCommandOptions& o, std::ostream& out, std::ostream& err);

}  // namespace dcc::cli
