// SQLite implementation of RecordStore. The schema and its migrations are described in
// docs/storage.md; each migration runs once, in order, inside one transaction.
#include <algorithm>
#include <mutex>
#include <vector>

#include "server/store/record_store.h"
#include "server/store/sqlite_db.h"
#include "server/store/sqlite_objects.h"

namespace dcc::server {
namespace {

using nlohmann::json;
using sqlite::Connection;
using sqlite::StmtUse;

// Migrations, applied in order; the count applied is meta.schema_version.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records(
  uuid TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  at_id TEXT NOT NULL,
  status TEXT NOT NULL,
  sid INTEGER NOT NULL,
  properties TEXT NOT NULL,
  created TEXT NOT NULL);
CREATE INDEX records_type_created ON records(type, created);
CREATE TABLE keys(
  name TEXT NOT NULL, value TEXT NOT NULL, uuid TEXT NOT NULL,
  PRIMARY KEY(name, value)) WITHOUT ROWID;
CREATE INDEX keys_uuid ON keys(uuid);
CREATE TABLE revisions(
  uuid TEXT NOT NULL, sid INTEGER NOT NULL, method TEXT NOT NULL, user TEXT NOT NULL,
  time TEXT NOT NULL, properties TEXT NOT NULL,
  PRIMARY KEY(uuid, sid)) WITHOUT ROWID;
CREATE TABLE principals(
  email TEXT PRIMARY KEY, user_uuid TEXT NOT NULL, admin INTEGER NOT NULL, labs TEXT NOT NULL);
CREATE TABLE access_keys(
  key_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL,
  email TEXT NOT NULL REFERENCES principals(email), status TEXT NOT NULL);
)sql",
    // 2: objects, the verified bytes behind file records.
    R"sql(
CREATE TABLE objects(
  did TEXT PRIMARY KEY, file_uuid TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
  hashes TEXT NOT NULL, urls TEXT NOT NULL, blob_key TEXT NOT NULL,
  created TEXT NOT NULL, updated TEXT NOT NULL);
)sql",
    // 3: objects become full index records (issue #5), with lookup tables and stats.
    sqlite::kObjectsMigration,
    // 4: fence-style API keys, resource-path policies, and the metadata service.
    R"sql(
CREATE TABLE api_keys(
  jti TEXT PRIMARY KEY, email TEXT NOT NULL, scope TEXT NOT NULL,
  issued INTEGER NOT NULL, expires INTEGER NOT NULL, revoked INTEGER NOT NULL);
CREATE INDEX api_keys_email ON api_keys(email);
CREATE TABLE policies(
  email TEXT NOT NULL, resource TEXT NOT NULL, methods TEXT NOT NULL,
  PRIMARY KEY(email, resource)) WITHOUT ROWID;
CREATE TABLE metadata(guid TEXT PRIMARY KEY, data TEXT, authz TEXT NOT NULL);
CREATE INDEX metadata_guid_type ON metadata(data -> '$._guid_type');
CREATE TABLE metadata_aliases(alias TEXT PRIMARY KEY, guid TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX metadata_aliases_guid ON metadata_aliases(guid);
)sql",
};

Result<StoredRecord> RowToRecord(sqlite::Stmt& s) {
  StoredRecord r;
  r.uuid = s.Text(0);
  r.type = s.Text(1);
  r.at_id = s.Text(2);
  r.status = s.Text(3);
  r.sid = s.Int(4);
  r.properties = json::parse(s.Text(5), nullptr, false);
  if (r.properties.is_discarded()) return Status::Internal("stored record is not JSON: " + r.uuid);
  r.created = s.Text(6);
  return r;
}

// A SQLite JSON path for `path`, written the way an index expression must be written
// for a query to use it: simple keys bare, others quoted.
std::string JsonPath(const std::vector<std::string>& path) {
  std::string out = "$";
  for (const auto& key : path) {
    bool simple = !key.empty() && key.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string::npos;
    if (simple) {
      out += "." + key;
    } else {
      out += ".\"";
      for (char c : key) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += "\"";
    }
  }
  return out;
}

