// src/server/services/metadata_service.h: the metadata service (Gen3 MDS, gen3.md §3):
// free JSON per GUID, aliases, and queries by nested key. Reads are public; writes need
// "create", "update" or "delete" on the resource path /mds_gateway (admins always), the
// resource the reference checks (docs/mds.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/auth/authorizer.h"
#include "server/store/record_store.h"

namespace dcc::server {

struct MetadataQuery {
  std::vector<MetadataFilter> filters;  // ANDed; each one's values ORed
  bool data = false;                    // {guid: data} instead of [guid]
  int64_t limit = 10;                   // clamped to MetadataService::kMaxLimit
  int64_t offset = 0;
};

// The filters of a GET /mds/metadata query string: every parameter but data, limit and
// offset is a filter a.b=v (repeat a key to OR its values), `*` for "present", `\*` for a
// literal star. InvalidArgument for an empty key in a path. Pure: the fuzz target calls it.
using MetadataParams = std::vector<std::pair<std::string, std::string>>;
Result<std::vector<MetadataFilter>> ParseMetadataFilters(const MetadataParams& params);

// Thread-safe; each call is one store transaction.
class MetadataService {
 public:
  static constexpr int64_t kMaxLimit = 2000;  // the reference's METADATA_QUERY_RESULTS_LIMIT
  static constexpr const char* kResource = "/mds_gateway";

  MetadataService(RecordStore& store, const Authorizer& authz) : store_(store), authz_(authz) {}

  // ["guid", ...] or {"guid": data, ...}, ordered by guid. InvalidArgument for a
  // negative limit or offset.
  Result<nlohmann::json> Query(MetadataQuery query);
  // The data of `guid`, or of the entry an alias names. NotFound "Not found: X".
  Result<nlohmann::json> Get(const std::string& guid_or_alias);

  struct Written {
    nlohmann::json data;
    bool created = false;  // false: an existing entry was overwritten
  };
  // Conflict if `guid` exists and !overwrite. InvalidArgument for the guid "upload".
  Result<Written> Create(const Caller& caller, const std::string& guid, nlohmann::json data, bool overwrite);
  // Replaces (or, with merge, shallowly merges into) an existing entry. NotFound if absent.
  Result<nlohmann::json> Update(const Caller& caller, const std::string& guid, nlohmann::json data, bool merge);
  // Removes an entry and its aliases; returns its data. NotFound if absent.
  Result<nlohmann::json> Delete(const Caller& caller, const std::string& guid);
  // `items` = [{"guid","data"}, ...] in one transaction. Returns {"created", "updated",
  // "conflict", "bad_input"}: guids (bad_input: the guid, or the item itself when it has
  // no string guid). InvalidArgument if `items` is not an array.
  Result<nlohmann::json> BatchCreate(const Caller& caller, const nlohmann::json& items, bool overwrite);

  // {"guid", "aliases": [sorted]}. NotFound if the entry is absent.
  Result<nlohmann::json> Aliases(const std::string& guid);
  // Adds aliases to an entry that has none. Conflict if it has some ("use PUT") or an
  // alias names another entry; NotFound if the entry is absent.
  Result<nlohmann::json> CreateAliases(const Caller& caller, const std::string& guid,
                                       const std::vector<std::string>& aliases);
  // Sets the aliases (with merge: adds to them). Conflict if one names another entry.
  Result<nlohmann::json> UpdateAliases(const Caller& caller, const std::string& guid,
                                       const std::vector<std::string>& aliases, bool merge);
  // One alias (or, when `alias` is empty, all); NotFound if there is none to delete.
  Status DeleteAliases(const Caller& caller, const std::string& guid, const std::string& alias);

  // Expression indexes that let queries on a dotted path use an index.
  Result<std::vector<std::string>> IndexedPaths();
  Status CreateIndex(const Caller& caller, const std::string& dotted_path);
  Status DropIndex(const Caller& caller, const std::string& dotted_path);

 private:
  Status Check(const Caller& caller, const char* method) const;

  RecordStore& store_;
  const Authorizer& authz_;
};

// Splits "a.b.c" into its keys. InvalidArgument for an empty key, or a key holding a
// control character (NUL...) or '"', which a SQLite JSON path cannot name.
Result<std::vector<std::string>> SplitMetadataPath(const std::string& dotted);

// True if every key is letters, digits and '_': the only paths the store writes into SQL
// text (where an expression index can match them); all others are bound parameters.
bool IsPlainMetadataPath(const std::vector<std::string>& path);

}  // namespace dcc::server
