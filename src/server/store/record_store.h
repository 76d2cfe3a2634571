// src/server/store/record_store.h: the record-store interface. It stores records, their
// unique keys and revisions, and the principals and access keys of auth.
// It holds no business rules: the services decide what to write; the store writes it
// atomically and answers lookups. SQLite implements it today (sqlite_record_store.cc);
// PostgreSQL is meant to implement the same interface.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcc/status.h"

namespace dcc::server {

// A record as stored: properties hold links as uuids.
struct StoredRecord {
  std::string uuid;
  std::string type;    // snake_case profile name
  std::string at_id;   // canonical "@id", e.g. "/biosamples/DCCBS123ABC/"
  std::string status;  // copy of properties.status, for visibility filters
  int64_t sid = 0;     // revision number, 1 for a new record
  nlohmann::json properties = nlohmann::json::object();
  std::string created;  // ISO-8601, sort key for listings
  std::string updated;  // time of this revision; not stored on the row, only in revisions
};

// A unique key, e.g. {"alias", "lab-a:sample-1"} or {"accession", "DCCBS123ABC"}.
struct UniqueKey {
  std::string name;
  std::string value;
  bool operator==(const UniqueKey&) const = default;
};

// One stored version of a record, newest last in History().
struct Revision {
  int64_t sid = 0;
  std::string method;  // "POST", "PATCH", "PUT"
  std::string user;    // user uuid, or "" for the server itself
  std::string time;
  nlohmann::json properties;
};

// One index record (an indexd-style object; gen3.md §2.1, docs/index.md). Either the
// verified bytes behind a file record (file_uuid set; FileService writes it when an
// upload verifies) or a record made through the /index API (file_uuid empty).
struct ObjectRow {
  std::string did;        // the object's GUID; may carry a prefix with '/' ("dg.4242/<uuid>")
  std::string file_uuid;  // the file record it belongs to, or "" (stored as NULL)
  std::string baseid;     // shared by every version of the object
  std::string rev;        // 8 lower-case hex chars, new on every write
  std::string form = "object";                       // object, container or multipart
  std::optional<uint64_t> size;                      // null for a blank record
  nlohmann::json hashes = nlohmann::json::object();  // {"md5": hex, "sha1": ..., ...}
  std::vector<std::string> urls;                     // e.g. "s3://dcc-files/2026/..."
  std::string blob_key;  // where the bytes are in the blob store; "" if not held here
  std::optional<std::string> file_name, version, uploader, description;
  std::optional<std::string> content_created, content_updated;
  std::vector<std::string> acl, authz;
  nlohmann::json metadata = nlohmann::json::object();
  nlohmann::json urls_metadata = nlohmann::json::object();
  std::string created;  // indexd dates: naive UTC isoformat, "2026-01-02T03:04:05.123456"
  std::string updated;
  // The record's JSON as the index API renders it, stored so that listings and exports
  // concatenate text instead of re-rendering. The writer of the row renders it
  // (services/index_record.h); the store keeps it verbatim.
  std::string doc;
};

// Which index records a listing wants (GET /index/ filters, gen3.md §2.4). Every
// non-empty member must hold; the store turns it into SQL (store/object_query.h).
struct ObjectQuery {
  std::string start;              // did > start (keyset), ordered by did
  std::optional<int64_t> offset;  // with `page`: OFFSET, ordered by updated then did
  int64_t limit = -1;             // -1: no limit
  std::vector<std::string> ids;   // did in ids
  std::vector<std::pair<std::string, std::string>> hashes;  // (type, value), all
  std::optional<uint64_t> size;
  std::vector<std::string> urls;         // has every url
  std::vector<std::string> acl, authz;   // has every entry
  bool acl_none = false, authz_none = false;  // "null": has none
  std::optional<std::string> file_name, version, uploader, baseid, form;
  std::vector<std::pair<std::string, std::string>> metadata;  // metadata[k] == v, all
  // urls_metadata: some url containing `url` has every (k, v).
  struct UrlsMetadata {
    std::string url;
    std::vector<std::pair<std::string, std::string>> kv;
  };
  std::vector<UrlsMetadata> urls_metadata;
  std::optional<std::string> url_contains;  // some url contains it (/_query/urls/q include)
  std::optional<std::string> url_excludes;  // no url contains it (exclude)
  std::optional<bool> versioned;            // version is (not) null
  // negate_params: a record matching any of these is excluded.
  struct Negated {
    std::optional<std::string> file_name, version, uploader;
    std::vector<std::string> urls, acl, authz;                  // contains any
    std::vector<std::pair<std::string, std::string>> hashes;    // has (type, value)
    std::vector<std::pair<std::string, std::string>> metadata;  // metadata[k] == v
    std::vector<std::string> metadata_keys;                     // has key k
    std::vector<UrlsMetadata> urls_metadata;
  } negate;
  bool none = false;  // matches nothing (e.g. form=bundle: dccd holds no bundles)
};

struct ObjectStats {
  int64_t count = 0;
  int64_t total_size = 0;
};

struct Principal {
  std::string email;
  std::string user_uuid;
  bool admin = false;
  std::vector<std::string> labs;  // lab names this principal submits for
};

struct AccessKey {
  std::string key_id;
  std::string secret_hash;  // argon2id string; the secret itself is never stored
  std::string email;
  std::string status;       // "current" or "revoked"
};

// A fence-style API key (a signed JWT handed to its user once). Only its claims that the
// server must check later are kept: who it is for, when it ends, whether it was revoked.
struct ApiKeyRow {
  std::string jti;    // the key id (JWT "jti")
  std::string email;  // the principal it authenticates
  std::vector<std::string> scope;
  int64_t issued = 0;   // seconds since the epoch
  int64_t expires = 0;  // seconds since the epoch
  bool revoked = false;
};

// A grant of `methods` ("read", "create", "update", "delete", "file_upload" or "*") on
// a resource path and every path below it, to one principal.
struct Policy {
  std::string email;
  std::string resource;  // e.g. "/programs/p/projects/q"
  std::vector<std::string> methods;
};

// One metadata-service entry: free JSON under a GUID.
struct MetadataRow {
  std::string guid;
  nlohmann::json data;   // any JSON value, usually an object
  nlohmann::json authz;  // {"version":0,"_resource_paths":["/open"]} by default
};

// One `GET /metadata` filter: the value at `path` (object keys from the top) must equal,
// compared as text the way the reference does, one of `values`; or, with `exists`, be
// present at all. Filters on different paths are ANDed.
struct MetadataFilter {
  std::vector<std::string> path;
  std::vector<std::string> values;
  bool exists = false;
};

// Reads. Each call sees everything committed before it began. Not thread-safe: use one
// reader per thread. NotFound is never an error here: absent things are std::nullopt.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  virtual Result<std::optional<StoredRecord>> Get(const std::string& uuid) = 0;
  // The uuid owning a unique key, if any.
  virtual Result<std::optional<std::string>> FindKey(const UniqueKey& key) = 0;
  virtual Result<std::vector<Revision>> History(const std::string& uuid) = 0;
  // Calls `f` for every record, oldest first (used to build the search index).
  virtual Status ForEach(const std::function<Status(const StoredRecord&)>& f) = 0;
  virtual Result<std::optional<Principal>> FindPrincipal(const std::string& email) = 0;
  virtual Result<std::optional<AccessKey>> FindAccessKey(const std::string& key_id) = 0;
  virtual Result<std::optional<ObjectRow>> FindObjectOfFile(const std::string& file_uuid) = 0;
  virtual Result<std::optional<ApiKeyRow>> FindApiKey(const std::string& jti) = 0;
  // Every key of `email`, revoked ones included, oldest first.
  virtual Result<std::vector<ApiKeyRow>> ListApiKeys(const std::string& email) = 0;
  virtual Result<std::vector<Policy>> ListPolicies(const std::string& email) = 0;
  virtual Result<std::optional<MetadataRow>> GetMetadata(const std::string& guid) = 0;
  // The guid an alias names, if any.
  virtual Result<std::optional<std::string>> FindMetadataAlias(const std::string& alias) = 0;
  // The aliases of `guid`, sorted.
  virtual Result<std::vector<std::string>> MetadataAliases(const std::string& guid) = 0;
  // Entries matching every filter, ordered by guid, `offset` skipped, at most `limit`.
  // `data` and `authz` are left null unless `with_data`.
  virtual Result<std::vector<MetadataRow>> QueryMetadata(const std::vector<MetadataFilter>& filters,
                                                         int64_t limit, int64_t offset, bool with_data) = 0;
  // The dotted paths that have an index (CreateMetadataIndex), sorted.
  virtual Result<std::vector<std::string>> ListMetadataIndexes() = 0;
  virtual Result<std::optional<ObjectRow>> FindObject(const std::string& did) = 0;
  // Every version sharing `baseid`, oldest first (created, then did).
  virtual Result<std::vector<ObjectRow>> ObjectVersions(const std::string& baseid) = 0;
  // The did an index alias names, if any.
  virtual Result<std::optional<std::string>> FindObjectByAlias(const std::string& alias) = 0;
  virtual Result<std::vector<std::string>> ObjectAliases(const std::string& did) = 0;
  // Calls `f` with (did, doc) of each record matching `q`, in the query's order; stops at
  // the first error `f` returns and returns it.
  virtual Status ListObjects(const ObjectQuery& q,
                             const std::function<Status(const std::string& did,
                                                        const std::string& doc)>& f) = 0;
  // Count and total size of all records (maintained on write, O(1)); with `month`
  // ("YYYY-MM") only the records created that month (a scan).
  virtual Result<ObjectStats> CountObjects(const std::string& month) = 0;
};

