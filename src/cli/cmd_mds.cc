#include "cli/cmd_mds.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "common/sigv4.h"
#include "dcc/index_client.h"

namespace dcc::cli {
using nlohmann::json;
namespace {

const char* kMdsHelp = R"(Read, write and query the metadata service (MDS): one JSON object per GUID.

Reads go to /mds, writes to /mds-admin (a Gen3 commons' layout; dccd serves both). Writes
need --auth credentials.json or dcc's Basic keys. Query terms are KEY=VALUE: dotted keys
reach into nested objects, values compare as text, a repeated key ORs, different keys AND,
and VALUE * means "has the key". The server caps --limit (2000 on a Gen3 MDS).

Examples:
  $ dcc mds create dg.1/8c3b… --data '{"_guid_type": "discovery_metadata", "gen3_discovery": {"name": "x"}}'
  $ dcc mds update dg.1/8c3b… --data '{"extra": 1}' --merge     # shallow merge of top-level keys
  $ dcc mds query _guid_type=discovery_metadata gen3_discovery.name=x --data --limit 100
  $ dcc mds get dg.1/8c3b…  ;  dcc mds delete dg.1/8c3b…

See also: dcc manifest ingest-metadata and verify-metadata (bulk). Reads GEN3_API_KEY,
DCC_MODE, DCC_API_KEY, DCC_SECRET_KEY.

EXIT STATUS
  0 done   1 refused (409: exists, without --overwrite; other errors)   2 bad flags or JSON
  3 no such GUID   5 credentials refused   6 unreachable
)";

Result<json> ReadData(const std::string& arg) {
  std::string text = arg;
  if (arg == "-" || (!arg.empty() && arg[0] == '@')) {
    std::stringstream s;
    if (arg == "-") {
      s << std::cin.rdbuf();
    } else {
      std::ifstream in(arg.substr(1));
      if (!in) return Status::NotFound("cannot open the data file", arg.substr(1));
      s << in.rdbuf();
    }
    text = s.str();
  }
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::InvalidArgument("--data must be a JSON object (text, @file or - for stdin)");
  return j;
}

}  // namespace

void AddMdsCommands(CLI::App& app, MdsCommandOptions& o) {
  auto* mds = app.add_subcommand("mds", "the metadata service: get, create, update, delete, query");
  mds->footer(kMdsHelp);
  mds->require_subcommand(1);
  o.get = mds->add_subcommand("get", "print a GUID's metadata");
  o.get->add_option("GUID", o.guid)->required();
  o.create = mds->add_subcommand("create", "create a GUID's metadata");
  o.create->add_option("GUID", o.guid)->required();
  o.create->add_option("--data", o.data, "JSON object, @file or -")->required();
  o.create->add_flag("--overwrite", o.overwrite, "replace it if it exists (else 409)");
  o.update = mds->add_subcommand("update", "replace (or with --merge, merge into) a GUID's metadata");
  o.update->add_option("GUID", o.guid)->required();
  o.update->add_option("--data", o.data, "JSON object, @file or -")->required();
  o.update->add_flag("--merge", o.merge, "keep top-level keys not in --data");
  o.del = mds->add_subcommand("delete", "delete a GUID's metadata");
  o.del->add_option("GUID", o.guid)->required();
  o.query = mds->add_subcommand("query", "find GUIDs by metadata values");
  o.query->add_option("TERM", o.terms, "KEY=VALUE (dotted keys; VALUE * = has the key)");
  o.query->add_flag("--data", o.full, "print {guid: metadata} instead of a list of guids");
  o.query->add_option("--limit", o.limit, "at most this many")->check(CLI::Range(1, 1000000))->capture_default_str();
  o.query->add_option("--offset", o.offset, "skip this many")->check(CLI::NonNegativeNumber)->capture_default_str();
  for (auto* c : {o.get, o.create, o.update, o.del, o.query}) {
    c->footer(kMdsHelp);
    AddGen3Flags(c, o.gen3);
    c->add_option("--mds-prefix", o.read_prefix, "where MDS reads are served")->capture_default_str();
    c->add_option("--mds-admin-prefix", o.admin_prefix, "where MDS writes are served")->capture_default_str();
  }
}

int RunMds(const MdsCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* cmd = o.get->parsed()      ? "mds get"
                    : o.create->parsed() ? "mds create"
                    : o.update->parsed() ? "mds update"
                    : o.del->parsed()    ? "mds delete"
                                         : "mds query";
  json data;
  if (o.create->parsed() || o.update->parsed()) {
    auto d = ReadData(o.data);
    if (!d.ok()) return ReportFailure(err, cmd, d.status());
    data = *d;
  }
  std::string query;
  for (const auto& t : o.terms) {
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) return ReportFailure(err, cmd, Status::InvalidArgument("'" + t + "' is not KEY=VALUE"));
    query += (query.empty() ? "" : "&") + sigv4::UriEncode(t.substr(0, eq), false) + "=" +
             sigv4::UriEncode(t.substr(eq + 1), false);
  }
  auto conn = Gen3Connection::Open(o.gen3);
  if (!conn.ok()) return ReportFailure(err, cmd, conn.status());
  auto client = conn->NewClient();
  if (!client.ok()) return ReportFailure(err, cmd, client.status());
  MdsClient mds(**client, o.read_prefix, o.admin_prefix);
  Result<json> r = json();
  if (o.get->parsed()) r = mds.Get(o.guid);
  else if (o.create->parsed()) r = mds.Create(o.guid, data, o.overwrite);
  else if (o.update->parsed()) r = mds.Update(o.guid, data, o.merge);
  else if (o.query->parsed()) r = mds.Query(query, o.full, o.limit, o.offset);
  else {
    Status s = mds.Delete(o.guid);
    if (!s.ok()) return ReportFailure(err, cmd, s);
    out << "deleted " << o.guid << "\n";
    return kExitOk;
  }
  if (!r.ok()) return ReportFailure(err, cmd, r.status());
  out << r->dump(2) << "\n";
  return kExitOk;
}

}  // namespace dcc::cli
