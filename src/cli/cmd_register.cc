#include "cli/cmd_register.h"

#include "cli/exit_codes.h"
#include "dcc/client.h"
#include "dcc/records_input.h"
#include "dcc/transfer.h"

namespace dcc::cli {
namespace {

const char* kHelp = R"(Create (POST) or update (--patch, --rm-patch) records from a TSV or JSON file.

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
the config ("lab", "award"). A JSON value {"path": "plot.png"} is sent as an attachment.

--patch merges each row into its record; arrays are extended (duplicates dropped) unless
-w replaces them. --rm-patch -r a,b removes properties a and b (a PATCH cannot: a
property such as pooled_from may not be empty) and applies the row's other columns, in
one PUT of the record's edit frame, refused if the record changed meanwhile. Required,
read-only and calculated properties cannot be removed: that is an error, and nothing is
sent.

File records: md5sum and file_size are computed from submitted_file_name when the row
has none, and after the POST the file is uploaded to the portal (as dcc upload does;
--s3-endpoint or AWS_ENDPOINT_URL_S3 says where); --no-upload-file skips it. The source
is a local file or an s3://bucket/key object, read through the same endpoint with
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (ranged GETs, streamed
into the hash and the upload; a missing object or refused credentials fail the row
before anything is posted). paired_end is dropped when run_type is single-ended.

Example:
  $ cat biosamples.tsv
  aliases	organism	source	biosample_ontology	passage_number	#note
  k562-a	human	atcc	cell_line_EFO_0002067	4	first batch
  $ DCC_LAB=demo-lab DCC_AWARD=U54DEMO dcc register -p biosample -i biosamples.tsv
  biosamples.tsv:2: POST /biosample demo-lab:k562-a -> /biosamples/DCCBS457IAI/
  1 created, 0 existed, 0 patched, 0 failed
  $ printf 'record_id\tdescription\ndemo-lab:k562-a\tthawed twice\n' > fix.tsv
  $ dcc register -p biosample -i fix.tsv --rm-patch -r passage_number
  fix.tsv:2: PUT /demo-lab%3Ak562-a -> /biosamples/DCCBS457IAI/
  0 created, 0 existed, 1 patched, 0 failed

Every write is logged when DCC_LOG_DIR (or "log_dir") is set: log_eu_<host>_debug.txt,
_error.txt and _posted.txt, as encode_utils writes them to EU_Logs; a dry run logs what
it would have sent.

See also: dcc get, dcc search, dcc upload, dcc config show. Reads DCC_MODE, DCC_API_KEY,
DCC_SECRET_KEY, DCC_LAB, DCC_AWARD, DCC_LOG_DIR, DCC_CONFIG_FILE, AWS_ENDPOINT_URL_S3,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (s3:// sources only).

EXIT STATUS
  0  every record was created, found existing, or patched (or would be, with --dry-run)
  1  the server refused a record, or a file upload after its POST failed
  2  the file has errors (nothing sent), bad flags, or a property that cannot be removed
  3  the file or the profile does not exist   5  credentials refused   6  server unreachable

)";

std::string Name(const nlohmann::json& r) {
  if (r.contains("@id")) return r["@id"].get<std::string>();
  if (r.contains("accession")) return r["accession"].get<std::string>();
  return r.value("uuid", "");
}

// Uploads a new file record's local submitted_file_name (the reference's after-POST
// hook); false, with the reason on `err`, if it failed.
bool UploadAfterPost(Client& client, const Client::Written& written, const UploadOptions& upload,
                     const std::string& where, std::ostream& out, std::ostream& err) {
  auto r = UploadSubmittedFile(client, written, upload);
  if (!r.ok()) {
    err << where << ": the record was created, but its file was not uploaded: " << r.status().ToString()
        << " (retry with dcc upload " << Name(written.record) << " PATH)\n";
    return false;
  }
  if (!r->has_value()) return true;
  const UploadResult& u = **r;
  out << where << ": uploaded " << written.record.value("submitted_file_name", "") << " (" << u.size << " bytes, "
      << u.parts << " parts) -> " << u.status << "\n";
  if (u.status == "in progress") return true;
  err << where << ": the portal rejected the uploaded bytes: " << u.content_error_detail << "\n";
  return false;
}

}  // namespace

void AddRegisterCommand(CLI::App& app, RegisterCommandOptions& o) {
  auto* r = app.add_subcommand("register", "create or patch records from a TSV or JSON file");
  r->footer(kHelp);
  r->add_option("-p,--profile", o.profile, "the record type, e.g. biosample")->required();
  r->add_option("-i,--infile", o.infile, "a TSV or JSON file")->required();
  auto* patch = r->add_flag("--patch", o.patch, "update the records named by record_id instead of creating");
  auto* rm_patch = r->add_flag("--rm-patch", o.rm_patch, "remove the -r properties, then patch with the row (one PUT)");
  patch->excludes(rm_patch);
  r->add_option("-r,--remove-property", o.remove_props, "with --rm-patch: properties to remove, comma-separated")
      ->delimiter(',')
      ->needs(rm_patch);
  r->add_flag("-w,--overwrite-array-values", o.overwrite_arrays, "with --patch or --rm-patch: replace arrays instead of extending");
  r->add_flag("-d,--dry-run", o.dry_run, "check and print what would be sent; send nothing");
  r->add_flag("--no-aliases", o.no_aliases, "allow records without aliases");
  r->add_flag("--continue", o.keep_going, "send the good records even if some are bad");
  r->add_flag("--no-upload-file", o.no_upload_file, "do not upload files named by submitted_file_name");
  r->add_option("--s3-endpoint", o.s3_endpoint, "the portal's S3 endpoint URL, for uploads after a POST (and s3:// sources)");
}

int RunRegister(const ConnectionFlags& connection, const RegisterCommandOptions& o, std::ostream& out,
                std::ostream& err) {
  if (o.rm_patch && o.remove_props.empty()) {
    err << "dcc register: --rm-patch needs -r PROPERTY[,PROPERTY...] (use --patch to only patch)\n";
    return kExitUsage;
  }
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
  if (o.rm_patch) {
    if (Status s = CheckRemovableProps(*schema, o.remove_props); !s.ok()) {
      err << "dcc register: " << s.ToString() << "; nothing was sent\n";
      return kExitUsage;
    }
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
  UploadOptions upload;
  upload.s3_endpoint = S3EndpointFrom(o.s3_endpoint, c->config);
  w.s3_endpoint = upload.s3_endpoint;  // s3:// submitted_file_names are read there too
  int created = 0, existed = 0, patched = 0, failed = 0;
  for (const auto& row : input->records) {
    nlohmann::json record = row.record;
    std::string where = o.infile + ":" + std::to_string(row.line);
    Result<Client::Written> written = Status::Internal("unset");
    if (o.patch || o.rm_patch) {
      std::string id = record.value("record_id", record.value("_enc_id", ""));
      record.erase("record_id");
      if (id.empty()) {
        err << where << ": " << (o.patch ? "--patch" : "--rm-patch") << " needs a record_id for each row\n";
        ++failed;
        if (!o.keep_going) break;
        continue;
      }
      record["_enc_id"] = id;
      written = o.patch ? client.Patch(record, w) : client.RemoveProps(id, o.remove_props, record, w);
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
    const bool updating = o.patch || o.rm_patch;
    if (o.dry_run) {
      out << where << ": would " << (o.patch ? "PATCH " : o.rm_patch ? "PUT " : "POST ") << written->path << " "
          << written->record.dump() << "\n";
    } else if (written->existed) {
      ++existed;
      out << where << ": exists " << Name(written->record) << "\n";
    } else {
      ++(updating ? patched : created);
      out << where << ": " << written->method << " " << written->path << " -> " << Name(written->record) << "\n";
      if (!updating && !o.no_upload_file && !UploadAfterPost(client, *written, upload, where, out, err)) {
        ++failed;
        if (!o.keep_going) break;
      }
    }
  }
  out << created << " created, " << existed << " existed, " << patched << " patched, " << failed << " failed";
  if (!input->bad_lines.empty()) out << ", " << input->bad_lines.size() << " bad line(s) skipped";
  out << (o.dry_run ? " (dry run: nothing was sent)" : "") << "\n";
  return failed > 0 || !input->bad_lines.empty() ? kExitFailed : kExitOk;
}

}  // namespace dcc::cli
