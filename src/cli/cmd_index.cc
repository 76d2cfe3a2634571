#include "cli/cmd_index.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "common/sigv4.h"
#include "dcc/index_client.h"
#include "dcc/manifest.h"

namespace dcc::cli {
using nlohmann::json;
namespace {

const char* kIndexHelp = R"(Create, read, change and find indexd records (GUIDs pointing at file locations).

Records have a did (GUID), size, hashes, urls, acl, authz and file_name (gen3.md §2). Reads
are public; writes need --auth credentials.json (a Gen3 API key; tokens are refreshed as
they expire) or dcc's Basic keys (DCC_API_KEY/DCC_SECRET_KEY). Changes take the record's
current rev unless --rev is given, so a stale --rev is refused (409, exit 1).

Examples:
  $ dcc index create --md5 0123456789abcdef0123456789abcdef --size 42 \
      --url s3://bucket/a.bam --authz /programs/p/projects/q --file-name a.bam
  {"baseid": "…", "did": "8c3b…", "rev": "1a2b3c4d"}
  $ dcc index get 8c3b…  |  jq .urls
  $ dcc index update 8c3b… --url s3://bucket/a.bam --url gs://mirror/a.bam
  $ dcc index query --hash md5:0123456789abcdef0123456789abcdef --format tsv
  $ dcc index create --new-version-of 8c3b… --md5 ffff… --size 43   # same baseid, new did
  $ dcc index versions 8c3b…  ;  dcc index delete 8c3b…

See also: dcc manifest (bulk), dcc drs, dcc mds. Reads GEN3_API_KEY, DCC_MODE, DCC_API_KEY,
DCC_SECRET_KEY.

EXIT STATUS
  0 done   1 refused by the server (409 stale rev or duplicate did, other errors)
  2 bad flags or input (400)   3 no such record   5 credentials refused   6 unreachable
)";

const char* kDrsHelp = R"(Read GA4GH DRS objects and signed access URLs for indexd records.

Examples:
  $ dcc drs get 8c3b…            # the DRS object: size, checksums, access_methods
  $ dcc drs access 8c3b… s3      # {"url": "<signed URL>"}; ACCESS_ID defaults to the first method's

EXIT STATUS
  0 printed   3 no such object   5 credentials refused   6 unreachable   1 other errors
)";

Result<json> ReadJsonArg(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in) return Status::NotFound("cannot open the JSON file", path);
    text << in.rdbuf();
  }
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("not a JSON object", path);
  return j;
}

void PrintRecords(const std::vector<json>& records, const std::string& format, std::ostream& out) {
  if (format == "json") {
    out << json(records).dump(2) << "\n";
    return;
  }
  std::string buffer;
  AppendManifestRow(buffer, DownloadManifestHeader(), '\t');
  for (const auto& r : records) AppendManifestRow(buffer, DownloadRowOf(r), '\t');
  out << buffer;
}

}  // namespace

