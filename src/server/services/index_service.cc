#include "server/services/index_service.h"

#include <algorithm>
#include <ctime>
#include <set>
#include <unordered_set>

#include "common/ids.h"
#include "server/services/index_record.h"

namespace dcc::server {
using nlohmann::json;

namespace {

std::vector<std::string> Union(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out = a;
  for (const auto& x : b)
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  return out;
}

Status CheckRev(const ObjectRow& row, const std::string& rev) {
  if (rev != row.rev) return Status::Conflict("revision mismatch");
  return Status::Ok();
}

// The fields a bulk upsert compares to decide "unchanged".
bool SameContent(const ObjectRow& a, const ObjectRow& b) {
  return a.urls == b.urls && a.acl == b.acl && a.authz == b.authz && a.file_name == b.file_name &&
         a.version == b.version && a.uploader == b.uploader && a.metadata == b.metadata &&
         a.urls_metadata == b.urls_metadata && a.description == b.description &&
         a.content_created == b.content_created && a.content_updated == b.content_updated &&
         a.form == b.form;
}

IndexWrite WriteOf(const ObjectRow& r, std::string result = {}) {
  return {r.did, r.rev, r.baseid, std::move(result)};
}

}  // namespace

IndexService::IndexService(RecordService& records, FileService& files, Authorizer& authz,
                           const UrlSigner& signer, IndexOptions options)
    : records_(records),
      files_(files),
      authz_(authz),
      signer_(signer),
      options_(std::move(options)) {}

std::string IndexService::MintOne() const { return options_.did_prefix + NewUuid4(); }

Result<std::vector<std::string>> IndexService::Mint(int64_t count) const {
  if (count < 0 || count > 10000)
    return Status::InvalidArgument("count must be between 0 and 10000", "count");
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) out.push_back(MintOne());
  return out;
}

Status IndexService::CheckWrite(const Caller& caller, std::string_view method,
                                const std::vector<std::string>& resources) const {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  if (!authz_.Allowed(caller, method, resources)) {
    std::string list;
    for (const auto& r : resources) list += (list.empty() ? "" : ", ") + r;
    return Status::PermissionDenied(std::string("you may not ") + std::string(method) +
                                    " records with authz [" + list + "]");
  }
  return Status::Ok();
}

Result<ObjectRow> IndexService::Resolve(RecordReader& reader, const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto row, reader.FindObject(guid));
  if (row) return std::move(*row);
  DCC_ASSIGN_OR_RETURN(auto versions, reader.ObjectVersions(guid));
  if (!versions.empty()) return std::move(versions.back());
  // Prefix-tolerant, as indexd: with and without the did prefix.
  const std::string& p = options_.did_prefix;
  if (!p.empty()) {
    std::string other = guid.compare(0, p.size(), p) == 0 ? guid.substr(p.size()) : p + guid;
    DCC_ASSIGN_OR_RETURN(auto again, reader.FindObject(other));
    if (again) return std::move(*again);
  }
  return Status::NotFound("no record found");
}

Result<ObjectRow> IndexService::Get(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  return Resolve(*reader, guid);
}

Result<ObjectRow> IndexService::Lookup(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  auto row = Resolve(*reader, guid);
  if (row.ok() || row.status().code() != Status::Code::kNotFound) return row;
  DCC_ASSIGN_OR_RETURN(auto did, reader->FindObjectByAlias(guid));
  if (!did) return row;
  DCC_ASSIGN_OR_RETURN(auto aliased, reader->FindObject(*did));
  if (!aliased) return row;
  return std::move(*aliased);
}

Result<std::vector<ObjectRow>> IndexService::Versions(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  DCC_ASSIGN_OR_RETURN(ObjectRow row, Resolve(*reader, guid));
  return reader->ObjectVersions(row.baseid);
}

Result<ObjectRow> IndexService::Latest(const std::string& guid, bool has_version) {
  DCC_ASSIGN_OR_RETURN(auto versions, Versions(guid));
  for (auto it = versions.rbegin(); it != versions.rend(); ++it)
    if (!has_version || it->version) return std::move(*it);
  return Status::NotFound("no version of " + guid + " has a version");
}

