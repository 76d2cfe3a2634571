#include "cli/cmd_file_tools.h"

#include "cli/exit_codes.h"
#include "cli/helper_io.h"
#include "common/hashing.h"
#include "dcc/transfer.h"

namespace dcc::cli {
using nlohmann::json;

namespace {

const char* kUploadCredsHelp = R"(Regenerate and print upload credentials for file records (eu_generate_upload_creds).

Each file record gets fresh temporary S3 credentials (POST <file>/@@upload); the portal
grants them only while the file's status is "uploading" or "upload failed". Use them
with any S3 client against the portal's S3 endpoint (dcc upload does all of this for
you). The output holds secrets: keep it out of logs and shared files.

--format json (the default): an array of {"id", "upload_url", "access_key",
"secret_key", "session_token", "expiration"}. --format tsv: those columns, one file per
line, no header.

Example:
  $ dcc upload-creds DCCFF123ABC --format tsv
  DCCFF123ABC	s3://dcc-files/2026/11/21/…/DCCFF123ABC.fastq.gz	ASIA…	…	…	2026-11-22T11:00:00Z
  $ AWS_ACCESS_KEY_ID=ASIA… AWS_SECRET_ACCESS_KEY=… AWS_SESSION_TOKEN=… \
    aws --endpoint-url http://portal.example.org:9000 s3 cp reads.fastq.gz s3://dcc-files/…

Identifiers come as arguments and/or from -i FILE, one per line (# lines skipped). The
first failure stops the command, as the reference's HTTPError does; -o FILE is then not
written.

See also: dcc upload.

EXIT STATUS
  0  credentials printed for every file   3  no such file record (or -i FILE)
  5  credentials refused, or the file is not awaiting bytes   2  bad flags
  4  -o FILE cannot be written   6  unreachable   1  other errors
)";

const char* kUrlListHelp = R"(Write a Google Storage Transfer Service URL list for file records (eu_create_gcp_url_list).

The list is the TsvHttpData-1.0 format: a first line "TsvHttpData-1.0", then one line per
file: its download URL (the portal's @@download link), its file_size in bytes, and the
base64 of its binary md5, tab-separated. The transfer service fetches the URLs without
credentials, so list released files (a warning names any other).

Example:
  $ dcc url-list DCCFF123ABC DCCFF456DEF -o urls.tsv
  $ cat urls.tsv
  TsvHttpData-1.0
  https://portal.example.org/files/DCCFF123ABC/@@download/DCCFF123ABC.fastq.gz	1357	wWuTmrpWn8Kzh3Jt6l3Hjg==
  https://portal.example.org/files/DCCFF456DEF/@@download/DCCFF456DEF.bam	2048	1B2M2Y8AsgTpgAmY7PhCfg==

Identifiers come as arguments and/or from -i FILE, one per line (# lines skipped). A
record without href, file_size or md5sum stops the command and -o FILE is not written.

See also: dcc download.

EXIT STATUS
  0  written   3  no such file record (or -i FILE)   2  bad flags, or a record lacks
  href, file_size or md5sum   4  -o FILE cannot be written   5  credentials refused
  6  unreachable   1  other errors
)";

int UploadCreds(Client& client, const std::vector<std::string>& ids, const std::string& format, std::ostream& out,
                std::ostream& err) {
  std::vector<json> rows;
  for (const auto& id : ids) {
    auto record = RenewUploadCredentials(client, id);
    if (!record.ok()) {
      err << "dcc upload-creds: " << id << ": " << record.status().ToString() << "\n";
      return ExitCodeFor(record.status());
    }
    const json& c = (*record)["upload_credentials"];
    rows.push_back({{"id", id},
                    {"upload_url", c.value("upload_url", "")},
                    {"access_key", c.value("access_key", "")},
                    {"secret_key", c.value("secret_key", "")},
                    {"session_token", c.value("session_token", "")},
                    {"expiration", c.value("expiration", "")}});
  }
  PrintRows(out, format, {"id", "upload_url", "access_key", "secret_key", "session_token", "expiration"}, rows);
  return kExitOk;
}

int UrlList(Client& client, const std::vector<std::string>& ids, std::ostream& out, std::ostream& err) {
  std::vector<std::string> lines;
  for (const auto& id : ids) {
    auto record = client.Get({id}, GetOptions{});
    if (!record.ok()) {
      err << "dcc url-list: " << id << ": " << record.status().ToString() << "\n";
      return ExitCodeFor(record.status());
    }
    const json& r = *record;
    const std::string href = r.value("href", ""), md5 = r.value("md5sum", "");
    const std::string b64 = HexToBase64(md5);
    if (href.empty() || b64.empty() || !r.contains("file_size")) {
      err << "dcc url-list: " << id << ": the record has no " << (href.empty() ? "href (is it a file?)" : b64.empty() ? "md5sum" : "file_size")
          << "; nothing was written\n";
      return kExitUsage;
    }
    if (r.value("status", "") != "released")
      err << "dcc url-list: warning: " << id << " is " << r.value("status", "") << ", not released: the transfer service cannot fetch it without credentials\n";
    lines.push_back(client.base_url() + href + "\t" + std::to_string(r["file_size"].get<uint64_t>()) + "\t" + b64);
  }
  out << "TsvHttpData-1.0\n";
  for (const auto& l : lines) out << l << "\n";
  return kExitOk;
}

}  // namespace

void AddFileToolsCommands(CLI::App& app, FileToolsCommandOptions& o) {
  auto* u = app.add_subcommand("upload-creds", "regenerate and print upload credentials for file records");
  u->footer(kUploadCredsHelp);
  u->add_option("ID", o.ids, "file records (or use -i)");
  u->add_option("-i,--infile", o.infile, "a file of file identifiers, one per line");
  u->add_option("-o,--outfile", o.outfile, "write here instead of stdout");
  u->add_option("--format", o.format, "json or tsv")->check(CLI::IsMember({"json", "tsv"}))->capture_default_str();

  auto* l = app.add_subcommand("url-list", "write a Storage Transfer Service URL list (TsvHttpData-1.0)");
  l->footer(kUrlListHelp);
  l->add_option("ID", o.ids, "file records (or use -i)");
  l->add_option("-i,--infile", o.infile, "a file of file identifiers, one per line");
  l->add_option("-o,--outfile", o.outfile, "write here instead of stdout");
}

std::optional<int> RunFileToolsCommands(const CLI::App& app, const ConnectionFlags& connection,
                                        const FileToolsCommandOptions& o, std::ostream& out, std::ostream& err) {
  std::string command = app.got_subcommand("upload-creds") ? "upload-creds" : app.got_subcommand("url-list") ? "url-list" : "";
  if (command.empty()) return std::nullopt;
  HelperSetup setup = SetUpHelper(command, connection, o.infile, o.ids, true, err);
  if (setup.rc != kExitOk) return setup.rc;
  Client& client = *setup.connection.client;
  return WithOutput(o.outfile, out, err, command, [&](std::ostream& sink) {
    return command == "upload-creds" ? UploadCreds(client, setup.ids, o.format, sink, err) : UrlList(client, setup.ids, sink, err);
  });
}

}  // namespace dcc::cli
