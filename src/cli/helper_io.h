// src/cli/helper_io.h: what the encode_utils-style helper commands share: an identifier
// list read from -i FILE and/or the command line, an output written to -o FILE only when
// the command succeeds, and rows printed as TSV or JSON.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/connection.h"
#include "dcc/status.h"

namespace dcc::cli {

// The identifiers in `infile` (one per line; blank lines and lines starting with '#'
// skipped; surrounding spaces trimmed), then `ids`. InvalidArgument if there are none;
// NotFound/IOError (where = the file) if it cannot be read.
Result<std::vector<std::string>> ReadIds(const std::string& infile, const std::vector<std::string>& ids);

// What a helper command runs on: its identifiers and an open connection.
struct HelperSetup {
  std::vector<std::string> ids;
  Connection connection;
  int rc = 0;  // not 0: setting up failed, "dcc COMMAND: why" was printed; exit with this
};
// Reads the identifiers (ReadIds; skipped when !ids_needed), then connects.
HelperSetup SetUpHelper(const std::string& command, const ConnectionFlags& flags, const std::string& infile,
                        const std::vector<std::string>& ids, bool ids_needed, std::ostream& err);

// GETs every identifier (object frame as the server defaults), `jobs` at a time: the
// first worker uses `client`, the others open their own Client from the same options.
// The answers are in the order of `ids`; each is the record or why not (NotFound, ...).
std::vector<Result<nlohmann::json>> FetchAll(Client& client, const ClientOptions& options,
                                             const std::vector<std::string>& ids, int jobs);

// Runs `body` with the stream to write to: `out` when `outfile` is empty, else a temporary
// file beside `outfile` that is renamed into place only when `body` returns 0, or 3
// (kExitNotFound: some identifiers had no record, and the rows of the others are
// complete); any other failure leaves no partial output. Returns body's exit status (or
// kExitIOError).
int WithOutput(const std::string& outfile, std::ostream& out, std::ostream& err, const std::string& command,
               const std::function<int(std::ostream&)>& body);

// `rows` as JSON (an array of objects, pretty) or TSV (no header line, as the reference
// scripts write their outputs: one line per row, `columns` in order; an array cell
// becomes one tab-separated cell per item; a missing cell is empty).
void PrintRows(std::ostream& out, const std::string& format, const std::vector<std::string>& columns,
               const std::vector<nlohmann::json>& rows);

}  // namespace dcc::cli
