// dcc manifest index and dcc manifest verify: batched, parallel, in input order.
#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unordered_map>

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

std::vector<std::string> SortedStrings(const json& v) {
  std::vector<std::string> out;
  if (v.is_array())
    for (const auto& x : v)
      if (x.is_string()) out.push_back(x.get<std::string>());
  std::sort(out.begin(), out.end());
  return out;
}

// A GUID for a row that has none, from the row's content and line: the same manifest
// always mints the same GUIDs, so a resumed or repeated run updates records instead of
// duplicating them, and a batch may be resent after a lost answer.
std::string MintGuid(const std::vector<std::string>& cells, int64_t line) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::string l = std::to_string(line) + "\x1e";
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(l.data()), l.size());
  for (const auto& c : cells) {
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(c.data()), c.size());
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>("\x1f"), 1);
  }
  unsigned char h[32];
  crypto_hash_sha256_final(&st, h);
  h[6] = (h[6] & 0x0f) | 0x40;  // version 4 layout (indexd's did pattern wants a UUID)
  h[8] = (h[8] & 0x3f) | 0x80;
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(hex[h[i] >> 4]);
    s.push_back(hex[h[i] & 15]);
  }
  return s;
}

// ---- verify ----

struct VerifyRow {
  int64_t line = 0;
  ManifestFile file;
};

struct VerifyJob {
  std::vector<VerifyRow> rows;
  std::string lines;  // mismatch lines
  int64_t mismatched_rows = 0;
  Status error;
};

void Compare(const VerifyRow& row, const json* rec, const ManifestColumns& col, VerifyJob& job) {
  const std::string& guid = row.file.guid;
  size_t before = job.lines.size();
  auto line = [&](const char* field, const std::string& expected, const std::string& actual) {
    job.lines += guid + "|" + field + "|expected " + expected + "|actual " + actual + "\n";
  };
  if (!rec) {
    line("no_record", "a record", "none");
    ++job.mismatched_rows;
    return;
  }
  auto lists = [&](int column, const char* field, std::vector<std::string> expected) {
    if (column < 0) return;
    std::sort(expected.begin(), expected.end());
    auto actual = SortedStrings(rec->value(field, json::array()));
    if (expected != actual) line(field, json(expected).dump(), json(actual).dump());
  };
  lists(col.authz, "authz", row.file.authz);
  lists(col.acl, "acl", row.file.acl);
  if (col.size >= 0) {
    std::string expected = row.file.size ? std::to_string(*row.file.size) : "";
    const json& s = rec->contains("size") ? (*rec)["size"] : json();
    std::string actual = s.is_number() ? std::to_string(s.get<int64_t>()) : "";
    if (expected != actual) line("file_size", expected, actual);
  }
  if (col.md5 >= 0) {
    std::string actual;
    if (rec->contains("hashes") && (*rec)["hashes"].is_object()) actual = (*rec)["hashes"].value("md5", "");
    if (row.file.md5 != actual) line("md5", row.file.md5, actual);
  }
  // The reference reads the url column as "urls" only, so a manifest with "url" never
  // compared its locations; every alias counts here.
  lists(col.urls, "urls", row.file.urls);
  if (col.file_name >= 0 && !row.file.file_name.empty()) {
    const json& f = rec->contains("file_name") ? (*rec)["file_name"] : json();
    std::string actual = f.is_string() ? f.get<std::string>() : "";
    if (actual != row.file.file_name) line("file_name", row.file.file_name, actual);
  }
  if (job.lines.size() != before) ++job.mismatched_rows;
}

}  // namespace

