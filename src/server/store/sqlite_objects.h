// src/server/store/sqlite_objects.h: the SQL of index records (objects and their lookup
// tables: object_hashes, object_urls, object_acl, object_authz, object_aliases,
// object_stats; docs/storage.md). Internal to the SQLite store, which forwards the
// object calls of RecordReader/RecordWriter here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/store/record_store.h"
#include "server/store/sqlite_db.h"

namespace dcc::server::sqlite {

// Reads over one connection.
class ObjectReads {
 public:
  explicit ObjectReads(Connection* c) : c_(c) {}
  Result<std::optional<ObjectRow>> Find(const std::string& did);
  Result<std::optional<ObjectRow>> FindOfFile(const std::string& file_uuid);
  Result<std::vector<ObjectRow>> Versions(const std::string& baseid);
  Result<std::optional<std::string>> FindByAlias(const std::string& alias);
  Result<std::vector<std::string>> Aliases(const std::string& did);
  Status List(const ObjectQuery& q,
              const std::function<Status(const std::string&, const std::string&)>& f);
  Result<ObjectStats> Count(const std::string& month);

 private:
  Result<std::optional<ObjectRow>> FindWhere(const char* column, const std::string& value);
  Connection* c_;
};

// Writes inside the writer's open transaction. The running count and total size change
// in memory as rows are written and reach object_stats in Flush, called before COMMIT.
class ObjectWrites {
 public:
  explicit ObjectWrites(Connection* c) : c_(c), reads_(c) {}
  Status Put(const ObjectRow& o);
  Status Delete(const std::string& did);
  Status PutAliases(const std::string& did, const std::vector<std::string>& aliases);
  Status Flush();

 private:
  Status DeleteLookups(const std::string& did);
  Status InsertPairs(const char* sql, const std::string& did,
                     const std::vector<std::pair<std::string, std::string>>& rows);
  Status InsertValues(const char* sql, const std::string& did,
                      const std::vector<std::string>& values);
  Connection* c_;
  ObjectReads reads_;
  int64_t count_delta_ = 0;
  int64_t size_delta_ = 0;
};

// Migration 3: objects becomes the full index record (file_uuid nullable), with its
// lookup tables and the running stats.
extern const char* const kObjectsMigration;

}  // namespace dcc::server::sqlite
