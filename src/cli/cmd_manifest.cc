#include "cli/cmd_manifest.h"

#include <unistd.h>

#include <chrono>
#include <fstream>

#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "dcc/index_client.h"
#include "dcc/manifest.h"
#include "dcc/manifest_merge.h"

namespace dcc::cli {
using nlohmann::json;
namespace {

const char* kManifestHelp = R"(Bulk work on Gen3 file manifests (CSV, or TSV when the name ends in .tsv).

Columns are found by the Gen3 SDK's names (guid; file_name|filename; size|filesize|file_size;
md5|md5sum|hash...; acl|acls; url|urls|s3_path|gs_path...; authz; prev_guid). List cells may
be space- or comma-separated or Python lists ("['s3://a', 's3://b']"); %20 is a space.

  download          every record into a manifest (guid,urls,authz,acl,md5,file_size,file_name)
  verify FILE       compare a manifest with the index; lines guid|field|expected X|actual Y
  index FILE        create/update records in batches; bad rows reported, the rest indexed;
                    a checkpoint lets a killed run resume where it stopped
  ingest-metadata FILE   each row's columns into MDS under a namespace, with _guid_type
  merge IDX MD      put GUIDs into a metadata manifest (exact, or --partial substring match)
  verify-metadata FILE   compare a metadata manifest with MDS

Examples:
  $ dcc manifest index files.tsv -o indexed.tsv --auth ~/creds.json
  files.tsv:7: md5 'xyz' is not 32 hex digits
  indexed 99999 rows (99999 created, 0 updated, 0 unchanged), 1 bad row; output indexed.tsv
  $ dcc manifest verify indexed.tsv -o mismatches.log ; echo $?
  0
  $ dcc manifest download -o all.tsv
  $ dcc manifest merge indexed.tsv samples.tsv -o merged.tsv --partial --indexing-key urls
  $ dcc manifest ingest-metadata merged.tsv --metadata-source dbgap

See also: dcc index, dcc mds. Reads GEN3_API_KEY, DCC_MODE, DCC_API_KEY, DCC_SECRET_KEY.

EXIT STATUS
  0 all done (verify: everything matched)   1 some rows failed or mismatched (reported)
  2 bad flags or an unreadable manifest   3 a file not found   4 a local write failed
  5 credentials refused   6 the server could not be reached
)";

}  // namespace