int RunManifestVerify(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* cmd = "manifest verify";
  auto reader = ManifestReader::Open(o.input);
  if (!reader.ok()) return ReportFailure(err, cmd, reader.status());
  ManifestColumns col = ManifestColumns::Of(**reader);
  if (col.guid < 0) return ReportFailure(err, cmd, Status::InvalidArgument("the manifest has no guid column", o.input));
  std::ofstream file;
  std::ostream* sink = &out;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) return ReportFailure(err, cmd, Status::IOError("cannot write", o.output));
    sink = &file;
  }
  auto conn = Gen3Connection::Open(o.gen3);
  if (!conn.ok()) return ReportFailure(err, cmd, conn.status());
  auto clients = conn->NewClients(o.concurrency);
  if (!clients.ok()) return ReportFailure(err, cmd, clients.status());
  std::vector<IndexClient> indexes;
  for (auto& c : *clients) indexes.emplace_back(*c, conn->index_prefix());

  int64_t rows = 0, mismatched = 0, bad_rows = 0;
  Status fatal;                      // written by commits only
  std::atomic<bool> stopped{false};  // read by the producer
  const bool tty = o.progress && isatty(STDERR_FILENO);
  auto begin = std::chrono::steady_clock::now();
  OrderedPipeline<VerifyJob> pipeline(
      o.concurrency, static_cast<size_t>(o.concurrency) * 2,
      [&](int w, VerifyJob& job) {
        std::vector<std::string> ids;
        for (const auto& r : job.rows) ids.push_back(r.file.guid);
        auto docs = indexes[w].Documents(ids);
        if (!docs.ok()) {
          job.error = docs.status();
          return;
        }
        std::unordered_map<std::string, const json*> by_did;
        for (const auto& d : *docs)
          if (d.contains("did") && d["did"].is_string()) by_did[d["did"].get<std::string>()] = &d;
        for (const auto& r : job.rows) {
          auto it = by_did.find(r.file.guid);
          Compare(r, it == by_did.end() ? nullptr : it->second, col, job);
        }
      },
      [&](VerifyJob& job) {
        if (!job.error.ok()) {
          if (fatal.ok()) fatal = job.error;
          stopped = true;
          return;
        }
        *sink << job.lines;
        mismatched += job.mismatched_rows;
        rows += static_cast<int64_t>(job.rows.size());
        if (tty) err << "\r" << rows << " rows verified" << std::flush;
      });
  VerifyJob job;
  bad_rows = ForEachManifestRow(**reader, 0, stopped, err, [&](std::vector<std::string>& cells, int64_t line) {
    std::string where = o.input + ":" + std::to_string(line);
    auto f = ReadManifestFile(cells, col, where, /*require_content=*/false);
    if (!f.ok()) return f.status();
    if (f->guid.empty()) return Status::InvalidArgument("no guid", where);
    job.rows.push_back({line, std::move(*f)});
    if (static_cast<int>(job.rows.size()) >= o.batch) {
      pipeline.Push(std::move(job));
      job = VerifyJob();
    }
    return Status::Ok();
  });
  if (!job.rows.empty()) pipeline.Push(std::move(job));
  pipeline.Finish();
  if (tty) err << "\n";
  sink->flush();
  if (!fatal.ok()) return ReportFailure(err, cmd, fatal);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  err << "verified " << rows << " rows: " << mismatched << " mismatched, " << bad_rows << " unreadable, in " << secs
      << " s\n";
  return mismatched == 0 && bad_rows == 0 ? kExitOk : kExitFailed;
}

// ---- index ----

