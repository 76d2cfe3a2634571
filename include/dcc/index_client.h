// include/dcc/index_client.h: typed calls to an indexd-compatible service (dccd, or a Gen3
// commons' indexd) and its DRS endpoints, over a Client (gen3.md §2).
//
// Every call is one request (no re-GET after a write: the answer carries did and rev).
// Errors: NotFound (404), Conflict (409: duplicate did, stale rev), InvalidArgument (400,
// with the server's message), Unauthenticated/PermissionDenied (401/403), Unavailable.
// Not thread-safe (neither is the Client): one IndexClient per worker thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcc/client.h"
#include "dcc/status.h"

namespace dcc {

// The failing Status for an HTTP answer of a Gen3 service, with the message from its
// body ({"error"} indexd, {"detail"} MDS, {"msg"} DRS). `what` is the request ("GET /index/x").
Status Gen3StatusOf(long http_status, const nlohmann::json& body, const std::string& what);

class IndexClient {
 public:
  // `prefix` goes before every indexd path: "" for dccd and for indexd itself, "/index"
  // behind a Gen3 commons' reverse proxy. DRS paths take no prefix.
  explicit IndexClient(Client& client, std::string prefix = "") : c_(client), prefix_(std::move(prefix)) {}

  // GET /index/{guid}: the record (guid may be a did, a baseid, or contain '/').
  Result<nlohmann::json> Get(const std::string& guid);
  // POST /index/: {did, rev, baseid}. `record` in the POST shape (size, hashes, urls, form...).
  Result<nlohmann::json> Create(const nlohmann::json& record);
  // POST /index/{guid}: a new version sharing guid's baseid; {did, rev, baseid}.
  Result<nlohmann::json> CreateVersion(const std::string& guid, const nlohmann::json& record);
  // PUT /index/{guid}?rev=: replaces the given fields; rev empty: the current one (one GET).
  Result<nlohmann::json> Update(const std::string& guid, const nlohmann::json& changes, std::string rev = "");
  // DELETE /index/{guid}?rev=; rev empty: the current one (one GET).
  Status Delete(const std::string& guid, std::string rev = "");
  // GET /index/?<query> (query already URL-encoded, e.g. "hash=md5:ab..&limit=10").
  Result<nlohmann::json> Query(const std::string& query);
  // GET /index/{guid}/versions: {"0": record, "1": record, ...}.
  Result<nlohmann::json> Versions(const std::string& guid);
  // POST /bulk/documents: the records of those dids that exist, in no promised order.
  Result<std::vector<nlohmann::json>> Documents(const std::vector<std::string>& dids);
  // POST /bulk/index (dccd): upsert up to ~10,000 records at once, all or nothing. The
  // answer's "records". On a 400, InvalidArgument whose details list each bad record
  // (where = its index in `records`).
  Result<nlohmann::json> BulkIndex(const nlohmann::json& records);

  // One page of every record in did order, after `start` (empty: from the beginning).
  // With `use_export`, GET /bulk/export (dccd's NDJSON stream) with any limit; otherwise
  // GET /index/?start=&limit= (limit ≤ 1024), which any indexd serves.
  struct Page {
    std::vector<nlohmann::json> records;
    bool last = false;  // fewer than `limit` came back
  };
  Result<Page> List(const std::string& start, int limit, bool use_export);

  // GET /ga4gh/drs/v1/objects/{id}: the DRS object.
  Result<nlohmann::json> DrsObject(const std::string& id);
  // GET /ga4gh/drs/v1/objects/{id}/access/{access_id}: {"url": signed URL}.
  Result<nlohmann::json> DrsAccess(const std::string& id, const std::string& access_id);

 private:
  std::string IndexPath(const std::string& guid) const;
  Client& c_;
  std::string prefix_;
};

// Typed calls to a metadata service (gen3.md §3): reads at `read_prefix`, writes at
// `admin_prefix` (a Gen3 commons: /mds and /mds-admin; dccd serves both). Same error
// mapping and threading rules as IndexClient.
class MdsClient {
 public:
  explicit MdsClient(Client& client, std::string read_prefix = "/mds", std::string admin_prefix = "/mds-admin")
      : c_(client), read_(std::move(read_prefix)), admin_(std::move(admin_prefix)) {}

  // GET /metadata/{guid}: the data object.
  Result<nlohmann::json> Get(const std::string& guid);
  // POST /metadata/{guid}?overwrite=: Conflict (409) when it exists and !overwrite.
  Result<nlohmann::json> Create(const std::string& guid, const nlohmann::json& data, bool overwrite);
  // PUT /metadata/{guid}?merge=: NotFound when absent; merge is shallow (top-level keys).
  Result<nlohmann::json> Update(const std::string& guid, const nlohmann::json& data, bool merge);
  // POST /metadata?overwrite= with [{"guid","data"}...]: many entries in one request.
  // The answer {"created","updated","conflict","bad_input"} (lists of guids).
  Result<nlohmann::json> BatchCreate(const nlohmann::json& entries, bool overwrite);
  // DELETE /metadata/{guid}.
  Status Delete(const std::string& guid);
  // GET /metadata?<query>&data=&limit=&offset= (query URL-encoded, "a.b=1&_guid_type=x"):
  // a list of guids, or {guid: data} with `data`.
  Result<nlohmann::json> Query(const std::string& query, bool data, int limit, int offset);

 private:
  Client& c_;
  std::string read_, admin_;
};

}  // namespace dcc