void AddManifestCommands(CLI::App& app, ManifestCommandOptions& o) {
  auto* m = app.add_subcommand("manifest", "bulk manifest tools: download, verify, index, ingest-metadata, merge, "
                                           "verify-metadata");
  m->footer(kManifestHelp);
  m->require_subcommand(1);
  o.download = m->add_subcommand("download", "write every indexed record to a manifest");
  o.download->add_option("-o,--output", o.output, "the manifest to write (.tsv: tabs, else commas)")->required();
  o.download->add_option("--format", o.format, "tsv or csv (default: by the output's extension)")
      ->check(CLI::IsMember({"tsv", "csv"}));
  o.download->add_option("--page-size", o.page_size, "records per request (default 1024, or 10000 with /bulk/export)")
      ->check(CLI::Range(1, 100000));
  o.download->add_flag("--no-export", o.no_export, "page through GET /index/ even when /bulk/export exists");

  o.verify = m->add_subcommand("verify", "compare a manifest with the index");
  o.verify->add_option("MANIFEST", o.input)->required();
  o.verify->add_option("-o,--output", o.output, "write mismatch lines here (default: standard output)");
  o.verify->add_option("--batch", o.batch, "GUIDs per POST /bulk/documents (default 1000)")->check(CLI::Range(1, 10000));
  o.verify->add_option("--concurrency", o.concurrency, "requests in flight (default 4)")->check(CLI::Range(1, 64));

  o.index = m->add_subcommand("index", "create or update the records of a manifest");
  o.index->add_option("MANIFEST", o.input)->required();
  o.index->add_option("-o,--output", o.output, "the manifest with GUIDs filled in (default: MANIFEST.indexed.tsv)");
  o.index->add_option("--checkpoint", o.checkpoint, "resume state (default: OUTPUT.checkpoint)");
  o.index->add_flag("--restart", o.restart, "ignore an existing checkpoint and start from the first row");
  o.index->add_flag("--per-record", o.per_record,
                    "one record per request (POST, then GET and PUT if it exists), as any indexd takes them; "
                    "chosen by itself when the server has no /bulk/index");
  o.index->add_option("--batch", o.batch, "records per POST /bulk/index (default 5000)")->check(CLI::Range(1, 10000));
  o.index->add_option("--concurrency", o.concurrency, "requests in flight (default 2)")->check(CLI::Range(1, 64));

  o.ingest = m->add_subcommand("ingest-metadata", "put each row's columns into the metadata service");
  o.ingest->add_option("MANIFEST", o.input)->required();
  o.ingest->add_option("--metadata-source", o.metadata_source, "the namespace key in MDS data")->capture_default_str();
  o.ingest->add_option("--guid-type", o.guid_type,
                       "_guid_type to set (default: indexed_file_object if the GUID is indexed, else metadata_object)");
  o.ingest->add_option("--guid-column", o.guid_column, "the column holding GUIDs")->capture_default_str();
  o.ingest->add_option("--concurrency", o.concurrency, "requests in flight (default 4)")->check(CLI::Range(1, 64));

  o.merge = m->add_subcommand("merge", "put GUIDs from an indexing manifest into a metadata manifest");
  o.merge->add_option("INDEXING_MANIFEST", o.indexing_manifest)->required();
  o.merge->add_option("METADATA_MANIFEST", o.metadata_manifest)->required();
  o.merge->add_option("-o,--output", o.output, "the merged manifest (TSV)")->required();
  o.merge->add_option("--metadata-key", o.metadata_key, "key column of the metadata manifest")->capture_default_str();
  o.merge->add_option("--indexing-key", o.indexing_key, "key column of the indexing manifest")->capture_default_str();
  o.merge->add_option("--guid-column", o.guid_column, "GUID column of the indexing manifest")->capture_default_str();
  o.merge->add_flag("--partial", o.partial, "match when the metadata key occurs inside the indexing key");
  o.merge->add_flag("--no-indexing-columns", o.no_indexing_columns, "leave out the indexing manifest's other columns");

  o.verify_metadata = m->add_subcommand("verify-metadata", "compare a metadata manifest with the metadata service");
  o.verify_metadata->add_option("MANIFEST", o.input)->required();
  o.verify_metadata->add_option("-o,--output", o.output, "write mismatch lines here (default: standard output)");
  o.verify_metadata->add_option("--metadata-source", o.metadata_source, "the namespace key in MDS data")->capture_default_str();
  o.verify_metadata->add_option("--guid-column", o.guid_column, "the column holding GUIDs")->capture_default_str();
  o.verify_metadata->add_option("--concurrency", o.concurrency, "requests in flight (default 4)")->check(CLI::Range(1, 64));

  for (auto* c : {o.download, o.verify, o.index, o.ingest, o.merge, o.verify_metadata}) {
    c->footer(kManifestHelp);
    if (c == o.merge) continue;
    AddGen3Flags(c, o.gen3);
    c->add_flag("!--no-progress", o.progress, "no progress line, even on a terminal");
  }
  for (auto* c : {o.ingest, o.verify_metadata}) {
    c->add_option("--mds-prefix", o.read_prefix, "where MDS reads are served")->capture_default_str();
    c->add_option("--mds-admin-prefix", o.admin_prefix, "where MDS writes are served")->capture_default_str();
  }
}