void AddIndexCommands(CLI::App& app, IndexCommandOptions& o) {
  auto* index = app.add_subcommand("index", "indexd records: create, get, update, delete, query, versions");
  index->footer(kIndexHelp);
  index->require_subcommand(1);
  auto record_flags = [&](CLI::App* c) {
    c->add_option("--md5", o.md5, "md5 of the file (32 hex digits)");
    c->add_option("--url", o.urls, "a location (repeatable)");
    c->add_option("--acl", o.acl, "an acl entry (repeatable)");
    c->add_option("--authz", o.authz, "a resource path, /programs/p/projects/q (repeatable)");
    c->add_option("--file-name", o.file_name, "the file's name");
    c->add_option("--version", o.version, "a version label");
    c->add_option("--json", o.json_file, "the record or changes as a JSON object in this file (- for stdin)");
  };
  o.create = index->add_subcommand("create", "create a record (POST /index/)");
  o.create->add_option("--guid", o.guid, "the did to use (default: the server mints one)");
  o.create->add_option("--new-version-of", o.prev_guid, "create a new version of this record (same baseid)");
  o.create->add_option("--size", o.size, "size in bytes")->check(CLI::NonNegativeNumber);
  record_flags(o.create);
  o.get = index->add_subcommand("get", "print a record (GUID or baseid)");
  o.get->add_option("GUID", o.guid)->required();
  o.update = index->add_subcommand("update", "replace fields of a record (PUT /index/GUID?rev=)");
  o.update->add_option("GUID", o.guid)->required();
  o.update->add_option("--rev", o.rev, "the rev you read (default: the current one)");
  record_flags(o.update);
  o.del = index->add_subcommand("delete", "delete a record");
  o.del->add_option("GUID", o.guid)->required();
  o.del->add_option("--rev", o.rev, "the rev you read (default: the current one)");
  o.query = index->add_subcommand("query", "find records by hash, size, url, acl, authz, file name");
  o.query->add_option("--hash", o.hashes, "TYPE:VALUE, e.g. md5:0123… (repeatable, all must match)");
  o.query->add_option("--size", o.size, "exact size")->check(CLI::NonNegativeNumber);
  o.query->add_option("--url", o.urls, "a url the record has (repeatable, all)");
  o.query->add_option("--acl", o.acl, "acl entries the record has (all)");
  o.query->add_option("--authz", o.authz, "resource paths the record has (all)");
  o.query->add_option("--file-name", o.file_name, "exact file name");
  o.query->add_option("--limit", o.limit, "at most this many (1..1024)")->check(CLI::Range(1, 1024))->capture_default_str();
  o.query->add_option("--start", o.start, "only dids after this one (keyset paging)");
  o.query->add_option("--format", o.format, "json or tsv (the download manifest's columns)")
      ->check(CLI::IsMember({"json", "tsv"}))->capture_default_str();
  o.versions = index->add_subcommand("versions", "every version of a record, oldest first");
  o.versions->add_option("GUID", o.guid)->required();
  o.versions->add_option("--format", o.format, "json or tsv")->check(CLI::IsMember({"json", "tsv"}))->capture_default_str();
  for (auto* c : {o.create, o.get, o.update, o.del, o.query, o.versions}) {
    c->footer(kIndexHelp);
    AddGen3Flags(c, o.gen3);
  }
}

int RunIndex(const IndexCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* cmd = o.create->parsed()   ? "index create"
                    : o.get->parsed()    ? "index get"
                    : o.update->parsed() ? "index update"
                    : o.del->parsed()    ? "index delete"
                    : o.query->parsed()  ? "index query"
                                         : "index versions";
  // The record or changes, from --json then the flags.
  json fields = json::object();
  if (!o.json_file.empty()) {
    auto j = ReadJsonArg(o.json_file);
    if (!j.ok()) return ReportFailure(err, cmd, j.status());
    fields = *j;
  }
  if (!o.md5.empty()) fields["hashes"] = {{"md5", o.md5}};
  if (!o.urls.empty()) fields["urls"] = o.urls;
  if (!o.acl.empty()) fields["acl"] = o.acl;
  if (!o.authz.empty()) fields["authz"] = o.authz;
  if (!o.file_name.empty()) fields["file_name"] = o.file_name;
  if (!o.version.empty()) fields["version"] = o.version;
  if (o.create->parsed()) {
    if (o.size >= 0) fields["size"] = o.size;
    if (!o.guid.empty()) fields["did"] = o.guid;
    if (!fields.contains("size") || !fields.contains("hashes"))
      return ReportFailure(err, cmd, Status::InvalidArgument("a record needs --size and --md5 (or size and hashes in --json)"));
    if (!fields.contains("urls")) fields["urls"] = json::array();
    if (!fields.contains("form")) fields["form"] = "object";
  }
  if (o.update->parsed() && fields.empty())
    return ReportFailure(err, cmd, Status::InvalidArgument("nothing to change: give --url, --acl, --authz, --file-name, --version or --json"));
  if (o.update->parsed() && fields.contains("hashes"))
    return ReportFailure(err, cmd, Status::InvalidArgument("size and hashes cannot change: create a new version instead"));

  auto conn = Gen3Connection::Open(o.gen3);
  if (!conn.ok()) return ReportFailure(err, cmd, conn.status());
  auto client = conn->NewClient();
  if (!client.ok()) return ReportFailure(err, cmd, client.status());
  IndexClient index(**client, conn->index_prefix());

  if (o.create->parsed()) {
    auto r = o.prev_guid.empty() ? index.Create(fields) : index.CreateVersion(o.prev_guid, fields);
    if (!r.ok()) return ReportFailure(err, cmd, r.status());
    out << r->dump() << "\n";
  } else if (o.get->parsed()) {
    auto r = index.Get(o.guid);
    if (!r.ok()) return ReportFailure(err, cmd, r.status());
    out << r->dump(2) << "\n";
  } else if (o.update->parsed()) {
    auto r = index.Update(o.guid, fields, o.rev);
    if (!r.ok()) return ReportFailure(err, cmd, r.status());
    out << r->dump() << "\n";
  } else if (o.del->parsed()) {
    Status s = index.Delete(o.guid, o.rev);
    if (!s.ok()) return ReportFailure(err, cmd, s);
    out << "deleted " << o.guid << "\n";
  } else if (o.query->parsed()) {
    std::string q = "limit=" + std::to_string(o.limit);
    auto add = [&](const std::string& k, const std::string& v) { q += "&" + k + "=" + sigv4::UriEncode(v, false); };
    for (const auto& h : o.hashes) {
      if (h.find(':') == std::string::npos)
        return ReportFailure(err, cmd, Status::InvalidArgument("--hash '" + h + "' is not TYPE:VALUE (md5:0123…)"));
      add("hash", h);
    }
    if (o.size >= 0) add("size", std::to_string(o.size));
    for (const auto& u : o.urls) add("url", u);
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
      return s;
    };
    if (!o.acl.empty()) add("acl", join(o.acl));
    if (!o.authz.empty()) add("authz", join(o.authz));
    if (!o.file_name.empty()) add("file_name", o.file_name);
    if (!o.start.empty()) add("start", o.start);
    auto r = index.Query(q);
    if (!r.ok()) return ReportFailure(err, cmd, r.status());
    PrintRecords(r->value("records", std::vector<json>{}), o.format, out);
  } else {
    auto r = index.Versions(o.guid);
    if (!r.ok()) return ReportFailure(err, cmd, r.status());
    std::vector<json> list;
    if (r->is_object())
      for (size_t i = 0; r->contains(std::to_string(i)); ++i) list.push_back((*r)[std::to_string(i)]);
    else if (r->is_array())
      list = r->get<std::vector<json>>();
    PrintRecords(list, o.format, out);
  }
  return kExitOk;
}