// Every key letters, digits or '_' (the services allow indexes only on such paths).
bool PlainPath(const std::vector<std::string>& path) {
  for (const auto& key : path)
    if (key.empty() || key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                           std::string::npos)
      return false;
  return !path.empty();
}

// `s` as a SQL string literal.
std::string SqlLiteral(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Result<ApiKeyRow> RowToApiKey(sqlite::Stmt& s) {
  ApiKeyRow k;
  k.jti = s.Text(0);
  k.email = s.Text(1);
  json scope = json::parse(s.Text(2), nullptr, false);
  if (scope.is_array()) k.scope = scope.get<std::vector<std::string>>();
  k.issued = s.Int(3);
  k.expires = s.Int(4);
  k.revoked = s.Int(5) != 0;
  return k;
}

// Metadata path indexes are named by their dotted path, so listing them needs no table.
constexpr const char* kMetadataIndexPrefix = "metadata_path:";

std::string SqlIdentifier(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

constexpr const char* kApiKeyColumns = "jti, email, scope, issued, expires, revoked";

constexpr const char* kRecordColumns =
    "r.uuid, r.type, r.at_id, r.status, r.sid, r.properties, r.created";

class SqliteRecordStore;

// Read operations over one connection; shared by readers and the writer.
class ReadOps {
 public:
  explicit ReadOps(Connection* c) : c_(c) {}

  Result<std::optional<StoredRecord>> Get(const std::string& uuid) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(std::string("SELECT ") + kRecordColumns +
                                                " FROM records r WHERE r.uuid=?"));
    StmtUse s(raw);
    s->Bind(1, uuid);
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<StoredRecord>();
    DCC_ASSIGN_OR_RETURN(auto rec, RowToRecord(*s));
    return std::optional<StoredRecord>(std::move(rec));
  }

  Result<std::optional<std::string>> FindKey(const UniqueKey& key) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("SELECT uuid FROM keys WHERE name=? AND value=?"));
    StmtUse s(raw);
    s->Bind(1, key.name);
    s->Bind(2, key.value);
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(s->Text(0));
  }

  Result<std::vector<Revision>> History(const std::string& uuid) {
    DCC_ASSIGN_OR_RETURN(auto* raw,
                         c_->Prepare("SELECT sid, method, user, time, properties FROM revisions "
                                     "WHERE uuid=? ORDER BY sid"));
    StmtUse s(raw);
    s->Bind(1, uuid);
    std::vector<Revision> out;
    while (true) {
      DCC_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.push_back({s->Int(0), s->Text(1), s->Text(2), s->Text(3),
                     json::parse(s->Text(4), nullptr, false)});
    }
    return out;
  }

  Status ForEach(const std::function<Status(const StoredRecord&)>& f) {
    DCC_ASSIGN_OR_RETURN(auto stmt, c_->PrepareOnce(std::string("SELECT ") + kRecordColumns +
                                                    " FROM records r ORDER BY r.created, r.rowid"));
    while (true) {
      DCC_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return Status::Ok();
      DCC_ASSIGN_OR_RETURN(auto rec, RowToRecord(*stmt));
      DCC_RETURN_IF_ERROR(f(rec));
    }
  }

  Result<std::optional<Principal>> FindPrincipal(const std::string& email) {
    DCC_ASSIGN_OR_RETURN(
        auto* raw, c_->Prepare("SELECT email, user_uuid, admin, labs FROM principals WHERE email=?"));
    StmtUse s(raw);
    s->Bind(1, email);
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<Principal>();
    Principal p{s->Text(0), s->Text(1), s->Int(2) != 0, {}};
    json labs = json::parse(s->Text(3), nullptr, false);
    if (labs.is_array()) p.labs = labs.get<std::vector<std::string>>();
    return std::optional<Principal>(std::move(p));
  }

  Result<std::optional<AccessKey>> FindAccessKey(const std::string& key_id) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("SELECT key_id, secret_hash, email, status "
                                                "FROM access_keys WHERE key_id=?"));
    StmtUse s(raw);
    s->Bind(1, key_id);
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<AccessKey>();
    return std::optional<AccessKey>(AccessKey{s->Text(0), s->Text(1), s->Text(2), s->Text(3)});
  }

  Result<std::optional<ApiKeyRow>> FindApiKey(const std::string& jti) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(std::string("SELECT ") + kApiKeyColumns +
                                                " FROM api_keys WHERE jti=?"));
    StmtUse s(raw);
    s->Bind(1, jti);
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<ApiKeyRow>();
    DCC_ASSIGN_OR_RETURN(auto k, RowToApiKey(*s));
    return std::optional<ApiKeyRow>(std::move(k));
  }

  Result<std::vector<ApiKeyRow>> ListApiKeys(const std::string& email) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(std::string("SELECT ") + kApiKeyColumns +
                                                " FROM api_keys WHERE email=? ORDER BY issued, jti"));
    StmtUse s(raw);
    s->Bind(1, email);
    std::vector<ApiKeyRow> out;
    while (true) {
      DCC_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) return out;
      DCC_ASSIGN_OR_RETURN(auto k, RowToApiKey(*s));
      out.push_back(std::move(k));
    }
  }

  Result<std::vector<Policy>> ListPolicies(const std::string& email) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "SELECT email, resource, methods FROM policies WHERE email=? ORDER BY resource"));
    StmtUse s(raw);
    s->Bind(1, email);
    std::vector<Policy> out;
    while (true) {
      DCC_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) return out;
      Policy p{s->Text(0), s->Text(1), {}};
      json methods = json::parse(s->Text(2), nullptr, false);
      if (methods.is_array()) p.methods = methods.get<std::vector<std::string>>();
      out.push_back(std::move(p));
    }
  }

  Result<std::optional<MetadataRow>> GetMetadata(const std::string& guid) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("SELECT guid, data, authz FROM metadata WHERE guid=?"));
    StmtUse s(raw);
    s->Bind(1, guid);
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<MetadataRow>();
    return std::optional<MetadataRow>(MetadataRow{s->Text(0), json::parse(s->Text(1), nullptr, false),
                                                  json::parse(s->Text(2), nullptr, false)});
  }

  Result<std::optional<std::string>> FindMetadataAlias(const std::string& alias) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("SELECT guid FROM metadata_aliases WHERE alias=?"));
    StmtUse s(raw);
    s->Bind(1, alias);
    DCC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(s->Text(0));
  }

  Result<std::vector<std::string>> MetadataAliases(const std::string& guid) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "SELECT alias FROM metadata_aliases WHERE guid=? ORDER BY alias"));
    StmtUse s(raw);
    s->Bind(1, guid);
    std::vector<std::string> out;
    while (true) {
      DCC_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) return out;
      out.push_back(s->Text(0));
    }
  }

  Result<std::vector<std::string>> ListMetadataIndexes() {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "SELECT substr(name, ?) FROM sqlite_master WHERE type='index' AND tbl_name='metadata' "
        "AND substr(name, 1, ?)=? ORDER BY name"));
    StmtUse s(raw);
    const std::string prefix = kMetadataIndexPrefix;
    s->Bind(1, static_cast<int64_t>(prefix.size() + 1));
    s->Bind(2, static_cast<int64_t>(prefix.size()));
    s->Bind(3, prefix);
    std::vector<std::string> out;
    while (true) {
      DCC_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) return out;
      out.push_back(s->Text(0));
    }
  }

  // Values compare as the reference's `data #>> '{a,b}' = 'v'` does: the JSON text of a
  // number, boolean or object, or the contents of a string. `data -> path` is that JSON
  // text (strings quoted), so v matches if it equals the text or its quoted form. The
  // path is inlined, not bound, so that an index on the same expression can serve it.
  Result<std::vector<MetadataRow>> QueryMetadata(const std::vector<MetadataFilter>& filters, int64_t limit,
                                                 int64_t offset, bool with_data) {
    std::string sql = with_data ? "SELECT guid, data, authz FROM metadata" : "SELECT guid FROM metadata";
    std::vector<std::string> binds;
    for (size_t i = 0; i < filters.size(); ++i) {
      const auto& f = filters[i];
      sql += i == 0 ? " WHERE " : " AND ";
      // A path of plain keys (letters, digits, '_': nothing SQL or JSON-path can read
      // otherwise) is written into the SQL text, so that an index on `data -> '$.a.b'`
      // serves it; any other path is a bound parameter like every value.
      std::string expr;
      if (PlainPath(f.path)) {
        expr = "data -> " + SqlLiteral(JsonPath(f.path));
      } else {
        expr = "data -> ?";
        binds.push_back(JsonPath(f.path));
      }
      if (f.exists) {
        sql += expr + " IS NOT NULL";
        continue;
      }
      sql += expr + " IN (";
      for (size_t j = 0; j < f.values.size(); ++j) {
        sql += j == 0 ? "?,?" : ",?,?";
        binds.push_back(f.values[j]);
        binds.push_back(json(f.values[j]).dump());
      }
      sql += ")";
    }
    sql += " ORDER BY guid LIMIT ? OFFSET ?";
    DCC_ASSIGN_OR_RETURN(auto s, c_->PrepareOnce(sql));
    int n = 1;
    for (const auto& b : binds) s->Bind(n++, b);
    s->Bind(n++, limit);
    s->Bind(n++, offset);
    std::vector<MetadataRow> out;
    while (true) {
      DCC_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) return out;
      MetadataRow r;
      r.guid = s->Text(0);
      if (with_data) {
        r.data = json::parse(s->Text(1), nullptr, false);
        r.authz = json::parse(s->Text(2), nullptr, false);
      }
      out.push_back(std::move(r));
    }
  }

 private:
  Connection* c_;
};

