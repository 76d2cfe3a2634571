#include "server/store/sqlite_objects.h"

#include "server/store/object_query.h"

namespace dcc::server::sqlite {
using nlohmann::json;

const char* const kObjectsMigration = R"sql(
CREATE TABLE objects_v3(
  did TEXT PRIMARY KEY, file_uuid TEXT UNIQUE, baseid TEXT NOT NULL, rev TEXT NOT NULL,
  form TEXT NOT NULL, size INTEGER, hashes TEXT NOT NULL, urls TEXT NOT NULL,
  blob_key TEXT NOT NULL, file_name TEXT, version TEXT, uploader TEXT, description TEXT,
  acl TEXT NOT NULL, authz TEXT NOT NULL, metadata TEXT NOT NULL, urls_metadata TEXT NOT NULL,
  content_created TEXT, content_updated TEXT, created TEXT NOT NULL, updated TEXT NOT NULL,
  doc TEXT NOT NULL);
INSERT INTO objects_v3
  SELECT did, file_uuid, did, lower(hex(randomblob(4))), 'object', size, hashes, urls, blob_key,
         replace(blob_key, rtrim(blob_key, replace(blob_key, '/', '')), ''), NULL, NULL, NULL,
         '[]', '[]', '{}', '{}', NULL, NULL,
         substr(replace(created, '+00:00', ''), 1, 26), substr(replace(updated, '+00:00', ''), 1, 26), ''
  FROM objects;
UPDATE objects_v3 SET doc = json_object(
  'did', did, 'baseid', baseid, 'rev', rev, 'size', size, 'file_name', file_name,
  'version', NULL, 'uploader', NULL, 'urls', json(urls), 'urls_metadata', json('{}'),
  'acl', json('[]'), 'authz', json('[]'), 'hashes', json(hashes), 'metadata', json('{}'),
  'form', form, 'created_date', created, 'updated_date', updated, 'description', NULL,
  'content_created_date', NULL, 'content_updated_date', NULL);
DROP TABLE objects;
ALTER TABLE objects_v3 RENAME TO objects;
CREATE INDEX objects_baseid ON objects(baseid, created);
CREATE INDEX objects_updated ON objects(updated, did);
CREATE INDEX objects_size ON objects(size);
CREATE INDEX objects_file_name ON objects(file_name);
CREATE TABLE object_hashes(type TEXT NOT NULL, value TEXT NOT NULL, did TEXT NOT NULL,
  PRIMARY KEY(type, value, did)) WITHOUT ROWID;
CREATE INDEX object_hashes_did ON object_hashes(did);
CREATE TABLE object_urls(url TEXT NOT NULL, did TEXT NOT NULL, PRIMARY KEY(url, did)) WITHOUT ROWID;
CREATE INDEX object_urls_did ON object_urls(did);
CREATE TABLE object_acl(ace TEXT NOT NULL, did TEXT NOT NULL, PRIMARY KEY(ace, did)) WITHOUT ROWID;
CREATE INDEX object_acl_did ON object_acl(did);
CREATE TABLE object_authz(resource TEXT NOT NULL, did TEXT NOT NULL, PRIMARY KEY(resource, did)) WITHOUT ROWID;
CREATE INDEX object_authz_did ON object_authz(did);
CREATE TABLE object_aliases(alias TEXT PRIMARY KEY, did TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX object_aliases_did ON object_aliases(did);
INSERT INTO object_hashes SELECT j.key, j.value, o.did FROM objects o, json_each(o.hashes) j;
INSERT INTO object_urls SELECT j.value, o.did FROM objects o, json_each(o.urls) j;
CREATE TABLE object_stats(id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL, total_size INTEGER NOT NULL);
INSERT INTO object_stats SELECT 1, count(*), coalesce(sum(size), 0) FROM objects;
)sql";

namespace {

constexpr const char* kColumns =
    "did, file_uuid, baseid, rev, form, size, hashes, urls, blob_key, file_name, version, "
    "uploader, "
    "description, acl, authz, metadata, urls_metadata, content_created, content_updated, created, "
    "updated, doc";

std::optional<std::string> OptText(Stmt& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return s.Text(col);
}

std::vector<std::string> StringList(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

json JsonOr(const std::string& text, json fallback) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

ObjectRow RowOf(Stmt& s) {
  ObjectRow o;
  o.did = s.Text(0);
  o.file_uuid = s.Text(1);
  o.baseid = s.Text(2);
  o.rev = s.Text(3);
  o.form = s.Text(4);
  if (!s.IsNull(5)) o.size = static_cast<uint64_t>(s.Int(5));
  o.hashes = JsonOr(s.Text(6), json::object());
  o.urls = StringList(s.Text(7));
  o.blob_key = s.Text(8);
  o.file_name = OptText(s, 9);
  o.version = OptText(s, 10);
  o.uploader = OptText(s, 11);
  o.description = OptText(s, 12);
  o.acl = StringList(s.Text(13));
  o.authz = StringList(s.Text(14));
  o.metadata = JsonOr(s.Text(15), json::object());
  o.urls_metadata = JsonOr(s.Text(16), json::object());
  o.content_created = OptText(s, 17);
  o.content_updated = OptText(s, 18);
  o.created = s.Text(19);
  o.updated = s.Text(20);
  o.doc = s.Text(21);
  return o;
}

void BindOpt(Stmt& s, int i, const std::optional<std::string>& v) {
  if (v)
    s.Bind(i, *v);
  else
    s.BindNull(i);
}

}  // namespace

Result<std::optional<ObjectRow>> ObjectReads::FindWhere(const char* column,
                                                        const std::string& value) {
  DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(std::string("SELECT ") + kColumns +
                                              " FROM objects WHERE " + column + "=?"));
  StmtUse s(raw);
  s->Bind(1, value);
  DCC_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<ObjectRow>();
  return std::optional<ObjectRow>(RowOf(*s));
}

Result<std::optional<ObjectRow>> ObjectReads::Find(const std::string& did) {
  return FindWhere("did", did);
}

Result<std::optional<ObjectRow>> ObjectReads::FindOfFile(const std::string& file_uuid) {
  return FindWhere("file_uuid", file_uuid);
}

Result<std::vector<ObjectRow>> ObjectReads::Versions(const std::string& baseid) {
  DCC_ASSIGN_OR_RETURN(auto* raw,
                       c_->Prepare(std::string("SELECT ") + kColumns +
                                   " FROM objects WHERE baseid=? ORDER BY created, did"));
  StmtUse s(raw);
  s->Bind(1, baseid);
  std::vector<ObjectRow> out;
  while (true) {
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    out.push_back(RowOf(*s));
  }
}

Result<std::optional<std::string>> ObjectReads::FindByAlias(const std::string& alias) {
  DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("SELECT did FROM object_aliases WHERE alias=?"));
  StmtUse s(raw);
  s->Bind(1, alias);
  DCC_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s->Text(0));
}

