// src/server/services/index_service.h: the file index (indexd semantics, gen3.md §2) and
// the GA4GH DRS view of it. One index: the objects behind file records (FileService
// writes them when an upload verifies) and the records made through /index are the same
// rows. Callable in-process: the /index and /ga4gh/drs dialects and the fence-style
// /user/data endpoints call these functions. Permissions: reads are public; writes ask
// the Authorizer (create, update on old ∪ new authz, delete) and need a signed-in caller
// (Unauthenticated, 401) who is allowed (PermissionDenied, 403). A stale or missing rev
// is a Conflict (409) and is checked before permissions, as indexd does.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/auth/authenticator.h"
#include "server/auth/authorizer.h"
#include "server/auth/url_signer.h"
#include "server/services/file_service.h"
#include "server/services/records_service.h"

namespace dcc::server {

struct IndexOptions {
  std::string did_prefix;             // prepended to minted dids, e.g. "dg.4242/" (default none)
  size_t bulk_max_records = 10000;    // POST /bulk/index refuses more (413)
  int64_t access_url_seconds = 3600;  // lifetime of DRS access URLs
};

// What a write answers: {"did", "rev", "baseid"}.
struct IndexWrite {
  std::string did, rev, baseid;
  std::string result;  // bulk upsert only: "created", "updated" or "unchanged"
};

// Thread-safe.
class IndexService {
 public:
  IndexService(RecordService& records, FileService& files, Authorizer& authz,
               const UrlSigner& signer, IndexOptions options);

  // POST /index/: a new record from an InputInfo body (index_record.h). Conflict if the
  // did exists; a missing did is minted, a missing baseid is new.
  Result<IndexWrite> Create(const Caller& caller, const nlohmann::json& body);
  // POST /index/{guid}: a new version of `guid` (did or baseid) sharing its baseid.
  Result<IndexWrite> AddVersion(const Caller& caller, const std::string& guid,
                                const nlohmann::json& body);
  // PUT /index/{guid}?rev=: replaces the mutable fields present in `body`.
  Result<IndexWrite> Update(const Caller& caller, const std::string& guid, const std::string& rev,
                            const nlohmann::json& body);
  // DELETE /index/{guid}?rev=. InvalidArgument if `rev` is empty.
  Status Delete(const Caller& caller, const std::string& guid, const std::string& rev);
  // POST /index/blank/: a record with no size, hashes or urls yet (fence upload step 1).
  // Needs "create" on the body's authz, or "file_upload" on /data_file without authz.
  Result<IndexWrite> CreateBlank(const Caller& caller, const nlohmann::json& body);
  // POST /index/blank/{guid}: a new blank version of `guid` (same baseid); acl and authz
  // carry over unless the body gives authz. Needs "update" on the old authz (and
  // "create" on a new one).
  Result<IndexWrite> AddBlankVersion(const Caller& caller, const std::string& guid,
                                     const nlohmann::json& body);
  // PUT /index/{guid}/versions: sets acl and/or authz ({"acl": [...], "authz": [...]})
  // on every version, each getting a new rev. Needs "update" on every version's authz.
  Result<std::vector<IndexWrite>> UpdateAllVersions(const Caller& caller, const std::string& guid,
                                                    const nlohmann::json& body);
  // PUT /index/blank/{guid}?rev=: fills size, hashes and urls once. InvalidArgument if
  // the record already has a size or hashes.
  Result<IndexWrite> FillBlank(const Caller& caller, const std::string& guid,
                               const std::string& rev, const nlohmann::json& body);

  // The record `guid` names: a did, else the newest version of a baseid. NotFound.
  Result<ObjectRow> Get(const std::string& guid);
  // indexd's global resolver (GET /{guid}, and GET /index/{guid}, which in the commons
  // layout is that resolver): as Get, then the record whose alias `guid` is. NotFound.
  Result<ObjectRow> Lookup(const std::string& guid);
  // Every version of the record `guid` names, oldest first. NotFound.
  Result<std::vector<ObjectRow>> Versions(const std::string& guid);
  // The newest version; with `has_version`, the newest whose version is not null.
  Result<ObjectRow> Latest(const std::string& guid, bool has_version);
  // Calls `f(did, doc)` for each record `q` matches (store order).
  Status List(const ObjectQuery& q,
              const std::function<Status(const std::string&, const std::string&)>& f);
  // The docs of those of `dids` that exist, in the order given (missing ones skipped).
  Result<std::vector<std::string>> Documents(const std::vector<std::string>& dids);
  Result<ObjectStats> Stats(const std::string& month);

  // Aliases of a record: list, add (Conflict if any is taken), replace, delete (all, or
  // one: NotFound if it is not an alias of the record).
  Result<std::vector<std::string>> Aliases(const std::string& guid);
  Result<std::vector<std::string>> AddAliases(const Caller& caller, const std::string& guid,
                                              const std::vector<std::string>& aliases,
                                              bool replace);
  Status DeleteAliases(const Caller& caller, const std::string& guid, const std::string& alias);

  // POST /bulk/index: upserts every record of `records` (an array of POST /index/ bodies,
  // did optional) in one transaction, or none. On any bad record: InvalidArgument
  // "N of M records rejected; nothing was written" whose details hold, per bad record,
  // where = "/<index>" and the reason. TooLarge past options.bulk_max_records.
  Result<std::vector<IndexWrite>> BulkUpsert(const Caller& caller, const nlohmann::json& records);

  // `count` new GUIDs (0..10000), with the did prefix.
  Result<std::vector<std::string>> Mint(int64_t count) const;

  // A signed, expiring download path ("/_blobs/<key>?...&signature=") for the bytes of
  // `guid`'s url with scheme `access_id` ("s3", "https", ...), or that url as-is when it
  // is http(s). An empty `access_id` takes the first url that can be served (fence's
  // download without ?protocol=). Needs "read" on the record's authz (records of files: the file's
  // visibility; bytes an uploaded file owns also need that file's visibility when
  // another record names them). NotFound for no such record or access id, or bytes
  // dccd does not hold.
  Result<std::string> AccessUrl(const Caller& caller, const std::string& guid,
                                const std::string& access_id);

  const IndexOptions& options() const { return options_; }

 private:
  Result<ObjectRow> Resolve(RecordReader& reader, const std::string& guid);
  // May `caller` read `row`'s bytes? Unauthenticated (anonymous) or PermissionDenied.
  Status CheckRead(RecordReader& reader, const Caller& caller, const ObjectRow& row);
  // The write of PUT-style calls: loads the did `guid` in a write transaction, checks
  // `rev`, applies `change` (which also checks permissions) and stores the record with a
  // new rev and updated_date.
  Result<IndexWrite> Rewrite(const Caller& caller, const std::string& guid, const std::string& rev,
                             const std::function<Status(ObjectRow&)>& change);
  Status CheckWrite(const Caller& caller, std::string_view method,
                    const std::vector<std::string>& resources) const;
  Result<IndexWrite> WriteNew(const Caller& caller, ObjectRow row, std::string_view method,
                              const std::vector<std::string>& resources);
  std::string MintOne() const;

  RecordService& records_;
  FileService& files_;
  Authorizer& authz_;
  const UrlSigner& signer_;
  IndexOptions options_;
};

}  // namespace dcc::server