class SqliteRecordStore final : public RecordStore {
 public:
  explicit SqliteRecordStore(std::string path, std::unique_ptr<Connection> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}

  Result<std::unique_ptr<RecordReader>> Read() override;
  Result<std::unique_ptr<RecordWriter>> Write() override;

  void ReturnReader(std::unique_ptr<Connection> c) {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (idle_.size() < 64) idle_.push_back(std::move(c));
  }
  Connection* writer() { return writer_.get(); }
  std::mutex& writer_mu() { return writer_mu_; }

 private:
  std::string path_;
  std::mutex writer_mu_;  // held by the one live SqliteWriter
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// Implements the RecordReader calls of `Base` (RecordReader or RecordWriter) over ReadOps.
template <typename Base>
class ReadsOver : public Base {
 public:
  Result<std::optional<StoredRecord>> Get(const std::string& uuid) override { return ops_.Get(uuid); }
  Result<std::optional<std::string>> FindKey(const UniqueKey& key) override { return ops_.FindKey(key); }
  Result<std::vector<Revision>> History(const std::string& uuid) override { return ops_.History(uuid); }
  Status ForEach(const std::function<Status(const StoredRecord&)>& f) override {
    return ops_.ForEach(f);
  }
  Result<std::optional<Principal>> FindPrincipal(const std::string& e) override {
    return ops_.FindPrincipal(e);
  }
  Result<std::optional<AccessKey>> FindAccessKey(const std::string& k) override {
    return ops_.FindAccessKey(k);
  }
  Result<std::optional<ObjectRow>> FindObjectOfFile(const std::string& f) override {
    return objects_.FindOfFile(f);
  }
  Result<std::optional<ApiKeyRow>> FindApiKey(const std::string& j) override { return ops_.FindApiKey(j); }
  Result<std::vector<ApiKeyRow>> ListApiKeys(const std::string& e) override { return ops_.ListApiKeys(e); }
  Result<std::vector<Policy>> ListPolicies(const std::string& e) override { return ops_.ListPolicies(e); }
  Result<std::optional<MetadataRow>> GetMetadata(const std::string& g) override { return ops_.GetMetadata(g); }
  Result<std::optional<std::string>> FindMetadataAlias(const std::string& a) override {
    return ops_.FindMetadataAlias(a);
  }
  Result<std::vector<std::string>> MetadataAliases(const std::string& g) override {
    return ops_.MetadataAliases(g);
  }
  Result<std::vector<MetadataRow>> QueryMetadata(const std::vector<MetadataFilter>& f, int64_t limit,
                                                 int64_t offset, bool with_data) override {
    return ops_.QueryMetadata(f, limit, offset, with_data);
  }
  Result<std::vector<std::string>> ListMetadataIndexes() override { return ops_.ListMetadataIndexes(); }
  Result<std::optional<ObjectRow>> FindObject(const std::string& did) override { return objects_.Find(did); }
  Result<std::vector<ObjectRow>> ObjectVersions(const std::string& baseid) override {
    return objects_.Versions(baseid);
  }
  Result<std::optional<std::string>> FindObjectByAlias(const std::string& alias) override {
    return objects_.FindByAlias(alias);
  }
  Result<std::vector<std::string>> ObjectAliases(const std::string& did) override {
    return objects_.Aliases(did);
  }
  Status ListObjects(const ObjectQuery& q,
                     const std::function<Status(const std::string&, const std::string&)>& f) override {
    return objects_.List(q, f);
  }
  Result<ObjectStats> CountObjects(const std::string& month) override { return objects_.Count(month); }

