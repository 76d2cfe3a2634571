#include "cli/cmd_lookup.h"

#include "cli/exit_codes.h"
#include "cli/helper_io.h"
#include "dcc/client.h"

namespace dcc::cli {
using nlohmann::json;

namespace {

const char* kCommonHelp = R"(
Identifiers come as arguments and/or from -i FILE, one per line (blank lines and lines
starting with # are skipped), and are looked up --jobs at a time (output keeps their order). Output goes to stdout or to -o FILE, which is written only
when the command succeeds. --format tsv (the default) writes the reference script's
output file: one line per identifier, no header; --format json an array of objects.
Reads DCC_MODE, DCC_API_KEY, DCC_SECRET_KEY and DCC_CONFIG_FILE.
)";

const char* kCheckNotPostedHelp = R"(Print the identifiers that have no record on the portal (eu_check_not_posted).

Each identifier is looked up with one GET; those answered 404 are printed, the others
are not. Any other failure (401, 403, unreachable) stops the command: an identifier is
never reported missing because of an error.

Example:
  $ cat ids.txt
  # submitted yesterday
  lab-a:bs1
  lab-a:bs-new
  $ dcc check-not-posted -i ids.txt
  lab-a:bs-new

See also: dcc get --ignore-404, dcc get-accessions.

EXIT STATUS
  0  checked every identifier (whether or not any was missing)   2  bad flags or no ids
  3  -i FILE does not exist   4  -o FILE cannot be written   5  credentials refused
  6  unreachable   1  other errors
)";

const char* kGetAliasesHelp = R"(Print each record's aliases (eu_get_aliases).

TSV: the identifier, then one column per alias.

Example:
  $ dcc get-aliases DCCBS123ABC
  DCCBS123ABC	lab-a:bs1	lab-a:bs1-again

See also: dcc get-accessions (the other way round), dcc get.

EXIT STATUS
  0  every record was found   3  a record (or -i FILE) does not exist: the others are
  still printed, and the missing ones named on stderr   2  bad flags
  4  -o FILE cannot be written   5  credentials refused   6  unreachable   1  other errors
)";

const char* kGetAccessionsHelp = R"(Print the accession (or uuid, for types without one) of records named by alias (eu_get_accessions).

Aliases without a lab prefix get the one from -l, else from DCC_LAB (or "lab" in the
config). TSV: the alias as given, then the accession or uuid.

Example:
  $ printf 'bs1\nlab-a:bs2\n' > aliases.txt
  $ dcc get-accessions -i aliases.txt -l lab-a
  bs1	DCCBS123ABC
  lab-a:bs2	DCCBS456DEF

See also: dcc get-aliases, dcc check-not-posted.

EXIT STATUS
  0  every alias was found   3  an alias (or -i FILE) does not exist: the others are
  still printed, and the missing ones named on stderr   2  bad flags, or an alias needs a
  prefix and no lab is set   4  -o FILE cannot be written   5  credentials refused
  6  unreachable   1  other errors
)";

const char* kGetReplicateNumbersHelp = R"(Print the biological and technical replicate numbers of replicates (eu_get_replicate_numbers).

TSV: the identifier, biological_replicate_number, technical_replicate_number.

Example:
  $ dcc get-replicate-numbers lab-a:e1-rep1 lab-a:e1-rep2
  lab-a:e1-rep1	1	1
  lab-a:e1-rep2	2	1

See also: dcc replicate-fastqs.

EXIT STATUS
  0  every replicate was found   3  a replicate (or -i FILE) does not exist: the others
  are still printed   2  bad flags, or a record is not a replicate
  4  -o FILE cannot be written   5  credentials refused   6  unreachable   1  other errors
)";

struct Lookup {
  const char* name;
  const char* summary;
  const char* help;
};

const Lookup kLookups[] = {
    {"check-not-posted", "print the identifiers that have no record", kCheckNotPostedHelp},
    {"get-aliases", "print records' aliases", kGetAliasesHelp},
    {"get-accessions", "print the accessions of records named by alias", kGetAccessionsHelp},
    {"get-replicate-numbers", "print replicates' biological and technical numbers", kGetReplicateNumbersHelp},
};