Status IndexService::List(const ObjectQuery& q,
                          const std::function<Status(const std::string&, const std::string&)>& f) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  return reader->ListObjects(q, f);
}

Result<std::vector<std::string>> IndexService::Documents(const std::vector<std::string>& dids) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  std::vector<std::string> out;
  out.reserve(dids.size());
  for (const auto& did : dids) {
    DCC_ASSIGN_OR_RETURN(auto row, reader->FindObject(did));
    if (row) out.push_back(std::move(row->doc));
  }
  return out;
}

Result<ObjectStats> IndexService::Stats(const std::string& month) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  return reader->CountObjects(month);
}

Result<IndexWrite> IndexService::WriteNew(const Caller& caller, ObjectRow row,
                                          std::string_view method,
                                          const std::vector<std::string>& resources) {
  DCC_RETURN_IF_ERROR(CheckWrite(caller, method, resources));
  if (row.did.empty()) row.did = MintOne();
  if (row.baseid.empty()) row.baseid = NewUuid4();
  row.rev = NewRev();
  row.created = row.updated = IndexDateNow();
  RenderIndexDoc(row);
  DCC_ASSIGN_OR_RETURN(auto w, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(auto existing, w->FindObject(row.did));
  if (existing) return Status::Conflict("did \"" + row.did + "\" already exists");
  DCC_RETURN_IF_ERROR(w->PutObject(row));
  DCC_RETURN_IF_ERROR(w->Commit());
  return WriteOf(row);
}

Result<IndexWrite> IndexService::Create(const Caller& caller, const json& body) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  ObjectRow row;
  DCC_RETURN_IF_ERROR(ApplyCreateBody(body, row));
  const std::vector<std::string> resources = row.authz;
  return WriteNew(caller, std::move(row), "create", resources);
}

Result<IndexWrite> IndexService::AddVersion(const Caller& caller, const std::string& guid,
                                            const json& body) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  DCC_ASSIGN_OR_RETURN(ObjectRow old, Get(guid));
  ObjectRow row;
  DCC_RETURN_IF_ERROR(ApplyCreateBody(body, row));
  if (!row.baseid.empty() && row.baseid != old.baseid)
    return Status::InvalidArgument("baseid must be that of " + guid + " (" + old.baseid + ")",
                                   "/baseid");
  row.baseid = old.baseid;
  const std::vector<std::string> resources = Union(old.authz, row.authz);
  return WriteNew(caller, std::move(row), "update", resources);
}

Result<IndexWrite> IndexService::CreateBlank(const Caller& caller, const json& body) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  ObjectRow row;
  row.size.reset();
  DCC_RETURN_IF_ERROR(ApplyBlankBody(body, row));
  if (row.authz.empty()) {
    if (!authz_.Allowed(caller, "file_upload", {"/data_file"}))
      return Status::PermissionDenied("you may not upload data files (file_upload on /data_file)");
    return WriteNew(caller, std::move(row), "file_upload", {"/data_file"});
  }
  const std::vector<std::string> resources = row.authz;
  return WriteNew(caller, std::move(row), "create", resources);
}

Result<IndexWrite> IndexService::AddBlankVersion(const Caller& caller, const std::string& guid,
                                                 const json& body) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  DCC_ASSIGN_OR_RETURN(ObjectRow old, Get(guid));
  ObjectRow row;
  row.size.reset();
  DCC_RETURN_IF_ERROR(ApplyBlankBody(body, row));
  row.baseid = old.baseid;
  if (!body.contains("authz")) row.authz = old.authz;
  if (!body.contains("acl")) row.acl = old.acl;
  DCC_RETURN_IF_ERROR(CheckWrite(caller, "update", old.authz));
  const std::vector<std::string> resources = row.authz;
  return WriteNew(caller, std::move(row), "create", resources);
}