 protected:
  explicit ReadsOver(Connection* c) : ops_(c), objects_(c) {}
  ReadOps ops_;
  sqlite::ObjectReads objects_;
};

class SqliteReader final : public ReadsOver<RecordReader> {
 public:
  SqliteReader(SqliteRecordStore* store, std::unique_ptr<Connection> c)
      : ReadsOver(c.get()), store_(store), c_(std::move(c)) {}
  ~SqliteReader() override { store_->ReturnReader(std::move(c_)); }

 private:
  SqliteRecordStore* store_;
  std::unique_ptr<Connection> c_;
};

class SqliteWriter final : public ReadsOver<RecordWriter> {
 public:
  explicit SqliteWriter(SqliteRecordStore* store)
      : ReadsOver(store->writer()), lock_(store->writer_mu()), c_(store->writer()),
        object_writes_(store->writer()) {}
  ~SqliteWriter() override {
    if (open_) (void)c_->Exec("ROLLBACK");
  }
  Status Begin() {
    DCC_RETURN_IF_ERROR(c_->Exec("BEGIN IMMEDIATE"));
    open_ = true;
    return Status::Ok();
  }

  Status Put(const StoredRecord& r, const std::vector<UniqueKey>& keys, const std::string& method,
             const std::string& user) override {
    const std::string props = r.properties.dump();
    {
      DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
          "INSERT INTO records(uuid, type, at_id, status, sid, properties, created) "
          "VALUES(?,?,?,?,?,?,?) ON CONFLICT(uuid) DO UPDATE SET type=excluded.type, "
          "at_id=excluded.at_id, status=excluded.status, sid=excluded.sid, "
          "properties=excluded.properties"));
      StmtUse s(raw);
      s->Bind(1, r.uuid);
      s->Bind(2, r.type);
      s->Bind(3, r.at_id);
      s->Bind(4, r.status);
      s->Bind(5, r.sid);
      s->Bind(6, props);
      s->Bind(7, r.created);
      DCC_RETURN_IF_ERROR(s->Step().status());
    }
    DCC_RETURN_IF_ERROR(DeleteByUuid("DELETE FROM keys WHERE uuid=?", r.uuid));
    for (const auto& k : keys) {
      DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("INSERT INTO keys(name, value, uuid) VALUES(?,?,?)"));
      StmtUse s(raw);
      s->Bind(1, k.name);
      s->Bind(2, k.value);
      s->Bind(3, r.uuid);
      auto step = s->Step();
      if (!step.ok()) {
        if (step.status().code() == Status::Code::kConflict)
          return Status::Conflict("Keys conflict: [('" + k.name + "', '" + k.value + "')]");
        return step.status();
      }
    }
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "INSERT INTO revisions(uuid, sid, method, user, time, properties) VALUES(?,?,?,?,?,?)"));
    StmtUse s(raw);
    s->Bind(1, r.uuid);
    s->Bind(2, r.sid);
    s->Bind(3, method);
    s->Bind(4, user);
    s->Bind(5, r.updated);
    s->Bind(6, props);
    auto step = s->Step();
    if (!step.ok() && step.status().code() == Status::Code::kConflict)
      return Status::Conflict("the record changed while this request ran; retry");
    return step.status();
  }

  Status PutPrincipal(const Principal& p) override {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "INSERT INTO principals(email, user_uuid, admin, labs) VALUES(?,?,?,?) "
        "ON CONFLICT(email) DO UPDATE SET admin=excluded.admin, labs=excluded.labs"));
    StmtUse s(raw);
    s->Bind(1, p.email);
    s->Bind(2, p.user_uuid);
    s->Bind(3, static_cast<int64_t>(p.admin));
    s->Bind(4, json(p.labs).dump());
    return s->Step().status();
  }

  Status PutAccessKey(const AccessKey& k) override {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "INSERT INTO access_keys(key_id, secret_hash, email, status) VALUES(?,?,?,?) "
        "ON CONFLICT(key_id) DO UPDATE SET secret_hash=excluded.secret_hash, status=excluded.status"));
    StmtUse s(raw);
    s->Bind(1, k.key_id);
    s->Bind(2, k.secret_hash);
    s->Bind(3, k.email);
    s->Bind(4, k.status);
    return s->Step().status();
  }

  Status PutObject(const ObjectRow& o) override { return object_writes_.Put(o); }
  Status DeleteObject(const std::string& did) override { return object_writes_.Delete(did); }
  Status PutObjectAliases(const std::string& did, const std::vector<std::string>& aliases) override {
    return object_writes_.PutAliases(did, aliases);
  }

  Status PutApiKey(const ApiKeyRow& k) override {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "INSERT INTO api_keys(jti, email, scope, issued, expires, revoked) VALUES(?,?,?,?,?,?) "
        "ON CONFLICT(jti) DO UPDATE SET revoked=excluded.revoked"));
    StmtUse s(raw);
    s->Bind(1, k.jti);
    s->Bind(2, k.email);
    s->Bind(3, json(k.scope).dump());
    s->Bind(4, k.issued);
    s->Bind(5, k.expires);
    s->Bind(6, static_cast<int64_t>(k.revoked));
    return s->Step().status();
  }

  Status PutPolicy(const Policy& p) override {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "INSERT INTO policies(email, resource, methods) VALUES(?,?,?) "
        "ON CONFLICT(email, resource) DO UPDATE SET methods=excluded.methods"));
    StmtUse s(raw);
    s->Bind(1, p.email);
    s->Bind(2, p.resource);
    s->Bind(3, json(p.methods).dump());
    return s->Step().status();
  }

  Result<bool> DeletePolicy(const std::string& email, const std::string& resource) override {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("DELETE FROM policies WHERE email=? AND resource=?"));
    StmtUse s(raw);
    s->Bind(1, email);
    s->Bind(2, resource);
    DCC_RETURN_IF_ERROR(s->Step().status());
    return sqlite3_changes(c_->raw()) > 0;
  }

  Status PutMetadata(const MetadataRow& m) override {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(
        "INSERT INTO metadata(guid, data, authz) VALUES(?,?,?) "
        "ON CONFLICT(guid) DO UPDATE SET data=excluded.data, authz=excluded.authz"));
    StmtUse s(raw);
    s->Bind(1, m.guid);
    s->Bind(2, m.data.dump());
    s->Bind(3, m.authz.dump());
    return s->Step().status();
  }

  Result<bool> DeleteMetadata(const std::string& guid) override {
    DCC_RETURN_IF_ERROR(DeleteByUuid("DELETE FROM metadata_aliases WHERE guid=?", guid));
    DCC_RETURN_IF_ERROR(DeleteByUuid("DELETE FROM metadata WHERE guid=?", guid));
    return sqlite3_changes(c_->raw()) > 0;
  }

  Status PutMetadataAlias(const std::string& alias, const std::string& guid) override {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("INSERT INTO metadata_aliases(alias, guid) VALUES(?,?)"));
    StmtUse s(raw);
    s->Bind(1, alias);
    s->Bind(2, guid);
    auto step = s->Step();
    if (!step.ok() && step.status().code() == Status::Code::kConflict)
      return Status::Conflict("alias '" + alias + "' is already in use");
    return step.status();
  }

  Result<bool> DeleteMetadataAliases(const std::string& guid, const std::string& alias) override {
    if (alias.empty()) {
      DCC_RETURN_IF_ERROR(DeleteByUuid("DELETE FROM metadata_aliases WHERE guid=?", guid));
      return sqlite3_changes(c_->raw()) > 0;
    }
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare("DELETE FROM metadata_aliases WHERE guid=? AND alias=?"));
    StmtUse s(raw);
    s->Bind(1, guid);
    s->Bind(2, alias);
    DCC_RETURN_IF_ERROR(s->Step().status());
    return sqlite3_changes(c_->raw()) > 0;
  }

  Status CreateMetadataIndex(const std::string& dotted, const std::vector<std::string>& path) override {
    DCC_ASSIGN_OR_RETURN(auto existing, ops_.ListMetadataIndexes());
    if (std::find(existing.begin(), existing.end(), dotted) != existing.end())
      return Status::Conflict("index on '" + dotted + "' already exists");
    if (!PlainPath(path)) return Status::InvalidArgument("only plain paths can be indexed", dotted);
    return c_->Exec("CREATE INDEX " + SqlIdentifier(kMetadataIndexPrefix + dotted) + " ON metadata(data -> " +
                    SqlLiteral(JsonPath(path)) + ")");
  }

  Result<bool> DropMetadataIndex(const std::string& dotted) override {
    DCC_ASSIGN_OR_RETURN(auto existing, ops_.ListMetadataIndexes());
    if (std::find(existing.begin(), existing.end(), dotted) == existing.end()) return false;
    DCC_RETURN_IF_ERROR(c_->Exec("DROP INDEX " + SqlIdentifier(kMetadataIndexPrefix + dotted)));
    return true;
  }

  Status Commit() override {
    DCC_RETURN_IF_ERROR(object_writes_.Flush());
    DCC_RETURN_IF_ERROR(c_->Exec("COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  Status DeleteByUuid(const std::string& sql, const std::string& uuid) {
    DCC_ASSIGN_OR_RETURN(auto* raw, c_->Prepare(sql));
    StmtUse s(raw);
    s->Bind(1, uuid);
    return s->Step().status();
  }
  std::unique_lock<std::mutex> lock_;
  Connection* c_;
  sqlite::ObjectWrites object_writes_;
  bool open_ = false;
};

Result<std::unique_ptr<RecordReader>> SqliteRecordStore::Read() {
  std::unique_ptr<Connection> c;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!c) {
    DCC_ASSIGN_OR_RETURN(c, Connection::Open(path_, /*writer=*/false));
  }
  return std::unique_ptr<RecordReader>(new SqliteReader(this, std::move(c)));
}