// One row per identifier, from each record; a NotFound is reported, counted and skipped
// (check-not-posted instead prints it); any other failure stops. Lookups run `jobs` at a
// time; rows keep the input order.
int Run(const std::string& command, Client& client, const ClientOptions& options, const std::vector<std::string>& given,
        const std::string& lab, const LookupCommandOptions& o, std::ostream& out, std::ostream& err) {
  std::vector<json> rows;
  std::vector<std::string> columns;
  int missing = 0;
  std::vector<std::string> ids = given;
  for (auto& id : ids) {
    if (command != "get-accessions" || id.find(':') != std::string::npos || id.find('/') != std::string::npos) continue;
    if (lab.empty()) {
      err << "dcc " << command << ": alias '" << id << "' has no prefix: pass -l LAB or set DCC_LAB\n";
      return kExitUsage;
    }
    id = lab + ":" + id;
  }
  std::vector<Result<json>> records = FetchAll(client, options, ids, o.jobs);
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    const auto& record = records[i];
    if (!record.ok() && record.status().code() == Status::Code::kNotFound) {
      if (command == "check-not-posted") {
        rows.push_back({{"id", given[i]}});
      } else {
        err << "dcc " << command << ": no record for '" << id << "'\n";
        ++missing;
      }
      continue;
    }
    if (!record.ok()) {
      err << "dcc " << command << ": " << record.status().ToString() << "\n";
      return ExitCodeFor(record.status());
    }
    const json& r = *record;
    if (command == "get-aliases") {
      rows.push_back({{"id", given[i]}, {"aliases", r.value("aliases", json::array())}});
    } else if (command == "get-accessions") {
      rows.push_back({{"alias", given[i]}, {"accession", r.value("accession", r.value("uuid", ""))}});
    } else if (command == "get-replicate-numbers") {
      if (!r.contains("biological_replicate_number")) {
        err << "dcc " << command << ": '" << id << "' is not a replicate (no biological_replicate_number)\n";
        return kExitUsage;
      }
      rows.push_back({{"id", given[i]},
                      {"biological_replicate_number", r["biological_replicate_number"]},
                      {"technical_replicate_number", r.value("technical_replicate_number", json())}});
    }
  }
  if (command == "check-not-posted") columns = {"id"};
  if (command == "get-aliases") columns = {"id", "aliases"};
  if (command == "get-accessions") columns = {"alias", "accession"};
  if (command == "get-replicate-numbers") columns = {"id", "biological_replicate_number", "technical_replicate_number"};
  PrintRows(out, o.format, columns, rows);
  return missing > 0 ? kExitNotFound : kExitOk;
}

}  // namespace

void AddLookupCommands(CLI::App& app, LookupCommandOptions& o) {
  for (const Lookup& l : kLookups) {
    auto* c = app.add_subcommand(l.name, l.summary);
    c->footer(std::string(l.help) + kCommonHelp);
    c->add_option("ID", o.ids, "identifiers (or use -i)");
    c->add_option("-i,--infile", o.infile, "a file of identifiers, one per line");
    c->add_option("-o,--outfile", o.outfile, "write here instead of stdout");
    c->add_option("--format", o.format, "tsv or json")->check(CLI::IsMember({"tsv", "json"}))->capture_default_str();
    c->add_option("-j,--jobs", o.jobs, "lookups in flight, one connection each")->check(CLI::Range(1, 64))->capture_default_str();
    if (std::string(l.name) == "get-accessions")
      c->add_option("-l,--submitter-lab", o.lab, "the lab prefix for aliases without one (default: DCC_LAB)");
  }
}

std::optional<int> RunLookupCommands(const CLI::App& app, const ConnectionFlags& connection,
                                     const LookupCommandOptions& o, std::ostream& out, std::ostream& err) {
  for (const Lookup& l : kLookups) {
    if (!app.got_subcommand(l.name)) continue;
    const std::string command = l.name;
    HelperSetup setup = SetUpHelper(command, connection, o.infile, o.ids, true, err);
    if (setup.rc != kExitOk) return setup.rc;
    std::string lab = o.lab.empty() ? setup.connection.config.values().value("lab", "") : o.lab;
    auto options = ClientOptions::FromConfig(setup.connection.config, connection.server);
    if (!options.ok()) return ExitCodeFor(options.status());  // cannot happen: Connect used the same
    int rc = WithOutput(o.outfile, out, err, command, [&](std::ostream& sink) {
      return Run(command, *setup.connection.client, *options, setup.ids, lab, o, sink, err);
    });
    return rc;
  }
  return std::nullopt;
}

}  // namespace dcc::cli