// An exclusive write transaction. Nothing is visible to readers until Commit returns OK;
// destroying an uncommitted writer rolls back. Once Commit returns OK the change survives
// a crash or power cut (SQLite WAL with synchronous=FULL).
class RecordWriter : public RecordReader {
 public:
  // Inserts a new record (sid 1) or replaces an existing one (sid must be old sid + 1),
  // with its complete set of unique keys, and appends a revision.
  // A key owned by another record fails with Conflict.
  virtual Status Put(const StoredRecord& record, const std::vector<UniqueKey>& keys,
                     const std::string& method, const std::string& user) = 0;
  virtual Status PutPrincipal(const Principal& principal) = 0;
  virtual Status PutAccessKey(const AccessKey& key) = 0;
  // Inserts or replaces the object `object.did` (with its hash, url, acl and authz
  // lookup rows, and the running count and size). A file_uuid owned by another did
  // fails with Conflict.
  virtual Status PutObject(const ObjectRow& object) = 0;
  // Inserts or replaces the key `row.jti`.
  virtual Status PutApiKey(const ApiKeyRow& row) = 0;
  // Inserts or replaces the policy of (email, resource).
  virtual Status PutPolicy(const Policy& policy) = 0;
  // Removes the policy of (email, resource); false if there was none.
  virtual Result<bool> DeletePolicy(const std::string& email, const std::string& resource) = 0;
  // Inserts or replaces the entry `row.guid`.
  virtual Status PutMetadata(const MetadataRow& row) = 0;
  // Removes the entry and its aliases; false if there was none.
  virtual Result<bool> DeleteMetadata(const std::string& guid) = 0;
  // Conflict if `alias` already names an entry.
  virtual Status PutMetadataAlias(const std::string& alias, const std::string& guid) = 0;
  // Removes one alias of `guid` (false if it had no such alias), or all of them when
  // `alias` is empty (false if it had none).
  virtual Result<bool> DeleteMetadataAliases(const std::string& guid, const std::string& alias) = 0;
  // An index on the value at `path` (named by `dotted`, "a.b"), used by QueryMetadata
  // filters on that path. Conflict if it exists.
  virtual Status CreateMetadataIndex(const std::string& dotted, const std::vector<std::string>& path) = 0;
  // False if there was no such index.
  virtual Result<bool> DropMetadataIndex(const std::string& dotted) = 0;
  // Removes the object `did` and its aliases; OK if it did not exist.
  virtual Status DeleteObject(const std::string& did) = 0;
  // Replaces the aliases of `did`. An alias owned by another did fails with Conflict.
  virtual Status PutObjectAliases(const std::string& did, const std::vector<std::string>& aliases) = 0;
  virtual Status Commit() = 0;
};

// Thread-safe: any number of readers, one writer at a time (Write blocks until free).
class RecordStore {
 public:
  virtual ~RecordStore() = default;
  virtual Result<std::unique_ptr<RecordReader>> Read() = 0;
  virtual Result<std::unique_ptr<RecordWriter>> Write() = 0;
};

// Opens (creating if needed) the SQLite store at `path` and applies pending migrations.
Result<std::unique_ptr<RecordStore>> OpenSqliteRecordStore(const std::string& path);

}  // namespace dcc::server