Result<std::vector<std::string>> ObjectReads::Aliases(const std::string& did) {
  DCC_ASSIGN_OR_RETURN(auto* raw,
                       c_->Prepare("SELECT alias FROM object_aliases WHERE did=? ORDER BY alias"));
  StmtUse s(raw);
  s->Bind(1, did);
  std::vector<std::string> out;
  while (true) {
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    out.push_back(s->Text(0));
  }
}

Status ObjectReads::List(const ObjectQuery& q,
                         const std::function<Status(const std::string&, const std::string&)>& f) {
  SqlQuery sql = BuildObjectQuery(q);
  // Keyset pages repeat the same shapes; cache those, build the rest once.
  const bool common = sql.binds.size() <= 3 && q.hashes.size() <= 1 && q.ids.empty();
  std::unique_ptr<Stmt> once;
  Stmt* s = nullptr;
  if (common) {
    DCC_ASSIGN_OR_RETURN(s, c_->Prepare(sql.sql));
  } else {
    DCC_ASSIGN_OR_RETURN(once, c_->PrepareOnce(sql.sql));
    s = once.get();
  }
  StmtUse use(s);
  for (size_t i = 0; i < sql.binds.size(); ++i) {
    if (const auto* text = std::get_if<std::string>(&sql.binds[i]))
      s->Bind(static_cast<int>(i + 1), *text);
    else
      s->Bind(static_cast<int>(i + 1), std::get<int64_t>(sql.binds[i]));
  }
  while (true) {
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return Status::Ok();
    DCC_RETURN_IF_ERROR(f(s->Text(0), s->Text(1)));
  }
}

