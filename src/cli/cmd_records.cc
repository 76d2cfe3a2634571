#include "cli/cmd_records.h"

#include "cli/exit_codes.h"
#include "dcc/client.h"

namespace dcc::cli {
namespace {

const char* kGetHelp = R"(Print records by any identifier, as JSON.

Each ID may be an accession, uuid, alias (lab:name), @id (/biosamples/DCCBS123ABC/) or, for
files, md5:<hex>. With several IDs, they are tried in turn and the first record found is
printed, as the reference client does; a 403 stops the search.

Example:
  $ dcc get --server http://127.0.0.1:8000 lab-a:k562-a --frame embedded | jq .lab.title
  "Demo Lab, Example University"

See also: dcc search, dcc config show (where --server, DCC_MODE and the keys come from).
Reads DCC_MODE, DCC_API_KEY, DCC_SECRET_KEY and DCC_CONFIG_FILE.

EXIT STATUS
  0  printed   3  not found (0 with --ignore-404, printing {})   5  credentials refused
  6  the server could not be reached   2  bad flags or no server configured   1  other errors

)";

const char* kSearchHelp = R"(Search records: KEY=VALUE terms, repeated keys OR-ed, different keys AND-ed.

A KEY ending in '!' excludes (status!=deleted); dotted keys follow links
(lab.name=my-lab, replicate.library.accession=DCCLB123ABC); VALUE * means "has a value".
Or pass a portal search as --url 'type=Biosample&organism.name=human'. All results are
fetched unless --limit is given; an empty result prints [] and exits 0.

Example:
  $ dcc search type=Biosample lab.name=demo-lab --format tsv --field accession --field status
  accession     status
  DCCBS457IAI   in progress

See also: dcc get. Reads DCC_MODE, DCC_API_KEY, DCC_SECRET_KEY and DCC_CONFIG_FILE.

EXIT STATUS
  0  printed (even if nothing matched)   5  credentials refused   6  server unreachable
  2  bad terms, flags or no server configured   1  other errors

)";

}  // namespace

void AddRecordCommands(CLI::App& app, ConnectionFlags& connection, GetCommandOptions& get,
                       SearchCommandOptions& search) {
  app.add_option("--server", connection.server,
                 "a server name from the config, a host (HTTPS), or a URL; overrides DCC_MODE");
  auto* g = app.add_subcommand("get", "print records by any identifier");
  g->footer(kGetHelp);
  g->add_option("ID", get.ids, "identifiers, tried in turn")->required();
  g->add_option("--frame", get.frame, "object, edit, embedded or page")
      ->check(CLI::IsMember({"object", "edit", "embedded", "page"}));
  g->add_flag("--database", get.database, "ask for the database, not the search index (reference datastore=database)");
  g->add_flag("--ignore-404", get.ignore_404, "print {} and exit 0 when nothing is found");
  auto* s = app.add_subcommand("search", "search records by field, through links");
  s->footer(kSearchHelp);
  s->add_option("TERM", search.terms, "KEY=VALUE or KEY!=VALUE");
  s->add_option("--url", search.url, "a portal search query instead of TERMs");
  s->add_option("--limit", search.limit, "at most this many results (default: all)")->check(CLI::NonNegativeNumber);
  s->add_option("--format", search.format, "json (an array) or tsv (with --field columns)")
      ->check(CLI::IsMember({"json", "tsv"}))
      ->capture_default_str();
  s->add_option("--field", search.fields, "a tsv column (repeatable; default @id)");
}

int RunGet(const ConnectionFlags& connection, const GetCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto c = Connect(connection);
  if (!c.ok()) {
    err << "dcc get: " << c.status().ToString() << "\n";
    return ExitCodeFor(c.status());
  }
  GetOptions g{o.frame, o.database, o.ignore_404};
  auto record = c->client->Get(o.ids, g);
  if (!record.ok()) {
    err << "dcc get: " << record.status().ToString() << "\n";
    return ExitCodeFor(record.status());
  }
  out << record->dump(2) << "\n";
  return kExitOk;
}

int RunSearch(const ConnectionFlags& connection, const SearchCommandOptions& o, std::ostream& out,
              std::ostream& err) {
  if (o.terms.empty() == o.url.empty()) {
    err << "dcc search: give KEY=VALUE terms or --url, not both and not neither\n";
    return kExitUsage;
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& t : o.terms) {
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      err << "dcc search: '" << t << "' is not KEY=VALUE\n";
      return kExitUsage;
    }
    params.emplace_back(t.substr(0, eq), t.substr(eq + 1));
  }
  auto c = Connect(connection);
  if (!c.ok()) {
    err << "dcc search: " << c.status().ToString() << "\n";
    return ExitCodeFor(c.status());
  }
  auto hits = o.url.empty() ? c->client->Search(params, o.limit) : c->client->SearchQuery(o.url, o.limit);
  if (!hits.ok()) {
    err << "dcc search: " << hits.status().ToString() << "\n";
    return ExitCodeFor(hits.status());
  }
  if (o.format == "json") {
    out << nlohmann::json(*hits).dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::string> fields = o.fields.empty() ? std::vector<std::string>{"@id"} : o.fields;
  for (size_t i = 0; i < fields.size(); ++i) out << (i ? "\t" : "") << fields[i];
  out << "\n";
  for (const auto& hit : *hits) {
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& v = hit.contains(fields[i]) ? hit[fields[i]] : nlohmann::json("");
      out << (i ? "\t" : "") << (v.is_string() ? v.get<std::string>() : v.dump());
    }
    out << "\n";
  }
  return kExitOk;
}

}  // namespace dcc::cli