Result<std::vector<IndexWrite>> IndexService::UpdateAllVersions(const Caller& caller,
                                                                const std::string& guid,
                                                                const json& body) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  if (!body.is_object() || body.empty())
    return Status::InvalidArgument("the body must be {\"acl\": [...], \"authz\": [...]}");
  for (const auto& [k, v] : body.items()) {
    if (k != "acl" && k != "authz")
      return Status::InvalidArgument(
          "Additional properties are not allowed ('" + k + "' was unexpected)", "/" + k);
  }
  DCC_ASSIGN_OR_RETURN(auto w, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(ObjectRow any, Resolve(*w, guid));
  DCC_ASSIGN_OR_RETURN(auto versions, w->ObjectVersions(any.baseid));
  std::vector<std::string> resources;
  for (const auto& v : versions) resources = Union(resources, v.authz);
  std::vector<IndexWrite> out;
  const std::string now = IndexDateNow();
  for (auto& v : versions) {
    DCC_RETURN_IF_ERROR(ApplyUpdateBody(body, v));
    resources = Union(resources, v.authz);
    v.rev = NewRev();
    v.updated = now;
    RenderIndexDoc(v);
    out.push_back(WriteOf(v));
  }
  DCC_RETURN_IF_ERROR(CheckWrite(caller, "update", resources));
  for (const auto& v : versions) DCC_RETURN_IF_ERROR(w->PutObject(v));
  DCC_RETURN_IF_ERROR(w->Commit());
  return out;
}

Result<IndexWrite> IndexService::Rewrite(const Caller& caller, const std::string& guid,
                                         const std::string& rev,
                                         const std::function<Status(ObjectRow&)>& change) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  DCC_ASSIGN_OR_RETURN(auto w, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(auto found, w->FindObject(guid));
  if (!found) return Status::NotFound("no record found");
  ObjectRow row = std::move(*found);
  DCC_RETURN_IF_ERROR(CheckRev(row, rev));
  DCC_RETURN_IF_ERROR(change(row));
  row.rev = NewRev();
  row.updated = IndexDateNow();
  RenderIndexDoc(row);
  DCC_RETURN_IF_ERROR(w->PutObject(row));
  DCC_RETURN_IF_ERROR(w->Commit());
  return WriteOf(row);
}

Result<IndexWrite> IndexService::Update(const Caller& caller, const std::string& guid,
                                        const std::string& rev, const json& body) {
  return Rewrite(caller, guid, rev, [&](ObjectRow& row) {
    const std::vector<std::string> old_authz = row.authz;
    DCC_RETURN_IF_ERROR(ApplyUpdateBody(body, row));
    return CheckWrite(caller, "update", Union(old_authz, row.authz));
  });
}

Result<IndexWrite> IndexService::FillBlank(const Caller& caller, const std::string& guid,
                                           const std::string& rev, const json& body) {
  return Rewrite(caller, guid, rev, [&](ObjectRow& row) {
    if (row.size || !row.hashes.empty())
      return Status::InvalidArgument("record " + guid +
                                     " is not blank: it already has a size or hashes");
    const std::vector<std::string> old_authz = row.authz;
    DCC_RETURN_IF_ERROR(ApplyBlankFillBody(body, row));
    // As indexd: update on old and new authz, or the uploader's file_upload on /data_file.
    if (authz_.Allowed(caller, "file_upload", {"/data_file"})) return Status::Ok();
    return CheckWrite(caller, "update", Union(old_authz, row.authz));
  });
}

Status IndexService::Delete(const Caller& caller, const std::string& guid, const std::string& rev) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  if (rev.empty()) return Status::InvalidArgument("no revision specified", "rev");
  DCC_ASSIGN_OR_RETURN(auto w, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(auto found, w->FindObject(guid));
  if (!found) return Status::NotFound("no record found");
  DCC_RETURN_IF_ERROR(CheckRev(*found, rev));
  DCC_RETURN_IF_ERROR(CheckWrite(caller, "delete", found->authz));
  DCC_RETURN_IF_ERROR(w->DeleteObject(found->did));
  return w->Commit();
}

Result<std::vector<std::string>> IndexService::Aliases(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  DCC_ASSIGN_OR_RETURN(ObjectRow row, Resolve(*reader, guid));
  return reader->ObjectAliases(row.did);
}