Result<std::unique_ptr<RecordWriter>> SqliteRecordStore::Write() {
  auto w = std::make_unique<SqliteWriter>(this);
  DCC_RETURN_IF_ERROR(w->Begin());
  return std::unique_ptr<RecordWriter>(std::move(w));
}

Status Migrate(Connection& c) {
  DCC_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  int64_t applied = 0;
  {
    auto probe = c.PrepareOnce("SELECT value FROM meta WHERE key='schema_version'");
    if (probe.ok()) {
      DCC_ASSIGN_OR_RETURN(bool row, (*probe)->Step());
      if (row) applied = std::stoll((*probe)->Text(0));
    }
  }
  const int64_t total = sizeof(kMigrations) / sizeof(kMigrations[0]);
  if (applied > total) {
    (void)c.Exec("ROLLBACK");
    return Status::InvalidArgument("database schema version " + std::to_string(applied) +
                                   " is newer than this dccd understands (" +
                                   std::to_string(total) + ")");
  }
  for (int64_t i = applied; i < total; ++i) {
    Status s = c.Exec(kMigrations[i]);
    if (!s.ok()) {
      (void)c.Exec("ROLLBACK");
      return s;
    }
  }
  if (applied < total) {
    DCC_RETURN_IF_ERROR(c.Exec("INSERT INTO meta(key, value) VALUES('schema_version', '" +
                               std::to_string(total) +
                               "') ON CONFLICT(key) DO UPDATE SET value=excluded.value"));
  }
  return c.Exec("COMMIT");
}

}  // namespace

Result<std::unique_ptr<RecordStore>> OpenSqliteRecordStore(const std::string& path) {
  DCC_ASSIGN_OR_RETURN(auto writer, Connection::Open(path, /*writer=*/true));
  DCC_RETURN_IF_ERROR(Migrate(*writer));
  return std::unique_ptr<RecordStore>(new SqliteRecordStore(path, std::move(writer)));
}

}  // namespace dcc::server