namespace {

int RunMerge(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err) {
  MergeOptions m;
  m.metadata_key_column = o.metadata_key;
  m.indexing_key_column = o.indexing_key;
  m.guid_column = o.guid_column;
  m.partial = o.partial;
  m.include_indexing_columns = !o.no_indexing_columns;
  auto start = std::chrono::steady_clock::now();
  auto stats = MergeGuidsIntoMetadata(o.indexing_manifest, o.metadata_manifest, o.output, m);
  if (!stats.ok()) return ReportFailure(err, "manifest merge", stats.status());
  for (const auto& d : stats->unmatched) err << d.where << ": " << d.message << "\n";
  if (stats->unmatched_rows > static_cast<int64_t>(stats->unmatched.size()))
    err << "... and " << stats->unmatched_rows - static_cast<int64_t>(stats->unmatched.size()) << " more unmatched rows\n";
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << "merged " << stats->metadata_rows << " metadata rows with " << stats->indexing_rows << " indexing rows ("
      << (o.partial ? "partial" : "exact") << "): " << stats->output_rows << " rows written to " << o.output << ", "
      << stats->unmatched_rows << " without a GUID, in " << secs << " s\n";
  return kExitOk;
}

}  // namespace

int RunManifestDownload(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char delimiter = o.format == "tsv"   ? '\t'
                         : o.format == "csv" ? ','
                                             : ManifestDelimiterFor(o.output);
  auto conn = Gen3Connection::Open(o.gen3);
  if (!conn.ok()) return ReportFailure(err, "manifest download", conn.status());
  auto client = conn->NewClient();
  if (!client.ok()) return ReportFailure(err, "manifest download", client.status());
  IndexClient index(**client, conn->index_prefix());
  // Written to a temporary name and renamed at the end: a failed run leaves no partial
  // manifest that looks complete.
  std::string tmp = o.output + ".part";
  std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
  if (!file) {
    err << "dcc manifest download: " << tmp << ": cannot write\n";
    return kExitIOError;
  }
  std::string buffer;
  AppendManifestRow(buffer, DownloadManifestHeader(), delimiter);
  bool use_export = !o.no_export;
  int limit = o.page_size ? o.page_size : (use_export ? 10000 : 1024);
  std::string start;
  int64_t records = 0, pages = 0;
  const bool tty = o.progress && isatty(STDERR_FILENO);
  auto begin = std::chrono::steady_clock::now();
  std::vector<std::string> row;
  for (;;) {
    auto page = index.List(start, limit, use_export);
    if (!page.ok() && use_export && pages == 0 && page.status().code() == Status::Code::kNotFound) {
      // Not dccd: any indexd serves keyset pages of GET /index/ (limit ≤ 1024).
      use_export = false;
      limit = o.page_size ? std::min(o.page_size, 1024) : 1024;
      continue;
    }
    if (!page.ok()) {
      err << "dcc manifest download: " << page.status().ToString() << " (after " << records << " records)\n";
      std::remove(tmp.c_str());
      return ExitCodeFor(page.status());
    }
    ++pages;
    for (const auto& r : page->records) AppendManifestRow(buffer, DownloadRowOf(r), delimiter);
    records += static_cast<int64_t>(page->records.size());
    file << buffer;
    buffer.clear();
    if (tty) err << "\r" << records << " records" << std::flush;
    if (page->last || page->records.empty()) break;
    start = page->records.back().value("did", "");
  }
  file.close();
  if (!file || std::rename(tmp.c_str(), o.output.c_str()) != 0) {
    err << "dcc manifest download: " << o.output << ": cannot write\n";
    return kExitIOError;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (tty) err << "\n";
  out << "downloaded " << records << " records in " << pages << " pages (" << (use_export ? "/bulk/export" : "/index/")
      << ", " << limit << " per page) to " << o.output << " in " << secs << " s\n";
  return kExitOk;
}

int RunManifest(const ManifestCommandOptions& given, std::ostream& out, std::ostream& err) {
  ManifestCommandOptions o = given;
  if (o.batch == 0) o.batch = o.index->parsed() ? 5000 : 1000;
  if (o.concurrency == 0) o.concurrency = o.index->parsed() ? 2 : 4;
  if (o.merge->parsed()) return RunMerge(o, out, err);
  if (o.download->parsed()) return RunManifestDownload(o, out, err);
  if (o.verify->parsed()) return RunManifestVerify(o, out, err);
  if (o.index->parsed()) return RunManifestIndex(o, out, err);
  if (o.ingest->parsed()) return RunManifestIngestMetadata(o, out, err);
  return RunManifestVerifyMetadata(o, out, err);
}

}  // namespace dcc::cli