Result<std::vector<std::string>> IndexService::AddAliases(const Caller& caller,
                                                          const std::string& guid,
                                                          const std::vector<std::string>& aliases,
                                                          bool replace) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  DCC_ASSIGN_OR_RETURN(auto w, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(ObjectRow row, Resolve(*w, guid));
  DCC_RETURN_IF_ERROR(CheckWrite(caller, "update", row.authz));
  std::vector<std::string> all;
  if (!replace) {
    DCC_ASSIGN_OR_RETURN(all, w->ObjectAliases(row.did));
  }
  for (const auto& a : aliases) {
    if (std::find(all.begin(), all.end(), a) != all.end()) {
      if (!replace) return Status::Conflict("alias \"" + a + "\" already exists");
      continue;
    }
    all.push_back(a);
  }
  DCC_RETURN_IF_ERROR(w->PutObjectAliases(row.did, all));
  DCC_RETURN_IF_ERROR(w->Commit());
  std::sort(all.begin(), all.end());
  return all;
}

Status IndexService::DeleteAliases(const Caller& caller, const std::string& guid,
                                   const std::string& alias) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  DCC_ASSIGN_OR_RETURN(auto w, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(ObjectRow row, Resolve(*w, guid));
  DCC_RETURN_IF_ERROR(CheckWrite(caller, "delete", row.authz));
  std::vector<std::string> kept;
  if (!alias.empty()) {
    DCC_ASSIGN_OR_RETURN(kept, w->ObjectAliases(row.did));
    auto it = std::find(kept.begin(), kept.end(), alias);
    if (it == kept.end())
      return Status::NotFound("alias \"" + alias + "\" is not an alias of " + row.did);
    kept.erase(it);
  }
  DCC_RETURN_IF_ERROR(w->PutObjectAliases(row.did, kept));
  return w->Commit();
}

Result<std::vector<IndexWrite>> IndexService::BulkUpsert(const Caller& caller,
                                                         const json& records) {
  if (caller.anonymous())
    return Status::Unauthenticated("credentials required to change the index");
  if (!records.is_array())
    return Status::InvalidArgument("the body must be a JSON array of records");
  if (records.size() > options_.bulk_max_records)
    return Status::TooLarge("at most " + std::to_string(options_.bulk_max_records) +
                            " records per request (got " + std::to_string(records.size()) +
                            "); split the batch");
  std::vector<Status::Detail> errors;
  std::vector<bool> bad(records.size(), false);
  auto reject = [&](size_t i, const std::string& msg) {
    errors.push_back({"/" + std::to_string(i), msg});
    bad[i] = true;
  };
  // Validation first, without the writer: nothing here needs the store.
  std::vector<ObjectRow> rows(records.size());
  std::unordered_set<std::string> seen;
  const std::string now = IndexDateNow();
  for (size_t i = 0; i < records.size(); ++i) {
    Status s = ApplyCreateBody(records[i], rows[i]);
    if (!s.ok()) {
      reject(i, s.message() + (s.where().empty() ? "" : " (at " + s.where() + ")"));
      continue;
    }
    if (rows[i].did.empty()) rows[i].did = MintOne();
    if (!seen.insert(rows[i].did).second)
      reject(i, "did \"" + rows[i].did + "\" appears twice in this request");
  }
  std::vector<IndexWrite> out(records.size());
  DCC_ASSIGN_OR_RETURN(auto w, records_.store().Write());
  std::vector<bool> write(records.size(), false);
  for (size_t i = 0; i < rows.size(); ++i) {
    ObjectRow& row = rows[i];
    if (bad[i]) continue;
    DCC_ASSIGN_OR_RETURN(auto existing, w->FindObject(row.did));
    if (!existing) {
      if (!authz_.Allowed(caller, "create", row.authz)) {
        reject(i, "you may not create records with these authz");
        continue;
      }
      if (row.baseid.empty()) row.baseid = NewUuid4();
      row.rev = NewRev();
      row.created = row.updated = now;
      out[i] = WriteOf(row, "created");
      write[i] = true;
      continue;
    }
    if (existing->size != row.size || existing->hashes != row.hashes) {
      reject(i, "did \"" + row.did +
                    "\" exists with a different size or hashes; post a new version instead");
      continue;
    }
    if (!row.baseid.empty() && row.baseid != existing->baseid) {
      reject(i, "baseid cannot change (the record's is " + existing->baseid + ")");
      continue;
    }
    if (!authz_.Allowed(caller, "update", Union(existing->authz, row.authz))) {
      reject(i, "you may not update this record");
      continue;
    }
    row.baseid = existing->baseid;
    row.file_uuid = existing->file_uuid;
    row.blob_key = existing->blob_key;
    row.created = existing->created;
    if (SameContent(*existing, row)) {
      out[i] = WriteOf(*existing, "unchanged");
      continue;
    }
    row.rev = NewRev();
    row.updated = now;
    out[i] = WriteOf(row, "updated");
    write[i] = true;
  }
  if (!errors.empty()) {
    std::sort(errors.begin(), errors.end(), [](const Status::Detail& a, const Status::Detail& b) {
      return std::stoul(a.where.substr(1)) < std::stoul(b.where.substr(1));
    });
    return Status::InvalidArgument(std::to_string(errors.size()) + " of " +
                                   std::to_string(records.size()) +
                                   " records rejected; nothing was written")
        .WithDetails(std::move(errors));
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!write[i]) continue;
    RenderIndexDoc(rows[i]);
    DCC_RETURN_IF_ERROR(w->PutObject(rows[i]));
  }
  DCC_RETURN_IF_ERROR(w->Commit());
  return out;
}