Result<ObjectStats> ObjectReads::Count(const std::string& month) {
  if (month.empty()) {
    DCC_ASSIGN_OR_RETURN(auto* raw,
                         c_->Prepare("SELECT count, total_size FROM object_stats WHERE id=1"));
    StmtUse s(raw);
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return ObjectStats{};
    return ObjectStats{s->Int(0), s->Int(1)};
  }
  DCC_ASSIGN_OR_RETURN(
      auto* raw,
      c_->Prepare(
          "SELECT count(*), coalesce(sum(size), 0) FROM objects WHERE substr(created, 1, 7) = ?"));
  StmtUse s(raw);
  s->Bind(1, month);
  DCC_ASSIGN_OR_RETURN(bool row, s->Step());
  (void)row;
  return ObjectStats{s->Int(0), s->Int(1)};
}

Status ObjectWrites::DeleteLookups(const std::string& did) {
  for (const char* sql :
       {"DELETE FROM object_hashes WHERE did=?", "DELETE FROM object_urls WHERE did=?",
        "DELETE FROM object_acl WHERE did=?", "DELETE FROM object_authz WHERE did=?"}) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(sql));
    StmtUse s(raw);
    s->Bind(1, did);
    DCC_RETURN_IF_ERROR(s->Step().status());
  }
  return Status::Ok();
}

Status ObjectWrites::InsertPairs(const char* sql, const std::string& did,
                                 const std::vector<std::pair<std::string, std::string>>& rows) {
  if (rows.empty()) return Status::Ok();
  DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(sql));
  for (const auto& [a, b] : rows) {
    StmtUse s(raw);
    s->Bind(1, a);
    s->Bind(2, b);
    s->Bind(3, did);
    DCC_RETURN_IF_ERROR(s->Step().status());
  }
  return Status::Ok();
}

Status ObjectWrites::InsertValues(const char* sql, const std::string& did,
                                  const std::vector<std::string>& values) {
  if (values.empty()) return Status::Ok();
  DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(sql));
  for (const auto& v : values) {
    StmtUse s(raw);
    s->Bind(1, v);
    s->Bind(2, did);
    DCC_RETURN_IF_ERROR(s->Step().status());
  }
  return Status::Ok();
}