void AddDrsCommands(CLI::App& app, DrsCommandOptions& o) {
  auto* drs = app.add_subcommand("drs", "GA4GH DRS objects and access URLs");
  drs->footer(kDrsHelp);
  drs->require_subcommand(1);
  o.get = drs->add_subcommand("get", "print a DRS object");
  o.get->add_option("ID", o.id)->required();
  o.access = drs->add_subcommand("access", "print a signed URL for an object");
  o.access->add_option("ID", o.id)->required();
  o.access->add_option("ACCESS_ID", o.access_id, "an access method's access_id (default: the first one's)");
  for (auto* c : {o.get, o.access}) {
    c->footer(kDrsHelp);
    AddGen3Flags(c, o.gen3);
  }
}

int RunDrs(const DrsCommandOptions& o, std::ostream& out, std::ostream& err) {
  const char* cmd = o.get->parsed() ? "drs get" : "drs access";
  auto conn = Gen3Connection::Open(o.gen3);
  if (!conn.ok()) return ReportFailure(err, cmd, conn.status());
  auto client = conn->NewClient();
  if (!client.ok()) return ReportFailure(err, cmd, client.status());
  IndexClient index(**client, conn->index_prefix());
  if (o.get->parsed()) {
    auto r = index.DrsObject(o.id);
    if (!r.ok()) return ReportFailure(err, cmd, r.status());
    out << r->dump(2) << "\n";
    return kExitOk;
  }
  std::string access_id = o.access_id;
  if (access_id.empty()) {
    auto obj = index.DrsObject(o.id);
    if (!obj.ok()) return ReportFailure(err, cmd, obj.status());
    const json& methods = obj->value("access_methods", json::array());
    for (const auto& m : methods)
      if (m.contains("access_id") && m["access_id"].is_string()) {
        access_id = m["access_id"].get<std::string>();
        break;
      }
    if (access_id.empty())
      return ReportFailure(err, cmd, Status::NotFound("DRS object '" + o.id + "' has no access method with an access_id"));
  }
  auto r = index.DrsAccess(o.id, access_id);
  if (!r.ok()) return ReportFailure(err, cmd, r.status());
  out << r->dump() << "\n";
  return kExitOk;
}

}  // namespace dcc::cli