namespace {

struct IndexRow {
  int64_t line = 0;
  std::vector<std::string> out_cells;
  json record;
  std::string prev_guid;
};

struct IndexJob {
  std::vector<IndexRow> rows;
  int64_t last_line = 0;  // every input line up to here is decided once this job commits
  std::vector<std::string> refused;  // "file:line: why"
  std::vector<bool> ok;              // per row: indexed
  int64_t created = 0, updated = 0, unchanged = 0;
  Status error;  // the batch could not be sent at all
};

// POST /bulk/index with retries on Unavailable (safe: every record carries its did, and
// the endpoint upserts). A 400 names the bad records: they are refused and the rest resent.
bool RefusedRow(const Status& s) {
  auto c = s.code();
  return c == Status::Code::kInvalidArgument || c == Status::Code::kConflict || c == Status::Code::kNotFound ||
         c == Status::Code::kValidation;
}

// One record the way any indexd takes it (no /bulk/index): POST, and when the did exists,
// compare and PUT only what differs (the SDK's rules, gen3.md §5.7, with the manifest's
// urls replacing the stored ones). 2 requests for an unchanged record, 3 for a changed one.
Status IndexOne(IndexClient& index, const IndexRow& row, IndexJob& job, size_t i, const std::string& input) {
  auto refuse = [&](const std::string& why) {
    job.refused.push_back(input + ":" + std::to_string(row.line) + ": " + why);
    return Status::Ok();
  };
  auto created = index.Create(row.record);
  if (created.ok()) {
    job.ok[i] = true;
    ++job.created;
    return Status::Ok();
  }
  if (created.status().code() != Status::Code::kConflict) {
    if (RefusedRow(created.status())) return refuse(created.status().message());
    return created.status();
  }
  const std::string did = row.record.value("did", "");
  auto current = index.Get(did);
  if (!current.ok()) return RefusedRow(current.status()) ? refuse(current.status().message()) : current.status();
  const json& hashes = current->value("hashes", json::object());
  if (current->value("size", json()) != row.record["size"] || hashes.value("md5", "") != row.record["hashes"]["md5"])
    return refuse("a record " + did + " with a different size or md5 already exists (a new version needs prev_guid)");
  json changes = json::object();
  for (const char* list : {"urls", "acl", "authz"})
    if (SortedStrings(current->value(list, json::array())) != SortedStrings(row.record[list]))
      changes[list] = row.record[list];
  if (row.record.contains("file_name") && current->value("file_name", json()) != row.record["file_name"])
    changes["file_name"] = row.record["file_name"];
  if (changes.empty()) {
    job.ok[i] = true;
    ++job.unchanged;
    return Status::Ok();
  }
  auto updated = index.Update(did, changes, current->value("rev", ""));
  if (!updated.ok()) return RefusedRow(updated.status()) ? refuse(updated.status().message()) : updated.status();
  job.ok[i] = true;
  ++job.updated;
  return Status::Ok();
}

void SendBatch(IndexClient& index, IndexJob& job, const std::string& input, std::atomic<bool>& per_record) {
  job.ok.assign(job.rows.size(), false);
  std::vector<size_t> todo;
  for (size_t i = 0; i < job.rows.size(); ++i) {
    if (per_record && job.rows[i].prev_guid.empty()) {
      Status s = IndexOne(index, job.rows[i], job, i, input);
      if (!s.ok()) {
        job.error = s;
        return;
      }
      continue;
    }
    if (!job.rows[i].prev_guid.empty()) {
      auto r = index.CreateVersion(job.rows[i].prev_guid, job.rows[i].record);
      if (r.ok()) {
        job.ok[i] = true;
        ++job.created;
      } else if (RefusedRow(r.status())) {
        job.refused.push_back(input + ":" + std::to_string(job.rows[i].line) + ": " + r.status().message());
      } else {
        job.error = r.status();
        return;
      }
      continue;
    }
    todo.push_back(i);
  }
  for (int round = 0; round < 2 && !todo.empty(); ++round) {
    json records = json::array();
    for (size_t i : todo) records.push_back(job.rows[i].record);
    Result<json> r = Status::Unavailable("not sent");
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(250 << attempt));
      r = index.BulkIndex(records);
      if (r.ok() || r.status().code() != Status::Code::kUnavailable) break;
    }
    if (!r.ok() && r.status().code() == Status::Code::kNotFound && round == 0) {
      // An indexd without dccd's bulk endpoint: every worker goes record by record.
      per_record = true;
      for (size_t i : todo) {
        Status s = IndexOne(index, job.rows[i], job, i, input);
        if (!s.ok()) {
          job.error = s;
          return;
        }
      }
      return;
    }
    if (r.ok()) {
      for (size_t k = 0; k < todo.size(); ++k) {
        job.ok[todo[k]] = true;
        std::string result = k < r->size() ? (*r)[k].value("result", "") : "";
        if (result == "updated") ++job.updated;
        else if (result == "unchanged") ++job.unchanged;
        else ++job.created;
      }
      return;
    }
    if (r.status().code() != Status::Code::kInvalidArgument || r.status().details().empty()) {
      job.error = r.status();
      return;
    }
    // Refuse the named records, resend the others (the endpoint is all-or-nothing).
    std::vector<bool> bad(todo.size(), false);
    for (const auto& d : r.status().details()) {
      size_t k = static_cast<size_t>(std::atoll(d.where.c_str()));
      if (k < todo.size() && !bad[k]) {
        bad[k] = true;
        job.refused.push_back(input + ":" + std::to_string(job.rows[todo[k]].line) + ": the server refused it: " +
                              d.message);
      }
    }
    std::vector<size_t> rest;
    for (size_t k = 0; k < todo.size(); ++k)
      if (!bad[k]) rest.push_back(todo[k]);
    if (rest.size() == todo.size()) {  // the errors named nothing we sent
      job.error = r.status();
      return;
    }
    todo = std::move(rest);
  }
  // Still refused after the second round: fail the batch rather than drop its rows from
  // the output and move the checkpoint past them.
  if (!todo.empty()) job.error = Status::Unavailable("POST /bulk/index kept refusing records; rerun to resume");
}