Status ObjectWrites::Put(const ObjectRow& o) {
  bool existed = false;
  int64_t old_size = 0;
  {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("SELECT size FROM objects WHERE did=?"));
    StmtUse s(raw);
    s->Bind(1, o.did);
    DCC_ASSIGN_OR_RETURN(existed, s->Step());
    if (existed) old_size = s->Int(0);
  }
  {
    DCC_ASSIGN_OR_RETURN(
        auto* raw,
        c_->Prepare(
            std::string("INSERT INTO objects(") + kColumns +
            ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(did) DO UPDATE SET file_uuid=excluded.file_uuid, baseid=excluded.baseid, "
            "rev=excluded.rev, form=excluded.form, size=excluded.size, hashes=excluded.hashes, "
            "urls=excluded.urls, blob_key=excluded.blob_key, file_name=excluded.file_name, "
            "version=excluded.version, uploader=excluded.uploader, "
            "description=excluded.description, "
            "acl=excluded.acl, authz=excluded.authz, metadata=excluded.metadata, "
            "urls_metadata=excluded.urls_metadata, content_created=excluded.content_created, "
            "content_updated=excluded.content_updated, created=excluded.created, "
            "updated=excluded.updated, doc=excluded.doc"));
    StmtUse s(raw);
    s->Bind(1, o.did);
    BindOpt(*s, 2, o.file_uuid.empty() ? std::nullopt : std::optional<std::string>(o.file_uuid));
    s->Bind(3, o.baseid);
    s->Bind(4, o.rev);
    s->Bind(5, o.form);
    if (o.size)
      s->Bind(6, static_cast<int64_t>(*o.size));
    else
      s->BindNull(6);
    s->Bind(7, o.hashes.dump());
    s->Bind(8, json(o.urls).dump());
    s->Bind(9, o.blob_key);
    BindOpt(*s, 10, o.file_name);
    BindOpt(*s, 11, o.version);
    BindOpt(*s, 12, o.uploader);
    BindOpt(*s, 13, o.description);
    s->Bind(14, json(o.acl).dump());
    s->Bind(15, json(o.authz).dump());
    s->Bind(16, o.metadata.dump());
    s->Bind(17, o.urls_metadata.dump());
    BindOpt(*s, 18, o.content_created);
    BindOpt(*s, 19, o.content_updated);
    s->Bind(20, o.created);
    s->Bind(21, o.updated);
    s->Bind(22, o.doc);
    auto step = s->Step();
    if (!step.ok() && step.status().code() == Status::Code::kConflict)
      return Status::Conflict("file " + o.file_uuid + " already has an index record");
    DCC_RETURN_IF_ERROR(step.status());
  }
  if (existed) DCC_RETURN_IF_ERROR(DeleteLookups(o.did));
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [type, value] : o.hashes.items())
    if (value.is_string()) rows.emplace_back(type, value.get<std::string>());
  DCC_RETURN_IF_ERROR(InsertPairs(
      "INSERT OR IGNORE INTO object_hashes(type, value, did) VALUES(?,?,?)", o.did, rows));
  DCC_RETURN_IF_ERROR(
      InsertValues("INSERT OR IGNORE INTO object_urls(url, did) VALUES(?,?)", o.did, o.urls));
  DCC_RETURN_IF_ERROR(
      InsertValues("INSERT OR IGNORE INTO object_acl(ace, did) VALUES(?,?)", o.did, o.acl));
  DCC_RETURN_IF_ERROR(InsertValues("INSERT OR IGNORE INTO object_authz(resource, did) VALUES(?,?)",
                                   o.did, o.authz));
  if (!existed) ++count_delta_;
  size_delta_ += static_cast<int64_t>(o.size.value_or(0)) - old_size;
  return Status::Ok();
}

Status ObjectWrites::Delete(const std::string& did) {
  int64_t old_size = 0;
  {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("SELECT size FROM objects WHERE did=?"));
    StmtUse s(raw);
    s->Bind(1, did);
    DCC_ASSIGN_OR_RETURN(bool existed, s->Step());
    if (!existed) return Status::Ok();
    old_size = s->Int(0);
  }
  for (const char* sql :
       {"DELETE FROM objects WHERE did=?", "DELETE FROM object_aliases WHERE did=?"}) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(sql));
    StmtUse s(raw);
    s->Bind(1, did);
    DCC_RETURN_IF_ERROR(s->Step().status());
  }
  DCC_RETURN_IF_ERROR(DeleteLookups(did));
  --count_delta_;
  size_delta_ -= old_size;
  return Status::Ok();
}

Status ObjectWrites::PutAliases(const std::string& did, const std::vector<std::string>& aliases) {
  {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("DELETE FROM object_aliases WHERE did=?"));
    StmtUse s(raw);
    s->Bind(1, did);
    DCC_RETURN_IF_ERROR(s->Step().status());
  }
  DCC_ASSIGN_OR_RETURN(auto* raw,
                       c_->Prepare("INSERT INTO object_aliases(alias, did) VALUES(?,?)"));
  for (const auto& a : aliases) {
    StmtUse s(raw);
    s->Bind(1, a);
    s->Bind(2, did);
    auto step = s->Step();
    if (!step.ok() && step.status().code() == Status::Code::kConflict)
      return Status::Conflict("alias \"" + a + "\" already exists");
    DCC_RETURN_IF_ERROR(step.status());
  }
  return Status::Ok();
}

Status ObjectWrites::Flush() {
  if (count_delta_ == 0 && size_delta_ == 0) return Status::Ok();
  DCC_ASSIGN_OR_RETURN(
      auto* raw,
      c_->Prepare(
          "UPDATE object_stats SET count = count + ?, total_size = total_size + ? WHERE id = 1"));
  StmtUse s(raw);
  s->Bind(1, count_delta_);
  s->Bind(2, size_delta_);
  DCC_RETURN_IF_ERROR(s->Step().status());
  count_delta_ = size_delta_ = 0;
  return Status::Ok();
}

}  // namespace dcc::server::sqlite
