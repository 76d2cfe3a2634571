// dcc manifest ingest-metadata and dcc manifest verify-metadata (gen3.md §5.10, §5.12).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <unordered_set>

#include "cli/cmd_manifest.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/manifest_rows.h"
#include "cli/ordered_pipeline.h"
#include "dcc/index_client.h"
#include "dcc/manifest.h"

namespace dcc::cli {
using nlohmann::json;
namespace {

constexpr int kRowsPerJob = 200;

// A cell as the SDK reads it: trimmed, outer quotes dropped, '' as ', then JSON if it
// parses (123, true, null, {"a": 1} nest as values), else the text.
json CellValue(const std::string& raw) {
  std::string v = raw;
  while (!v.empty() && v.front() == '\'') v.erase(0, 1);
  while (!v.empty() && v.back() == '\'') v.pop_back();
  for (size_t p = v.find("''"); p != std::string::npos; p = v.find("''", p + 1)) v.replace(p, 2, "'");
  json j = json::parse(v, nullptr, false);
  return j.is_discarded() ? json(v) : j;
}

struct MetadataRow {
  int64_t line = 0;
  std::string guid;
  json values;  // column -> value
};

struct MetadataJob {
  std::vector<MetadataRow> rows;
  std::string lines;    // verify: mismatch lines; ingest: failures
  int64_t failed = 0;   // rows refused or mismatched
  int64_t done = 0;
  Status error;         // cannot go on (credentials, server unreachable)
};

struct Setup {
  std::unique_ptr<ManifestReader> reader;
  int guid_column = -1;
  std::optional<Gen3Connection> conn;
  std::vector<std::unique_ptr<Client>> clients;
};

Result<Setup> Prepare(const ManifestCommandOptions& o) {
  Setup s;
  DCC_ASSIGN_OR_RETURN(s.reader, ManifestReader::Open(o.input));
  for (size_t i = 0; i < s.reader->header().size(); ++i)
    if (s.reader->header()[i] == o.guid_column) s.guid_column = static_cast<int>(i);
  if (s.guid_column < 0)
    return Status::InvalidArgument("the manifest has no '" + o.guid_column + "' column (set --guid-column)", o.input);
  DCC_ASSIGN_OR_RETURN(Gen3Connection conn, Gen3Connection::Open(o.gen3));
  s.conn = std::move(conn);
  DCC_ASSIGN_OR_RETURN(s.clients, s.conn->NewClients(o.concurrency));
  return s;
}

// Reads rows into jobs of kRowsPerJob and runs them; bad rows are reported and skipped.
int Drive(const ManifestCommandOptions& o, Setup& s, const char* cmd, const char* verb,
          std::function<void(int, MetadataJob&)> work, std::ostream& sink, std::ostream& out, std::ostream& err) {
  int64_t done = 0, failed = 0, bad_rows = 0;
  Status fatal;                      // written by commits only
  std::atomic<bool> stopped{false};  // read by the producer
  const bool tty = o.progress && isatty(STDERR_FILENO);
  auto begin = std::chrono::steady_clock::now();
  OrderedPipeline<MetadataJob> pipeline(o.concurrency, static_cast<size_t>(o.concurrency) * 2, work,
                                        [&](MetadataJob& job) {
                                          if (!job.error.ok()) {
                                            if (fatal.ok()) fatal = job.error;
                                            stopped = true;
                                            return;
                                          }
                                          sink << job.lines;
                                          done += job.done;
                                          failed += job.failed;
                                          if (tty) err << "\r" << done << " rows" << std::flush;
                                        });
  const auto& header = s.reader->header();
  MetadataJob job;
  bad_rows = ForEachManifestRow(*s.reader, 0, stopped, err, [&](std::vector<std::string>& cells, int64_t line) {
    MetadataRow row;
    row.line = line;
    row.guid = cells[s.guid_column];
    if (row.guid.empty())
      return Status::InvalidArgument("no " + o.guid_column, o.input + ":" + std::to_string(line));
    row.values = json::object();
    for (size_t i = 0; i < header.size(); ++i)
      if (static_cast<int>(i) != s.guid_column) row.values[header[i]] = CellValue(cells[i]);
    job.rows.push_back(std::move(row));
    if (job.rows.size() >= kRowsPerJob) {
      pipeline.Push(std::move(job));
      job = MetadataJob();
    }
    return Status::Ok();
  });
  if (!job.rows.empty()) pipeline.Push(std::move(job));
  pipeline.Finish();
  sink.flush();
  if (tty) err << "\n";
  if (!fatal.ok()) return ReportFailure(err, cmd, fatal);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  out << verb << " " << done << " rows: " << failed << (std::string(cmd) == "manifest verify-metadata" ? " mismatched, " : " failed, ")
      << bad_rows << " unreadable, in " << secs << " s\n";
  return failed == 0 && bad_rows == 0 ? kExitOk : kExitFailed;
}

bool Fatal(const Status& s) {
  auto c = s.code();
  return c == Status::Code::kUnauthenticated || c == Status::Code::kPermissionDenied ||
         c == Status::Code::kUnavailable;
}

}  // namespace

int RunManifestIngestMetadata(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* cmd = "manifest ingest-metadata";
  auto setup = Prepare(o);
  if (!setup.ok()) return ReportFailure(err, cmd, setup.status());
  Setup& s = *setup;
  std::vector<IndexClient> indexes;
  std::vector<MdsClient> mds;
  for (auto& c : s.clients) {
    indexes.emplace_back(*c, s.conn->index_prefix());
    mds.emplace_back(*c, o.read_prefix, o.admin_prefix);
  }
  std::atomic<bool> per_row{false};
  auto work = [&](int w, MetadataJob& job) {
    // _guid_type: whether each GUID is indexed, asked once per job (gen3.md §3.4).
    std::unordered_set<std::string> indexed;
    if (o.guid_type.empty()) {
      std::vector<std::string> ids;
      for (const auto& r : job.rows) ids.push_back(r.guid);
      auto docs = indexes[w].Documents(ids);
      if (!docs.ok()) {
        job.error = docs.status();
        return;
      }
      for (const auto& d : *docs) indexed.insert(d.value("did", ""));
    }
    auto data_of = [&](const MetadataRow& r) {
      return json{{o.metadata_source, r.values},
                  {"_guid_type", !o.guid_type.empty()        ? o.guid_type
                                 : indexed.count(r.guid) ? "indexed_file_object"
                                                         : "metadata_object"}};
    };
    // The whole job in one batch POST (full replace, as the SDK's POST-then-PUT); one
    // request per row only where the service has no batch endpoint.
    if (!per_row) {
      json entries = json::array();
      for (const auto& r : job.rows) entries.push_back({{"guid", r.guid}, {"data", data_of(r)}});
      auto res = mds[w].BatchCreate(entries, /*overwrite=*/true);
      if (res.ok()) {
        std::unordered_set<std::string> refused;
        for (const char* key : {"conflict", "bad_input"})
          if (res->contains(key) && (*res)[key].is_array())
            for (const auto& g : (*res)[key]) refused.insert(g.is_string() ? g.get<std::string>() : g.dump());
        for (const auto& r : job.rows) {
          if (!refused.count(r.guid)) {
            ++job.done;
            continue;
          }
          ++job.failed;
          job.lines += o.input + ":" + std::to_string(r.line) + ": the metadata service refused " + r.guid + "\n";
        }
        return;
      }
      if (Fatal(res.status())) {
        job.error = res.status();
        return;
      }
      if (res.status().code() != Status::Code::kNotFound && res.status().code() != Status::Code::kMethodNotAllowed &&
          res.status().code() != Status::Code::kIOError) {
        job.error = res.status();
        return;
      }
      per_row = true;
    }
    for (const auto& r : job.rows) {
      json data = data_of(r);
      auto res = mds[w].Create(r.guid, data, /*overwrite=*/true);
      if (res.ok()) {
        ++job.done;
        continue;
      }
      if (Fatal(res.status())) {
        job.error = res.status();
        return;
      }
      ++job.failed;
      job.lines += o.input + ":" + std::to_string(r.line) + ": " + res.status().message() + "\n";
    }
  };
  return Drive(o, s, cmd, "ingested", work, err, out, err);
}

int RunManifestVerifyMetadata(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* cmd = "manifest verify-metadata";
  std::ofstream file;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) return ReportFailure(err, cmd, Status::IOError("cannot write", o.output));
  }
  auto setup = Prepare(o);
  if (!setup.ok()) return ReportFailure(err, cmd, setup.status());
  Setup& s = *setup;
  std::vector<MdsClient> mds;
  for (auto& c : s.clients) mds.emplace_back(*c, o.read_prefix, o.admin_prefix);
  auto work = [&](int w, MetadataJob& job) {
    for (const auto& r : job.rows) {
      ++job.done;
      auto actual = mds[w].Get(r.guid);
      if (!actual.ok()) {
        if (actual.status().code() != Status::Code::kNotFound) {
          job.error = actual.status();
          return;
        }
        job.lines += r.guid + "|no_record|expected metadata|actual none\n";
        ++job.failed;
        continue;
      }
      const json& ns = actual->is_object() && actual->contains(o.metadata_source) ? (*actual)[o.metadata_source] : json();
      bool mismatch = false;
      for (auto it = r.values.begin(); it != r.values.end(); ++it) {
        json got = ns.is_object() && ns.contains(it.key()) ? ns[it.key()] : json();
        // Both sides through JSON, as the SDK's json.loads(str(x)): "1" and 1 agree.
        if (got.is_string()) got = CellValue(got.get<std::string>());
        if (got == it.value()) continue;
        mismatch = true;
        job.lines += r.guid + "|" + o.metadata_source + "." + it.key() + "|expected " + it.value().dump() +
                     "|actual " + (got.is_null() && !(ns.is_object() && ns.contains(it.key())) ? "none" : got.dump()) +
                     "\n";
      }
      if (mismatch) ++job.failed;
    }
  };
  return Drive(o, s, cmd, "verified", work, o.output.empty() ? out : static_cast<std::ostream&>(file), err, err);
}

}  // namespace dcc::cli