struct Checkpoint {
  std::string input;
  int64_t line = 0;
  int64_t output_bytes = 0;
};

Result<std::optional<Checkpoint>> ReadCheckpoint(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::optional<Checkpoint>();
  std::stringstream s;
  s << in.rdbuf();
  json j = json::parse(s.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("line") || !j.contains("output_bytes"))
    return Status::InvalidArgument("not a dcc checkpoint (pass --restart to start over)", path);
  return std::optional<Checkpoint>(Checkpoint{j.value("input", ""), j["line"].get<int64_t>(), j["output_bytes"].get<int64_t>()});
}

// Written to a temporary file and renamed: a kill leaves the old or the new checkpoint.
Status WriteCheckpoint(const std::string& path, const Checkpoint& c) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << json{{"input", c.input}, {"line", c.line}, {"output_bytes", c.output_bytes}}.dump() << "\n";
    if (!f) return Status::IOError("cannot write the checkpoint", tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::IOError("cannot write the checkpoint", path);
  return Status::Ok();
}

}  // namespace

int RunManifestIndex(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* cmd = "manifest index";
  auto reader = ManifestReader::Open(o.input);
  if (!reader.ok()) return ReportFailure(err, cmd, reader.status());
  ManifestColumns col = ManifestColumns::Of(**reader);
  const std::string output = o.output.empty() ? o.input + ".indexed.tsv" : o.output;
  const std::string checkpoint_path = o.checkpoint.empty() ? output + ".checkpoint" : o.checkpoint;
  std::error_code ec;
  const std::string input_id = std::filesystem::absolute(o.input, ec).string();

  Checkpoint cp{input_id, 0, 0};
  if (!o.restart) {
    auto existing = ReadCheckpoint(checkpoint_path);
    if (!existing.ok()) return ReportFailure(err, cmd, existing.status());
    if (*existing) {
      if ((*existing)->input != input_id)
        return ReportFailure(err, cmd, Status::InvalidArgument("the checkpoint is for " + (*existing)->input +
                                                      ", not this manifest (pass --restart to start over)",
                                                      checkpoint_path));
      cp = **existing;
    }
  }
  auto conn = Gen3Connection::Open(o.gen3);
  if (!conn.ok()) return ReportFailure(err, cmd, conn.status());
  auto clients = conn->NewClients(o.concurrency);
  if (!clients.ok()) return ReportFailure(err, cmd, clients.status());
  std::vector<IndexClient> indexes;
  for (auto& c : *clients) indexes.emplace_back(*c, conn->index_prefix());

  // The output manifest: guid first, then the input's other columns.
  std::vector<int> keep;
  std::vector<std::string> out_header = {"guid"};
  for (size_t i = 0; i < (*reader)->header().size(); ++i) {
    if (static_cast<int>(i) == col.guid) continue;
    keep.push_back(static_cast<int>(i));
    out_header.push_back((*reader)->header()[i]);
  }
  std::fstream file;
  if (cp.line > 0) {
    std::filesystem::resize_file(output, static_cast<uintmax_t>(cp.output_bytes), ec);
    if (ec) return ReportFailure(err, cmd, Status::IOError("cannot resume the output: " + ec.message(), output));
    file.open(output, std::ios::binary | std::ios::in | std::ios::out | std::ios::ate);
    err << "resuming " << o.input << " after line " << cp.line << " (checkpoint " << checkpoint_path << ")\n";
  } else {
    file.open(output, std::ios::binary | std::ios::out | std::ios::trunc);
    std::string h;
    AppendManifestRow(h, out_header, '\t');
    file << h;
    cp.output_bytes = static_cast<int64_t>(h.size());
  }
  if (!file) return ReportFailure(err, cmd, Status::IOError("cannot write", output));

  int64_t indexed = 0, created = 0, updated = 0, unchanged = 0, bad_rows = 0, refused = 0;
  std::atomic<bool> per_record{o.per_record};  // --per-record, or set on the first 404 of /bulk/index
  std::atomic<bool> stopped{false};            // a commit failed: the producer stops reading
  const int64_t resume_after = cp.line;        // cp itself is the commits' (another thread's)
  Status fatal;
  const bool tty = o.progress && isatty(STDERR_FILENO);
  auto begin = std::chrono::steady_clock::now();
  OrderedPipeline<IndexJob> pipeline(
      o.concurrency, static_cast<size_t>(o.concurrency) * 2,
      [&](int w, IndexJob& job) { SendBatch(indexes[w], job, o.input, per_record); },
      [&](IndexJob& job) {
        if (!fatal.ok()) return;  // after a fatal error nothing more is committed
        if (!job.error.ok()) {
          fatal = job.error;
          stopped = true;
          return;
        }
        std::string buffer;
        for (size_t i = 0; i < job.rows.size(); ++i)
          if (job.ok[i]) AppendManifestRow(buffer, job.rows[i].out_cells, '\t');
        file << buffer;
        file.flush();
        for (const auto& r : job.refused) err << (r + "\n");
        refused += static_cast<int64_t>(job.refused.size());
        created += job.created;
        updated += job.updated;
        unchanged += job.unchanged;
        indexed += job.created + job.updated + job.unchanged;
        cp.line = job.last_line;
        cp.output_bytes += static_cast<int64_t>(buffer.size());
        if (!file) {
          fatal = Status::IOError("cannot write", output);
          stopped = true;
          return;
        }
        Status s = WriteCheckpoint(checkpoint_path, cp);
        if (!s.ok()) {
          fatal = s;
          stopped = true;
        }
        if (tty) err << "\r" << indexed << " rows indexed" << std::flush;
      });
  IndexJob job;
  auto on_row = [&](std::vector<std::string>& cells, int64_t line) {
    job.last_line = line;
    auto f = ReadManifestFile(cells, col, o.input + ":" + std::to_string(line));
    if (!f.ok()) return f.status();
    if (f->guid.empty()) f->guid = MintGuid(cells, line);
    IndexRow row;
    row.line = line;
    row.record = IndexRecordOf(*f);
    row.prev_guid = f->prev_guid;
    row.out_cells.push_back(f->guid);
    for (int i : keep) row.out_cells.push_back(cells[i]);
    job.rows.push_back(std::move(row));
    if (static_cast<int>(job.rows.size()) >= o.batch) {
      pipeline.Push(std::move(job));
      job = IndexJob();
    }
    return Status::Ok();
  };
  // A bad row is decided too: the checkpoint may pass it.
  bad_rows = ForEachManifestRow(**reader, resume_after, stopped, err, on_row,
                                [&](int64_t line) { job.last_line = line; });
  if (!job.rows.empty() || job.last_line > resume_after) pipeline.Push(std::move(job));
  pipeline.Finish();
  file.close();
  if (tty) err << "\n";
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  out << "indexed " << indexed << " rows (" << created << " created, " << updated << " updated, " << unchanged
      << " unchanged), " << bad_rows << " bad rows, " << refused << " refused by the server; output " << output
      << "; " << secs << " s" << (per_record ? " (record by record: the server has no /bulk/index)" : "");
  if (conn->exchanges()) out << "; " << conn->exchanges() << " token exchanges";
  out << "\n";
  if (!fatal.ok()) {
    err << "dcc manifest index: stopped: " << fatal.ToString() << "; rerun the same command to resume after line "
        << cp.line << "\n";
    return ExitCodeFor(fatal);
  }
  std::filesystem::remove(checkpoint_path, ec);  // done: nothing to resume
  return bad_rows == 0 && refused == 0 ? kExitOk : kExitFailed;
}

}  // namespace dcc::cli
