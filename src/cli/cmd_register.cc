#include "cli/cmd_register.h"

#include "cli/exit_codes.h"
#include "dcc/client.h"
#include "dcc/records_input.h"

namespace dcc::cli {
namespace {

const char* kHelp = R"(Create (POST) or update (--patch) records from a TSV or JSON file.

The whole file is checked against the server's profile first: unknown columns and cells
that do not cast to their property's type are all reported as file:line:col, and then
nothing is sent (with --continue, the good rows are sent and the bad ones listed).
Submitting the same file again is safe: records are named by their aliases, and one that
exists is reported as such, not duplicated.

TSV: a header of property names, one record per line. Lines and columns starting with #
are skipped; empty cells are left out; cells become integers, numbers, booleans, arrays
("a,b" or "[a, b]") or JSON objects as the profile says. JSON: an object or an array.
A record_id column (or "_enc_id" in JSON) names the record to update with --patch.
Aliases without a prefix get the lab's; lab and award default from DCC_LAB, DCC_AWARD or
the config ("lab", "award").

Example:
  $ cat biosamples.tsv
  aliases	organism	source	biosample_ontology	passage_number	#note
  k562-a	human	atcc	cell_line_EFO_0002067	4	first batch
  $ DCC_LAB=demo-lab DCC_AWARD=U54DEMO dcc register -p biosample -i biosamples.tsv
  biosamples.tsv:2: POST /biosample demo-lab:k562-a -> /biosamples/DCCBS457IAI/
  1 created, 0 existed, 0 patched, 0 failed

See also: dcc get, dcc search, dcc config show. Reads DCC_MODE, DCC_API_KEY,
DCC_SECRET_KEY, DCC_LAB, DCC_AWARD, DCC_CONFIG_FILE.

EXIT STATUS
  0  every record was created, found existing, or patched (or would be, with --dry-run)
  1  the server refused a record   2  the file has errors (nothing sent) or bad flags
  3  the file or the profile does not exist   5  credentials refused   6  server unreachable

)";

std::string Name(const nlohmann::json& r) {
  if (r.contains("@id")) return r["@id"].get<std::string>();
  if (r.contains("accession")) return r["accession"].get<std::string>();
  return r.value("uuid", "");
}

}  // namespace

void AddRegisterCommand(CLI::App& app, RegisterCommandOptions& o) {
  auto* r = app.add_subcommand("register", "create or patch records from a TSV or JSON file");
  r->footer(kHelp);
  r->add_option("-p,--profile", o.profile, "the record type, e.g. biosample")->required();
  r->add_option("-i,--infile", o.infile, "a TSV or JSON file")->required();
  r->add_flag("--patch", o.patch, "update the records named by record_id instead of creating");
  r->add_flag("-w,--overwrite-array-values", o.overwrite_arrays, "with --patch: replace arrays instead of extending");
  r->add_flag("-d,--dry-run", o.dry_run, "check and print what would be sent; send nothing");
  r->add_flag("--no-aliases", o.no_aliases, "allow records without aliases");
  r->add_flag("--continue", o.keep_going, "send the good records even if some are bad");
  r->add_flag("--no-upload-file", o.no_upload_file, "do not upload files named by submitted_file_name");
}

int RunRegister(const ConnectionFlags& connection, const RegisterCommandOptions& o, std::ostream& out,
                std::ostream& err) {
  auto c = Connect(connection);
  if (!c.ok()) {
    err << "dcc register: " << c.status().ToString() << "\n";
    return ExitCodeFor(c.status());
  }
  Client& client = *c->client;
  auto schema = client.Schema(o.profile);
  if (!schema.ok()) {
    err << "dcc register: " << schema.status().ToString() << "\n";
    return ExitCodeFor(schema.status());
  }
  auto input = ReadRecords(o.infile, *schema);
  if (!input.ok()) {
    err << "dcc register: " << input.status().ToString() << "\n";
    return ExitCodeFor(input.status());
  }
  for (const auto& e : input->errors) err << e.where << ": " << e.message << "\n";
  if (!input->errors.empty() && !o.keep_going) {
    err << "dcc register: " << input->errors.size() << " problem(s) in " << o.infile
        << "; nothing was sent (fix them, or pass --continue to send the good rows)\n";
    return kExitUsage;
  }
  WriteOptions w;
  w.dry_run = o.dry_run;
  w.require_aliases = !o.no_aliases;
  w.extend_arrays = !o.overwrite_arrays;
  w.lab = c->config.values().value("lab", "");
  w.award = c->config.values().value("award", "");
  int created = 0, existed = 0, patched = 0, failed = 0;
  for (const auto& row : input->records) {
    nlohmann::json record = row.record;
    std::string where = o.infile + ":" + std::to_string(row.line);
    Result<Client::Written> written = Status::Internal("unset");
    if (o.patch) {
      std::string id = record.value("record_id", record.value("_enc_id", ""));
      record.erase("record_id");
      if (id.empty()) {
        err << where << ": --patch needs a record_id for each row\n";
        ++failed;
        if (!o.keep_going) break;
        continue;
      }
      record["_enc_id"] = id;
      written = client.Patch(record, w);
    } else {
      record.erase("record_id");
      record["_profile"] = o.profile;
      written = client.Post(record, w);
    }
    if (!written.ok()) {
      err << where << ": " << written.status().ToString() << "\n";
      ++failed;
      if (!o.keep_going) break;
      continue;
    }
    if (o.dry_run) {
      out << where << ": would " << (o.patch ? "PATCH " : "POST ") << written->path << " "
          << written->record.dump() << "\n";
    } else if (written->existed) {
      ++existed;
      out << where << ": exists " << Name(written->record) << "\n";
    } else {
      ++(o.patch ? patched : created);
      out << where << ": " << written->method << " " << written->path << " -> " << Name(written->record) << "\n";
    }
  }
  out << created << " created, " << existed << " existed, " << patched << " patched, " << failed << " failed";
  if (!input->bad_lines.empty()) out << ", " << input->bad_lines.size() << " bad line(s) skipped";
  out << (o.dry_run ? " (dry run: nothing was sent)" : "") << "\n";
  return failed > 0 || !input->bad_lines.empty() ? kExitFailed : kExitOk;
}

}  // namespace dcc::cli