Status IndexService::CheckRead(RecordReader& reader, const Caller& caller, const ObjectRow& row) {
  bool allowed = false;
  if (!row.file_uuid.empty()) {
    // A file's bytes follow the file record's visibility (released files are public).
    DCC_ASSIGN_OR_RETURN(auto file, reader.Get(row.file_uuid));
    allowed = file && records_.CanView(caller, *file);
  } else {
    allowed = authz_.Allowed(caller, "read", row.authz);
  }
  if (allowed) return Status::Ok();
  if (caller.anonymous()) return Status::Unauthenticated("credentials required to read " + row.did);
  return Status::PermissionDenied("you may not read " + row.did);
}

Result<std::string> IndexService::AccessUrl(const Caller& caller, const std::string& guid,
                                            const std::string& access_id) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  DCC_ASSIGN_OR_RETURN(ObjectRow row, Resolve(*reader, guid));
  DCC_RETURN_IF_ERROR(CheckRead(*reader, caller, row));
  const std::string prefix = access_id + "://";
  const std::string ours = "s3://" + files_.options().bucket + "/";
  for (const auto& url : row.urls) {
    if (!access_id.empty() && url.compare(0, prefix.size(), prefix) != 0) continue;
    std::string key = row.blob_key;
    if (key.empty() && url.compare(0, ours.size(), ours) == 0) {
      key = url.substr(ours.size());
      // Bytes an uploaded file owns keep that file's permissions, whichever record
      // names them: a record cannot open another's bytes by copying its url.
      std::vector<std::string> holders;
      ObjectQuery q;
      q.urls = {url};
      DCC_RETURN_IF_ERROR(reader->ListObjects(q, [&](const std::string& did, const std::string&) {
        holders.push_back(did);
        return Status::Ok();
      }));
      for (const auto& did : holders) {
        DCC_ASSIGN_OR_RETURN(auto holder, reader->FindObject(did));
        if (holder && !holder->file_uuid.empty())
          DCC_RETURN_IF_ERROR(CheckRead(*reader, caller, *holder));
      }
    }
    if (!key.empty() && files_.blobs().Stat(key).ok()) {
      std::string name = row.file_name.value_or(key.substr(key.rfind('/') + 1));
      SignedDownload fields{name, row.hashes.value("md5", ""), row.size.value_or(0),
                            static_cast<int64_t>(std::time(nullptr)) + options_.access_url_seconds};
      return signer_.Sign("/_blobs/" + key, fields);
    }
    if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return url;
    if (access_id.empty()) continue;  // any protocol: try the next url
    return Status::NotFound("the " + access_id + " copy of " + guid + " (" + url +
                            ") is not held by this server and cannot be signed here");
  }
  if (access_id.empty())
    return Status::NotFound("no url of " + guid +
                            " is held by this server or reachable over http(s)");
  return Status::NotFound("no access method '" + access_id + "' for " + guid);
}

}  // namespace dcc::server
